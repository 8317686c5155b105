"""``urbanmap data fetch`` over loopback: what a source of many files costs to fetch, and to verify again.

A synthetic source shaped like ``wards-2025``'s origin (3,356 files by default; 20 KB each here rather than the
real 187 KB on average, to keep the run short) is served by a local HTTP server (127.0.0.1 only, nothing leaves
the machine) and fetched into an empty cache, then fetched again (everything verified, nothing downloaded).
Prints files per second and MB/s for the first run, and the second run's time (sha256 of every file).

    .venv/bin/python bench/fetch.py [--files 3356] [--size 20000]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.external.fetch import fetch  # noqa: E402
from etl.external.registry import load_registry  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3356)
    parser.add_argument("--size", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        served, raw, cache = root / "served", root / "raw", root / "cache"
        served.mkdir()
        raw.mkdir()
        lines = []
        for i in range(args.files):
            body = os.urandom(args.size)
            (served / f"f{i:05d}.bin").write_bytes(body)
            lines.append(
                f'[[source.file]]\nname = "f{i:05d}.bin"\norigin_path = "f{i:05d}.bin"\nsha256 = "{hashlib.sha256(body).hexdigest()}"\nsize = {args.size}\n'
            )
        handler = functools.partial(_Quiet, directory=str(served))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        head = (
            f'[[source]]\nid = "bench"\ntitle_vi = "Thử"\ntitle_en = "Bench"\nlicence = "none"\nattribution = "bench"\n'
            f'origin = "{base}"\nbase_url = "{base}"\nfolder = "bench"\ntarget = "bench"\n'
        )
        (raw / "sources.toml").write_text(head + "\n".join(lines), encoding="utf-8")
        registry = load_registry(raw)
        started = time.perf_counter()
        [first] = fetch(registry, raw, cache)
        took = time.perf_counter() - started
        started = time.perf_counter()
        [second] = fetch(registry, raw, cache)
        again = time.perf_counter() - started
        server.shutdown()
        mb = first.bytes / 1e6
        print(
            f"first run: {first.downloaded} files, {mb:.1f} MB in {took:.1f} s: {first.downloaded / took:.0f} files/s, {mb / took:.1f} MB/s"
        )
        print(f"second run: {second.downloaded} downloaded, {second.present} verified in {again:.2f} s")
    return 0


class _Quiet(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the origin's CDN
    disable_nagle_algorithm = True  # else each response waits 40 ms for a delayed ACK (headers and body are two writes)

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    sys.exit(main())
