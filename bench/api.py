"""Load benchmark of the data API with wrk (32 connections, loopback only), beside pygeoapi on the same GeoPackage.

Run: ``.venv/bin/python bench/api.py [--seconds 15]``. Prints figures; asserts nothing.

Needs Debian's ``wrk``; for the pygeoapi comparison also ``python3-gdal`` and ``python3-venv``
(pygeoapi's OGR provider reads the GeoPackage): the script makes ``bench/out/pygeoapi-venv`` with
Debian's Python, installs pygeoapi and gunicorn from PyPI into it, and serves pygeoapi with
gunicorn (2 workers, one per core). urbanmap runs under ``urbanmap serve`` (waitress). Both serve
the same items request: the first 10 features of provinces_2025 as GeoJSON. Target (issue 4):
at least 3x pygeoapi's throughput at p99 <= 100 ms with zero errors.
"""

from __future__ import annotations

import argparse
import os
import re
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

OUT = ROOT / "bench" / "out"
CONFIG = """
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  cors: true
  pretty_print: false
  limit: 10
  map: {{url: "http://127.0.0.1/{{z}}/{{x}}/{{y}}.png", attribution: none}}
logging: {{level: ERROR}}
metadata:
  identification: {{title: urbanmap bench, description: same GeoPackage as urbanmap, keywords: [bench], keywords_type: theme,
                   terms_of_service: none, url: "http://127.0.0.1"}}
  license: {{name: none, url: "http://127.0.0.1"}}
  provider: {{name: none, url: "http://127.0.0.1"}}
  contact: {{name: none, position: none, address: none, city: none, stateorprovince: none, postalcode: none, country: none,
            phone: none, fax: none, email: none, url: none, hours: none, instructions: none, role: pointOfContact}}
resources:
  provinces_2025:
    type: collection
    title: provinces_2025
    description: 34 units
    keywords: [provinces]
    extents: {{spatial: {{bbox: [102, 8, 110, 24], crs: "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}}}
    providers:
      - type: feature
        name: OGR
        data: {{source_type: GPKG, source: {gpkg}}}
        id_field: code
        layer: provinces_2025
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def wrk(url: str, seconds: int, headers: tuple[str, ...] = ()) -> dict[str, str]:
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    figures = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)}
    for pct in ("50", "99"):
        figures[f"p{pct}"] = re.search(rf"\s{pct}%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["errors"] = f"{non2xx.group(1) if non2xx else 0} non-2xx; socket {errors.group(1) if errors else 'none'}"
    return figures


def pygeoapi(gpkg: Path, port: int) -> subprocess.Popen | None:
    """pygeoapi under gunicorn on ``gpkg``, or None (with the reason printed) when it cannot be set up here."""
    venv = OUT / "pygeoapi-venv"
    system_python = "/usr/bin/python3"
    if subprocess.run([system_python, "-c", "from osgeo import ogr"], capture_output=True).returncode != 0:
        print("pygeoapi skipped: Debian's python3-gdal is not installed (apt-get install python3-gdal python3-venv)")
        return None
    if not (venv / "bin" / "pygeoapi").exists():
        subprocess.run([system_python, "-m", "venv", "--system-site-packages", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "-q", "pygeoapi", "gunicorn"], check=True)
    config = OUT / "pygeoapi.yml"
    config.write_text(CONFIG.format(port=port, gpkg=gpkg))
    openapi = OUT / "pygeoapi-openapi.yml"
    subprocess.run(
        [str(venv / "bin/pygeoapi"), "openapi", "generate", str(config), "--output-file", str(openapi)], check=True, capture_output=True
    )
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    return subprocess.Popen(
        [str(venv / "bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "error", "pygeoapi.flask_app:APP"],
        env=env,
        cwd=OUT,
    )


def reference(runs: dict, results: dict, folder: Path, seconds: int, rounds: int) -> None:
    """Each urbanmap response served again, as the same bytes, by the minimal Flask app of ``bench/reference_app.py``
    under waitress (8 threads, as ``urbanmap serve``); prints urbanmap's share of its req/s. The two are measured
    in turns, ``rounds`` times each, and the medians compared: this machine's speed drifts by 20-40 % over minutes,
    which a reference measured minutes later would take for overhead."""
    files = []
    for number, (name, (url, _)) in enumerate((n, r) for n, r in runs.items() if n.startswith("urbanmap") and not r[1]):
        with urllib.request.urlopen(url) as response:
            (folder / f"r{number}.body").write_bytes(response.read())
            (folder / f"r{number}.type").write_text(response.headers["Content-Type"])
        files.append((name, url, folder / f"r{number}.body"))
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "bench/reference_app.py"), str(port), *(str(f) for _, _, f in files)])
    try:
        wait(f"http://127.0.0.1:{port}/{files[0][2].stem}")
        for name, url, path in files:
            ours, theirs = [float(results[name]["rps"])], []
            for turn in range(rounds):
                theirs.append(float(wrk(f"http://127.0.0.1:{port}/{path.stem}", seconds)["rps"]))
                if turn < rounds - 1:
                    ours.append(float(wrk(url, seconds)["rps"]))
            share = statistics.median(ours) / statistics.median(theirs)
            print(
                f"{'minimal Flask, the same bytes: ' + name[9:]:<60} {statistics.median(theirs):9.1f} req/s (median of {rounds}; "
                f"urbanmap {statistics.median(ours):.1f}, in turns)  urbanmap {share:.0%} of it [>= 65 %]"
            )
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3, help="turns of urbanmap and the reference per response (default 3)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "build"
        build(ROOT / "geodata/raw", data)
        ours_port, theirs_port = free_port(), free_port()
        ours = subprocess.Popen(
            [sys.executable, "-m", "webmap.cli", "-q", "serve", "--data", str(data), "--port", str(ours_port)], cwd=ROOT
        )
        theirs = pygeoapi(data / "current" / "urban.gpkg", theirs_port)
        try:
            base = f"http://127.0.0.1:{ours_port}"
            wait(base + "/healthz")
            runs = {
                "urbanmap national map page (cached)": (base + "/?boundary=2025&indicator=population", ()),
                "urbanmap GeoJSON export, 34 units, all indicators": (base + "/api/provinces.geojson", ()),
                "urbanmap GeoJSON export, gzip": (base + "/api/provinces.geojson", ("Accept-Encoding: gzip",)),
                "urbanmap OGC items, limit=10": (base + "/ogc/collections/provinces_2025/items?limit=10&f=json", ()),
            }
            if theirs is not None:
                wait(f"http://127.0.0.1:{theirs_port}/collections/provinces_2025/items?limit=10&f=json")
                runs["pygeoapi 0.21 OGC items, limit=10 (gunicorn, 2 workers)"] = (
                    f"http://127.0.0.1:{theirs_port}/collections/provinces_2025/items?limit=10&f=json",
                    (),
                )
            results = {}
            for name, (url, headers) in runs.items():
                urllib.request.urlopen(url).read()  # warm caches
                results[name] = wrk(url, args.seconds, headers)
                r = results[name]
                print(f"{name:<60} {float(r['rps']):9.1f} req/s  p50 {r['p50']:>8}  p99 {r['p99']:>8}  errors: {r['errors']}")
            reference(runs, results, Path(tmp), args.seconds, args.rounds)
            ours_items = float(results["urbanmap OGC items, limit=10"]["rps"])
            theirs_items = [float(r["rps"]) for n, r in results.items() if n.startswith("pygeoapi")]
            if theirs_items:
                print(f"OGC items throughput: urbanmap / pygeoapi = {ours_items / theirs_items[0]:.1f}x")
        finally:
            for process in (ours, theirs):
                if process is not None:
                    process.terminate()
                    process.wait(10)


if __name__ == "__main__":
    main()
