"""Throughput of ``urbanmap serve`` with one process (waitress) and with N worker processes (gunicorn), on loopback.

Run: ``.venv/bin/python bench/workers.py [--workers 2] [--clients 32]``. Prints figures; asserts nothing.

Two loads, each after a warm-up: distinct map views not yet cached (every worker renders its own: the
CPU-bound case several processes are for), and one cached page asked for again and again -- by Python
threads, and (where Debian's ``wrk`` is installed) by wrk, 32 connections for 10 s. The load generator runs
on the same 2 cores; wrk takes less of them. Issue 12's targets: uncached >= 80 req/s with p99 <= 500 ms and
no errors; two workers >= 1.4x one.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api import wrk  # noqa: E402
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


def measure(data: Path, workers: int, clients: int, threads: int | None = None) -> dict[str, tuple[float, float, float, int]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "webmap.cli", "-q", "serve", "--data", str(data), "--port", str(port), "--workers", str(workers)] + (
        ["--threads", str(threads)] if threads else []
    )
    server = subprocess.Popen(command, cwd=ROOT)
    try:
        wait_until_up(url)
        for _ in range(4 * workers):  # every worker has loaded its store
            get(url + "/healthz")
        time.sleep(2)
        distinct = views(url)
        uncached = load(distinct, clients)
        page = f"{url}/?boundary=2025&indicator=population"
        cached = load([page] * 2000, clients)
        figures = {"uncached": uncached, "cached": cached}
        if shutil.which("wrk"):  # a load generator in C takes less of the shared cores than Python threads
            out = wrk(page, 10)
            figures["cached (wrk)"] = (float(out["rps"]), _ms(out["p50"]), _ms(out["p99"]), int(out["errors"].split()[0]))
        return figures
    finally:
        server.terminate()
        server.wait(30)


def _ms(text: str) -> float:
    """wrk's latency ("812.00us", "28.97ms", "1.20s") in milliseconds."""
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--threads", type=int, help="threads per process (default: serve's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "build"
        build(ROOT / "geodata/raw", data)
        figures = {n: measure(data, n, args.clients, args.threads) for n in (1, args.workers)}
    for kind in figures[1]:
        for n, result in figures.items():
            rate, p50, p99, errors = result[kind]
            print(f"{kind:9} {n} process(es): {rate:7.1f} req/s, p50 {p50:6.0f} ms, p99 {p99:6.0f} ms, errors {errors}")
        print(f"{kind:9} speed-up with {args.workers}: {figures[args.workers][kind][0] / figures[1][kind][0]:.2f}x")


if __name__ == "__main__":
    main()
