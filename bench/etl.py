"""Benchmark of ``urbanmap build``: the shipped data, and synthetic commune-scale boundary sets.

Run: ``.venv/bin/python bench/etl.py [--sizes 1000 10000] [--repeat 3]``. Prints figures; asserts nothing.

The synthetic sets subdivide the 63 provinces with a square grid into about N
"communes" (set 2008); pairs of neighbouring communes of the same 2025 unit
form the set-2025 units, with a crosswalk. Every commune gets population
(2011, and 2019 for 90 %), storm damage (half of them), and an urban share
(2019), so the build aggregates sums, area- and population-weighted means and
incomplete groups at scale. Targets (issue 2): shipped data < 5 s, 10,000
units < 60 s, growth no worse than linear.
"""

from __future__ import annotations

import argparse
import csv
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.build import build  # noqa: E402
from tests.synthetic import SHIPPED, value, write_raw  # noqa: E402


def _grid(bounds: np.ndarray, size: float) -> np.ndarray:
    """Square cells of ``size`` degrees covering ``bounds``."""
    minx, miny, maxx, maxy = bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, size), np.arange(miny, maxy, size))
    return shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + size, gy.ravel() + size)


def communes(target: int) -> gpd.GeoDataFrame:
    """About ``target`` pieces of the 63 provinces (grid cells clipped to each province)."""
    provinces = pyogrio.read_dataframe(SHIPPED / "boundaries/vn_provinces_63.geojson")
    with (SHIPPED / "boundaries/province_merger_2025.csv").open(encoding="utf-8") as f:
        merger = {r["old_code"]: r["new_code"] for r in csv.DictReader(f)}
    size = np.sqrt(shapely.area(provinces.geometry.values).sum() / target)
    for _ in range(8):
        cells = _grid(provinces.total_bounds, size)
        tree = shapely.STRtree(cells)
        left, right = tree.query(provinces.geometry.values, predicate="intersects")
        pieces = shapely.intersection(provinces.geometry.values[left], cells[right])
        keep = shapely.area(pieces) > 0
        if abs(keep.sum() - target) < 0.05 * target:
            break
        size *= np.sqrt(keep.sum() / target)
    rows = []
    counters: dict[str, int] = {}
    for province, piece in zip(provinces["code"].values[left][keep], pieces[keep]):
        counters[province] = counters.get(province, 0) + 1
        rows.append({"province": province, "unit": merger[province], "number": counters[province], "geometry": piece})
    frame = gpd.GeoDataFrame(rows, crs=4326)
    frame["geometry"] = [shapely.make_valid(g) if not g.is_valid else g for g in frame.geometry]
    frame["geometry"] = [
        g
        if g.geom_type in ("Polygon", "MultiPolygon")
        else shapely.unary_union([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"])
        for g in frame.geometry
    ]
    frame["code"] = [f"{p}{n:04d}" for p, n in zip(frame["province"], frame["number"])]
    return frame


def synthetic_raw(root: Path, target: int) -> tuple[Path, int, int]:
    """A raw directory of about ``target`` communes; returns (root, units 2008, units 2025)."""
    pieces = communes(target)
    pieces = pieces.sort_values(["unit", "code"]).reset_index(drop=True)
    pieces["new"] = [f"{u}{i // 2:04d}" for u, i in zip(pieces["unit"], pieces.groupby("unit").cumcount())]
    attrs = {"name_en": "", "kind": "xa", "region": "synthetic", "region_vi": "", "note": None}
    layer_2008 = gpd.GeoDataFrame(
        {"code": pieces["code"], "name_vi": "Xã " + pieces["code"], **attrs}, geometry=pieces.geometry.values, crs=4326
    )
    merged = pieces.dissolve("new", as_index=False)
    layer_2025 = gpd.GeoDataFrame(
        {"code": merged["new"], "name_vi": "Phường " + merged["new"], **attrs}, geometry=merged.geometry.values, crs=4326
    )
    crosswalk = [
        {"old_code": c, "old_name_vi": f"Xã {c}", "new_code": n, "new_name_vi": f"Phường {n}", "new_name_en": ""}
        for c, n in zip(pieces["code"], pieces["new"])
    ]
    rng = np.random.default_rng(42)
    values = []
    for i, code in enumerate(pieces["code"]):
        values.append(value("2008", code, "population", 2011, f"{rng.uniform(5, 60):.1f}", "thousand persons"))
        if i % 10:
            values.append(value("2008", code, "population", 2019, f"{rng.uniform(5, 70):.1f}", "thousand persons"))
        if i % 2:
            values.append(value("2008", code, "storm_flood_damage_yagi_2024", 2024, f"{rng.uniform(0, 900):.1f}", "billion VND"))
        values.append(value("2008", code, "urban_population_share", 2019, f"{rng.uniform(5, 95):.1f}", "%"))
    write_raw(root, layer_2008, layer_2025, crosswalk, values)
    return root, len(layer_2008), len(layer_2025)


SUM_INDICATORS = (
    "population",
    "storm_flood_damage_yagi_2024",
    "registered_vehicles",
    "houses_damaged_yagi_2024",
    "congestion_hotspots_frequent",
    "urban_flood_hotspots_chronic",
)


def big_values_file(root: Path, rows: int, bad: int) -> Path:
    """The tiny raw directory with one tidy file of ``rows`` rows (unique keys: one-day periods), ``bad`` of them invalid."""
    from tests.synthetic import SOURCE, TIDY, tiny_raw

    raw = tiny_raw(root)
    codes = ("01", "30", "31", "92", "93", "94")
    units = {"population": "persons", "storm_flood_damage_yagi_2024": "billion VND", "registered_vehicles": "vehicles"}
    units.update(houses_damaged_yagi_2024="houses", congestion_hotspots_frequent="points", urban_flood_hotspots_chronic="points")
    rng = np.random.default_rng(7)
    numbers = rng.uniform(1, 1000, rows)
    with (raw / "indicators/values.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(TIDY)
        per_code = -(-rows // len(codes))
        for i in range(rows):
            code, n = codes[i % len(codes)], i // len(codes)
            indicator = SUM_INDICATORS[n % len(SUM_INDICATORS)]
            day = n // len(SUM_INDICATORS)
            year = 2008 + day // 336
            period = f"{year}-{1 + (day % 336) // 28:02d}-{1 + day % 28:02d}"
            value = "x" if i < bad else f"{numbers[i]:.1f}"
            writer.writerow(
                [
                    "2008",
                    code,
                    "",
                    indicator,
                    year,
                    period,
                    value,
                    units[indicator],
                    "",
                    "yes",
                    SOURCE["source_title"],
                    SOURCE["source_url"],
                    "",
                ]
            )
        assert per_code // len(SUM_INDICATORS) // 336 < 90, "years stay within 2008..2100"
    return raw


def timed_check(rows: int, bad: int) -> tuple[float, float, float, int]:
    """(check seconds, build seconds, peak MiB of a child process, errors) for one big tidy file."""
    import resource
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        raw = big_values_file(Path(tmp) / "raw", rows, bad)
        times = []
        for command in (["check", "--raw", str(raw)], ["build", "--raw", str(raw), "--out", str(Path(tmp) / "out")]):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "webmap.cli", "-q", *command], capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            errors = done.stderr.count("error:") if done.returncode else 0
            if bad == 0 and done.returncode != 0:
                raise SystemExit(done.stderr[-2000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return times[0], times[1], peak, errors


def timed_build(raw: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            build(raw, Path(out))
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, nargs="*", default=[], help="also check and build one tidy file of this many rows")
    parser.add_argument("--bad", type=int, default=100_000, help="invalid rows in a second run of each --rows size")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("etl.build").setLevel(logging.ERROR)  # the shipped tables' total checks warn; figures only here
    print(f"{'data':<28}{'units 2008':>11}{'units 2025':>11}{'values':>9}{'median s':>10}{'min s':>8}")
    times = timed_build(SHIPPED, args.repeat)
    print(f"{'shipped geodata/raw':<28}{63:>11}{34:>11}{'':>9}{statistics.median(times):>10.2f}{min(times):>8.2f}")
    per_unit = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            raw, n08, n25 = synthetic_raw(Path(tmp) / "raw", size)
            rows = sum(1 for _ in (raw / "indicators/values.csv").open()) - 1
            times = timed_build(raw, args.repeat)
            per_unit[n08] = statistics.median(times) / n08
            print(f"{'synthetic ' + str(size):<28}{n08:>11}{n25:>11}{rows:>9}{statistics.median(times):>10.2f}{min(times):>8.2f}")
    for rows in args.rows:
        for bad in (0, args.bad):
            check_s, build_s, peak, errors = timed_check(rows, bad)
            print(
                f"tidy file of {rows:,} rows, {bad:,} bad: check {check_s:.1f} s, build {build_s:.1f} s (exit 1 when bad), peak {peak:,.0f} MiB"
            )
    if len(per_unit) > 1:
        (small, a), (large, b) = sorted(per_unit.items())[0], sorted(per_unit.items())[-1]
        print(
            f"time per unit: {a * 1000:.2f} ms at {small} units, {b * 1000:.2f} ms at {large} units (ratio {b / a:.2f}; <= 1 is linear or better)"
        )


if __name__ == "__main__":
    main()
