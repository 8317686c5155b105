"""Benchmark of the web app under its production server (waitress), on loopback only.

Run: ``.venv/bin/python bench/web.py [--requests 300]``. Prints figures; asserts nothing.

Measures (issue 3 targets in brackets): national map page server time, warm p50/p95
[p50 <= 20 ms]; the first (uncached) render of a page; page HTML size [<= 100 KB]; everything
the browser downloads for the national map, compressed [<= 1 MB]; time from navigation until the
map has drawn every unit in headless Chromium [<= 1.5 s]; map sheets (issue 10): the first national A4 PDF
of a server [< 2 s], the same sheet again (cached), and the first of each format and paper, with sizes.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.build import build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def built_site(tmp: Path) -> tuple[Path, Path]:
    """(raw, build): a copy of ``geodata/raw`` in ``tmp`` and its build, for a benchmark to serve and publish into."""
    raw = tmp / "raw"
    shutil.copytree(ROOT / "geodata/raw", raw, symlinks=True)
    data = tmp / "build"
    build(raw, data)
    return raw, data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, gzip_ok: bool = False) -> tuple[float, bytes, dict]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        headers = dict(response.headers)
    return (time.perf_counter() - start) * 1000, body, headers


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            fetch(url + "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


NATIONAL_DRAWN = ".folium-map[data-units-drawn='34'][data-islands-drawn='2']"


def browser_figures(url: str, runs: int = 5, path: str = "/", drawn: str = NATIONAL_DRAWN) -> tuple[list[float], int, int]:
    """(seconds until ``drawn`` matches per run, bytes transferred compressed, requests) for ``path`` in a cold browser
    (by default the national map with every unit and the archipelagos)."""
    from playwright.sync_api import sync_playwright

    times, transferred, requests = [], 0, 0
    args = ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        for run in range(runs):
            context = browser.new_context()
            page = context.new_page()
            seen = []
            page.on("requestfinished", lambda r, seen=seen: seen.append(r))
            start = time.perf_counter()
            page.goto(url + path)
            page.wait_for_selector(drawn, timeout=30_000)
            times.append(time.perf_counter() - start)
            page.wait_for_load_state("networkidle")
            if run == 0:
                requests = len(seen)
                transferred = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in seen)
            context.close()
        browser.close()
    return times, transferred, requests


def sheet_figures(url: str) -> None:
    """Map sheet render times: each view's first sheet is drawn, the second comes from the cache."""
    national = "/sheet.{fmt}?indicator=population&boundary=2025&size={size}&orientation={orientation}"
    first, body, _ = fetch(url + national.format(fmt="pdf", size="a4", orientation="portrait"))
    again = [fetch(url + national.format(fmt="pdf", size="a4", orientation="portrait"))[0] for _ in range(20)]
    print(f"map sheet, national A4 PDF: first {first:.0f} ms ({len(body) / 1024:.0f} KB), cached p50 {statistics.median(again):.1f} ms")
    for path, size, orientation in (
        (national, "a4", "landscape"),
        (national, "a3", "landscape"),
        ("/province/79/sheet.{fmt}?boundary=2025&size={size}&orientation={orientation}", "a4", "portrait"),
        ("/compare/sheet.{fmt}?codes=01,79,48&boundary=2025&size={size}&orientation={orientation}", "a4", "landscape"),
    ):
        figures = []
        for fmt in ("pdf", "png", "svg"):
            took, body, _ = fetch(url + path.format(fmt=fmt, size=size, orientation=orientation))
            figures.append(f"{fmt} {took:.0f} ms / {len(body) / 1024:.0f} KB")
        print(f"map sheet {path.split('/sheet')[0] or '/'} {size} {orientation}: " + "; ".join(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "build"
        build(ROOT / "geodata/raw", data)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "webmap.cli", "-q", "serve", "--data", str(data), "--port", str(port)], cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url)
            first, body, _ = fetch(url + "/?issue=housing")
            times = [fetch(url + "/")[0] for _ in range(args.requests)]
            _, html, _ = fetch(url + "/")
            _, zipped, headers = fetch(url + "/", gzip_ok=True)
            geometry = fetch(url + "/geometry/provinces_2025.geojson", gzip_ok=True)[1]
            print(f"first render of a page (uncached):   {first:8.1f} ms")
            print(
                f"national map page, warm, {args.requests} requests: p50 {statistics.median(times):.1f} ms, "
                f"p95 {statistics.quantiles(times, n=20)[18]:.1f} ms, max {max(times):.1f} ms"
            )
            print(
                f"page HTML: {len(html) / 1024:.1f} KB ({len(zipped) / 1024:.1f} KB gzip, Content-Encoding {headers.get('Content-Encoding')})"
            )
            print(f"geometry of the 34 units: {len(gzip.decompress(geometry)) / 1024:.1f} KB ({len(geometry) / 1024:.1f} KB gzip)")
            sheet_figures(url)
            if Path(CHROMIUM).exists():
                drawn, transferred, requests = browser_figures(url)
                print(f"browser: {requests} requests, {transferred / 1024:.1f} KB transferred (compressed) for the national map")
                print(
                    f"browser: map drawn (34 units + archipelagos) {min(drawn):.2f}-{max(drawn):.2f} s after navigation "
                    f"(median {statistics.median(drawn):.2f} s over {len(drawn)} cold contexts)"
                )
            else:
                print("browser figures skipped: /usr/bin/chromium is not installed")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
