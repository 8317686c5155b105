"""What an outside tester's hostile requests cost now, under the production server, on loopback only.

Run: ``.venv/bin/python bench/hostile.py``. Prints figures; asserts nothing.

Measures: a comparison with 300 repeated indicators (and with 1,000: refused as too long) against a
normal one; /healthz latency while eight hostile requests run at once; server memory (RSS) after 700
OGC pages of ``limit=10000`` with a bbox varied in the last digit; 32 clients asking for distinct
uncached map views (req/s, p50, p99); a rebuild under load: failed requests, responses per build, and
the time until the server answers from the new build.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web import built_site, free_port, wait_until_up  # noqa: E402
from etl.build import build  # noqa: E402


def get(url: str) -> tuple[int, float, int, str]:
    """(status, ms, bytes, build id) of one GET."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
            return response.status, (time.perf_counter() - start) * 1000, len(body), response.headers.get("X-Urbanmap-Build", "")
    except urllib.error.HTTPError as exc:
        return exc.code, (time.perf_counter() - start) * 1000, len(exc.read()), exc.headers.get("X-Urbanmap-Build", "")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw, data = built_site(Path(tmp))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "webmap.cli", "-q", "serve", "--data", str(data), "--raw", str(raw), "--port", str(port)],
            cwd=ROOT,
        )
        try:
            wait_until_up(url)
            run(url, server.pid, raw, data)
        finally:
            server.terminate()
            server.wait(10)


def run(url: str, pid: int, raw: Path, data: Path) -> None:
    normal = get(f"{url}/compare?codes=01,79&indicators=population")
    repeated = get(f"{url}/compare?codes=01,79&indicators=" + ",".join(["population"] * 300))
    too_long = get(f"{url}/compare?codes=01,79&indicators=" + ",".join(["population"] * 1000))
    print(f"compare, 1 indicator: {normal[0]} in {normal[1]:.0f} ms, {normal[2]:,} bytes")
    print(f"compare, 300 repeats: {repeated[0]} in {repeated[1]:.0f} ms, {repeated[2]:,} bytes")
    print(f"compare, 1,000 repeats (11 KB query): {too_long[0]} in {too_long[1]:.0f} ms, {too_long[2]:,} bytes")

    pairs = ["01,79", "01,31", "01,48", "79,31", "79,48", "31,48", "01,92", "79,92"]
    hostile = [f"{url}/compare.csv?codes={codes}&year=latest&indicators=" + ",".join(["population", "area"] * 150) for codes in pairs]
    with ThreadPoolExecutor(9) as pool:
        futures = [pool.submit(get, u) for u in hostile]
        time.sleep(0.05)
        health = get(f"{url}/healthz")
        statuses = sorted({f.result()[0] for f in futures})
    print(f"/healthz during 8 hostile compare.csv requests: {health[1]:.0f} ms (their statuses: {statuses})")

    before = rss_mb(pid)
    after = []
    for round_ in range(2):
        for i in range(700):
            get(f"{url}/ogc/collections/provinces_2008/items?limit=10000&bbox=90,0,120,3{round_}.{i:04d}")
        after.append(rss_mb(pid))
    print(
        f"server RSS: {before:.0f} MB before, {after[0]:.0f} MB after 700 OGC pages of limit=10000 with varied bbox, "
        f"{after[1]:.0f} MB after 700 more"
    )

    views = [
        f"{url}/?boundary={b}&indicator=population&method={m}&classes={k}&lang={lang}"
        for b in ("2008", "2025")
        for m in ("quantiles", "equal", "jenks")
        for k in range(3, 8)
        for lang in ("vi", "en")
    ]
    start = time.perf_counter()
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(get, views))
    elapsed = time.perf_counter() - start
    times = [r[1] for r in results]
    bad = sum(r[0] >= 500 for r in results)
    print(
        f"32 clients, {len(views)} distinct uncached map views: {len(views) / elapsed:.1f} req/s, "
        f"p50 {statistics.median(times):.0f} ms, p99 {percentile(times, 0.99):.0f} ms, 5xx: {bad}"
    )

    old = json.loads(urllib.request.urlopen(f"{url}/healthz").read())["build_id"]
    seen: list[tuple[int, str]] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            status, _, _, build_id = get(f"{url}/api/provinces.csv?codes=01,79&indicators=population")
            seen.append((status, build_id))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    values = raw / "indicators/context.csv"
    values.write_text(values.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    built = time.perf_counter()
    new = build(raw, data)["build_id"]
    built_at = time.perf_counter()
    while get(f"{url}/healthz")[3] != new:
        time.sleep(0.05)
    switched = (time.perf_counter() - built_at) * 1000
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    failed = sum(status != 200 for status, _ in seen)
    per_build = {b: sum(1 for _, x in seen if x == b) for b in (old, new)}
    print(
        f"rebuild under load: build {built_at - built:.1f} s; served from the new build {switched:.0f} ms after it became current; "
        f"{len(seen)} requests during it, {failed} failed, {per_build[old]} from the old build, {per_build[new]} from the new"
    )


if __name__ == "__main__":
    main()
