"""Benchmark of boundary sets below the provinces: the shipped 3,321 wards, and a synthetic set of 10,000.

Run: ``.venv/bin/python bench/wards.py [--units 10000] [--requests 200]``. Prints figures; asserts nothing.

The synthetic set (generated here, never shipped) cuts each of the 34 provinces of 2025 into grid cells, so
that the pieces partition their province exactly, and replaces set ``wards_2025`` in a copy of the raw folder.
For each set: build time; the province drill-down (page, geometry, assets) transferred with gzip, largest
province; the national page's size; map drawn with the province's wards in Chromium; OGC pages of 1,000 units
(p50/p99 over varied offsets); CSV and GeoJSON export of every unit (streamed); the serving process's peak
memory. Targets (issue 12): build < 60 s, drill-down <= 500 KB, national page unchanged, map <= 1.5 s,
OGC 1,000 units p99 <= 100 ms, process <= 1 GB.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import logging
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web import CHROMIUM, browser_figures, fetch, free_port, wait_until_up  # noqa: E402
from etl.build import build  # noqa: E402
from etl.sources import RawLayout  # noqa: E402

RAW = ROOT / "geodata/raw"
# published by others: found beside the checkout (../shared/data), or fetched (urbanmap data fetch)
PROVINCES = RawLayout(RAW).file("boundaries/wards_2025/vn_provinces_34_sapnhap.geojson")


def synthetic_wards(target: int) -> gpd.GeoDataFrame:
    """About ``target`` units cutting the 34 provinces into grid cells (each piece one unit, parent its province)."""
    provinces = pyogrio.read_dataframe(PROVINCES)
    size = float(np.sqrt(shapely.area(provinces.geometry.values).sum() / target))
    for _ in range(8):
        minx, miny, maxx, maxy = provinces.total_bounds
        gx, gy = np.meshgrid(np.arange(minx, maxx, size), np.arange(miny, maxy, size))
        cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + size, gy.ravel() + size)
        left, right = shapely.STRtree(cells).query(provinces.geometry.values, predicate="intersects")
        pieces = shapely.intersection(provinces.geometry.values[left], cells[right])
        keep = shapely.area(pieces) > 1e-7
        if abs(keep.sum() - target) < 0.05 * target:
            break
        size *= float(np.sqrt(keep.sum() / target))
    parents = provinces["code"].to_numpy()[left][keep]
    rows = [
        {
            "code": f"{i:05d}",
            "name_vi": f"Ô {i}",
            "name_en": f"Cell {i}",
            "full_name_vi": f"Xã Ô {i}",
            "full_name_en": f"Cell {i} Commune",
            "kind": "xa",
            "province_code": parent,
            "area_km2_published": None,
        }
        for i, parent in enumerate(parents, start=1)
    ]
    return gpd.GeoDataFrame(rows, geometry=list(pieces[keep]), crs=4326)


def raw_with(units: gpd.GeoDataFrame, folder: Path) -> Path:
    """A copy of the shipped raw folder whose set wards_2025 is ``units``."""
    raw = folder / "raw"
    shutil.copytree(RAW, raw)
    pyogrio.write_dataframe(units, raw / "boundaries/wards_2025/synthetic.gpkg", layer="wards_2025", driver="GPKG")
    path = raw / "boundaries/boundary_sets.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["set"] == "wards_2025":
            row["file"] = "wards_2025/synthetic.gpkg"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return raw


def page_weight(url: str, path: str) -> tuple[int, int]:
    """(bytes with gzip, requests) of a page and everything its map loads at first: assets and geometry."""
    _, html, _ = fetch(url + path, gzip_ok=True)
    text = gzip.decompress(html).decode("utf-8")
    links = set(re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', text))
    links |= {u.replace("\\u0026", "&") for u in re.findall(r'"(/geometry/[^"]+)"', text) if "__" not in u}
    wards = re.search(r'"always": \["(\d+)"\]', text)
    template = re.search(r'"url": "(/geometry/[^"]+__PARENT__[^"]+)"', text)
    if wards and template:
        links.add(template.group(1).replace("__PARENT__", wards.group(1)).replace("__LEVEL__", "coarse"))
    total = len(html) + sum(len(fetch(url + link, gzip_ok=True)[1]) for link in links)
    return total, 1 + len(links)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(label: str, raw: Path, folder: Path, requests: int) -> None:
    start = time.perf_counter()
    manifest = build(raw, folder / "build")
    took = time.perf_counter() - start
    units = manifest["counts"]["units_wards_2025"]
    print(f"\n== {label}: {units:,} units ==")
    print(f"build: {took:.1f} s [< 60 s]")
    store = pyogrio.read_dataframe(folder / "build/current/urban.gpkg", layer="wards_2025", columns=["parent_code"], read_geometry=False)
    largest = store["parent_code"].value_counts().idxmax()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "webmap.cli", "-q", "serve", "--data", str(folder / "build"), "--port", str(port)], cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, 120)
        weight, count = page_weight(url, f"/province/{largest}?boundary=2025")
        print(
            f"province drill-down ({largest}, {int((store['parent_code'] == largest).sum())} units): {weight / 1024:.0f} KB in {count} requests, gzip [<= 500 KB]"
        )
        print(
            f"national page: {len(fetch(url + '/')[1]) / 1024:.1f} KB HTML, {page_weight(url, '/')[0] / 1024:.0f} KB with assets and geometry"
        )
        if Path(CHROMIUM).exists():
            drawn = browser_figures(url, 3, f"/province/{largest}?boundary=2025", ".folium-map[data-wards-drawn]")[0]
            print(f"browser: province map with its wards drawn {min(drawn):.2f}-{max(drawn):.2f} s after navigation [<= 1.5 s]")
        fetch(url + "/ogc/collections/wards_2025/items?f=json&limit=1000")  # the first request serialises the collection
        pages = max(1, units // 1000)
        times = sorted(
            fetch(url + f"/ogc/collections/wards_2025/items?f=json&limit=1000&offset={(i % pages) * 1000}")[0] for i in range(requests)
        )
        print(
            f"OGC items, limit 1000, {requests} requests: p50 {statistics.median(times):.1f} ms, "
            f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms [p99 <= 100 ms]"
        )
        for fmt in ("csv", "geojson"):
            took_ms, body, headers = fetch(url + f"/api/provinces.{fmt}?boundary=wards_2025", gzip_ok=True)
            print(
                f"export of every unit as {fmt}: {took_ms / 1000:.1f} s, {len(body) / 1e6:.1f} MB gzip (streamed: {headers.get('Transfer-Encoding', 'no')})"
            )
        print(f"serving process peak memory: {peak_rss_mb(server.pid):.0f} MB [<= 1 GB]")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # the build's warnings (the wards' overlaps ...) are the ETL's to report, not the bench's
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("shipped wards and communes", RAW, Path(tmp) / "shipped", args.requests)
        folder = Path(tmp) / "synthetic"
        folder.mkdir()
        measure(f"synthetic set of about {args.units:,}", raw_with(synthetic_wards(args.units), folder), folder, args.requests)


if __name__ == "__main__":
    main()
