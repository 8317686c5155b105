"""``urbanmap import FILE ...``: published tables -> tidy CSVs in geodata/raw/indicators/."""

from __future__ import annotations

import argparse
import logging
from dataclasses import fields
from pathlib import Path

from .import_spec import SPEC_KEYS, ColumnSpec, ImportSpec, load_spec
from .importer import import_table, write_tidy
from .problems import InputError, Problem
from .sources import RawLayout, read_resolver
from .tables import TableError, read_grid

log = logging.getLogger("urbanmap.import")
SPEC_OPTIONS = tuple(sorted(SPEC_KEYS - {"columns"}))


def add_import_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="turn published tables (CSV any encoding/delimiter, .xlsx) into tidy indicator CSVs")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--map", type=Path, help="TOML mapping file: source, boundary, year, [columns] label = {indicator, unit}")
    p.add_argument("--indicator", help="indicator id (catalogue) of --value-column")
    p.add_argument("--unit", help="unit of --value-column as printed (e.g. 'thousand persons')")
    p.add_argument("--value-column", help="header label (or part of it) of the value column")
    p.add_argument("--source-title", help="title of the publication the table comes from")
    p.add_argument("--source-url", help="address of the publication")
    p.add_argument("--boundary", choices=["2008", "2025"], help="boundary set of the table (else settled by the year)")
    p.add_argument("--year", type=int, help="year of every value (when neither header nor a column gives it)")
    p.add_argument("--year-column", help="header label of a column holding years")
    p.add_argument("--province", help="the province of a single-province table (rows are years)")
    p.add_argument("--province-column", help="header label of the province column (default: detected)")
    p.add_argument("--period", default=None, help="period of every value, e.g. 2021-2030")
    p.add_argument("--header-rows", type=int, help="number of header rows (default: detected)")
    p.add_argument("--block", type=int, help="which block of rows to read, when label-only rows split the table (default 1)")
    p.add_argument("--decimal", choices=[",", "."], help="decimal mark (default: inferred from the numbers)")
    p.add_argument("--note", help="text added to every row's note")
    p.add_argument("--encoding", help="file encoding (default: BOM, UTF-8, then Windows-1258)")
    p.add_argument("--delimiter", help="CSV delimiter (default: detected)")
    p.add_argument("--sheet", help="worksheet of an .xlsx file (default: the first)")
    p.add_argument("--raw", type=Path, default=Path("geodata/raw"), help="raw directory whose boundary names resolve provinces")
    p.add_argument("--out", type=Path, help="output CSV (one input file only); default geodata/raw/indicators/<file>.csv")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(handler=run_import)


def spec_from_args(args: argparse.Namespace) -> ImportSpec:
    """The mapping file (if any) with command-line options on top."""
    spec = load_spec(args.map) if args.map else ImportSpec()
    for name in SPEC_OPTIONS:
        value = getattr(args, name)
        if value is not None:
            setattr(spec, name, value)
    if args.indicator or args.value_column or args.unit:
        if not (args.indicator and args.value_column and args.unit):
            raise InputError(
                [
                    Problem(
                        "command line",
                        None,
                        None,
                        "--indicator, --value-column and --unit go together",
                        "give all three, or name the columns in a --map file",
                    )
                ]
            )
        spec.columns[args.value_column] = ColumnSpec(args.indicator, args.unit)
    assert {f.name for f in fields(ImportSpec)} >= set(SPEC_OPTIONS)
    return spec


def run_import(args: argparse.Namespace) -> int:
    if args.out and len(args.files) > 1:
        raise InputError([Problem("command line", None, None, "--out takes one input file", "import the files one by one, or drop --out")])
    spec = spec_from_args(args)
    layout = RawLayout(args.raw)
    resolver = read_resolver(layout)
    problems: list[Problem] = []
    outputs = []
    for path in args.files:
        out = args.out or args.raw / "indicators" / f"{path.stem}.csv"
        if out.exists() and not args.force:
            problems.append(
                Problem(str(out), None, None, "the output file exists", "use --force to replace it, or --out to name another file")
            )
            continue
        try:
            grid = read_grid(path, args.encoding, args.delimiter, args.sheet)
            rows, notes = import_table(grid, spec, resolver, str(path))
        except TableError as exc:
            problems.append(Problem(str(path), None, None, exc.message, exc.fix))
            continue
        except InputError as exc:
            problems += exc.problems
            continue
        for note in notes:
            log.info("%s: %s", path, note)
        outputs.append((out, rows, grid))
    if problems:
        raise InputError(problems)
    for out, rows, grid in outputs:
        write_tidy(out, rows)
        log.info("%s: %d value(s) -> %s (encoding %s, delimiter %r)", out.name, len(rows), out, grid.encoding, grid.delimiter)
    return 0
