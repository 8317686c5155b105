"""Throughput of ``urbanmap serve`` with one process (waitress) and with N worker processes (gunicorn), on loopback.

Run: ``.venv/bin/python bench/workers.py [--workers 2] [--clients 32]``. Prints figures; asserts nothing.

Two loads, each after a warm-up: distinct map views not yet cached (every worker renders its own: the
CPU-bound case several processes are for), and one cached page asked for again and again. The load
generator runs on the same 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hostile import get, percentile  # noqa: E402
from bench.web import free_port, wait_until_up  # noqa: E402
from etl.build import build  # noqa: E402


def views(url: str) -> list[str]:
    """Distinct valid national map views of the shipped data (indicators with values in both sets)."""
    out = []
    for indicator in ("population", "area", "population_density", "urban_population"):
        for boundary in ("2008", "2025"):
            for method in ("quantiles", "equal", "jenks"):
                for classes in range(3, 8):
                    for lang in ("vi", "en"):
                        out.append(f"{url}/?boundary={boundary}&indicator={indicator}&method={method}&classes={classes}&lang={lang}")
    return out


def load(urls: list[str], clients: int) -> tuple[float, float, float, int]:
    """(req/s, p50 ms, p99 ms, errors) of getting every url once with ``clients`` concurrent clients."""
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(get, urls))
    elapsed = time.perf_counter() - start
    times = [r[1] for r in results]
    return len(urls) / elapsed, statistics.median(times), percentile(times, 0.99), sum(r[0] != 200 for r in results)


def measure(data: Path, workers: int, clients: int) -> dict[str, tuple[float, float, float, int]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "webmap.cli", "-q", "serve", "--data", str(data), "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, cwd=ROOT)
    try:
        wait_until_up(url)
        for _ in range(4 * workers):  # every worker has loaded its store
            get(url + "/healthz")
        time.sleep(2)
        distinct = views(url)
        uncached = load(distinct, clients)
        cached = load([f"{url}/?boundary=2025&indicator=population"] * 2000, clients)
        return {"uncached": uncached, "cached": cached}
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "build"
        build(ROOT / "geodata/raw", data)
        figures = {n: measure(data, n, args.clients) for n in (1, args.workers)}
    for kind in ("uncached", "cached"):
        for n, result in figures.items():
            rate, p50, p99, errors = result[kind]
            print(f"{kind:9} {n} process(es): {rate:7.1f} req/s, p50 {p50:6.0f} ms, p99 {p99:6.0f} ms, errors {errors}")
        print(f"{kind:9} speed-up with {args.workers}: {figures[args.workers][kind][0] / figures[1][kind][0]:.2f}x")


if __name__ == "__main__":
    main()
