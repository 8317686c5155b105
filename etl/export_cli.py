"""``urbanmap export``: a boundary set, optionally filtered, as GeoJSON, CSV or GeoPackage."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from etl.catalogue import ISSUES
from etl.export import ExportError, Selection, file_stem, metadata, select, to_csv, to_geojson, to_gpkg, to_long_csv
from etl.paths import build_dir
from etl.problems import InputError, Problem
from etl.store import open_build

log = logging.getLogger("urbanmap.export")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip())


def add_export_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a boundary set with indicator values as GeoJSON, CSV or GeoPackage")
    p.add_argument("--data", type=Path, help="build directory (default: the project's geodata/build)")
    p.add_argument("--boundary", choices=["2008", "2025"], default="2025", help="boundary set (default 2025: the 34 units)")
    p.add_argument("--format", choices=["geojson", "csv", "gpkg"], default="geojson")
    p.add_argument("--codes", type=_codes, default=(), help="comma-separated unit codes, e.g. 01,79")
    p.add_argument("--region", help="region id, e.g. dong_bang_song_hong")
    p.add_argument("--issue", choices=list(ISSUES), help="only this issue's indicators")
    p.add_argument("--indicators", type=_codes, default=(), help="comma-separated indicator ids")
    p.add_argument("--year", type=int, help="values of this year only (default: the latest value of each unit)")
    p.add_argument("--long", action="store_true", help="CSV: one row per value with its source (every year)")
    p.add_argument("--wkt", action="store_true", help="CSV: add a WKT geometry column")
    p.add_argument("-o", "--output", type=Path, help="output file (default: standard output; a name is made for gpkg)")
    p.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    found = open_build(build_dir(args.data))
    store = found.store
    selection = Selection(args.boundary, args.codes, args.region, args.issue, args.indicators, args.year)
    try:
        frame = select(store, selection)
    except ExportError as exc:
        raise InputError([Problem("export", None, None, exc.message, exc.fix)]) from exc
    stem = file_stem(selection, dt.date.today().isoformat())
    if args.format == "gpkg":
        output = args.output or Path(f"{stem}.gpkg")
        to_gpkg(frame, output, f"provinces_{args.boundary}")
        log.info("wrote %d unit(s) to %s", len(frame), output)
        return 0
    if args.format == "geojson":
        data = to_geojson(frame, metadata(found.folder))
    else:
        data = to_long_csv(store, frame, selection) if args.long else to_csv(frame, args.wkt)
    if args.output:
        args.output.write_bytes(data)
        log.info("wrote %d unit(s) to %s", len(frame), args.output)
    else:
        sys.stdout.buffer.write(data)
    return 0
