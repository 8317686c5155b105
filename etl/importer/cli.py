"""``urbanmap import FILE ...``: published tables -> tidy CSVs where ``--out`` says, or a summary (``--dry-run``).

Nothing in the raw folder is written: to have the build read a published table,
put it with its mapping file in ``geodata/raw/published/``.
"""

from __future__ import annotations

import argparse
import logging
from collections import defaultdict
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

from etl.catalogue import Catalogue, read_catalogue
from etl.importer.results import ImportResult, write_tidy
from etl.importer.spec import SPEC_KEYS, ColumnSpec, ImportSpec, load_spec, parse_years
from etl.importer.table_import import import_table
from etl.importer.tables import TableError, read_grid
from etl.paths import raw_dir
from etl.problems import InputError, Problem, Report
from etl.sources import RawLayout, read_resolver
from etl.totals import check_totals, own_figures

log = logging.getLogger("urbanmap.import")
SPEC_OPTIONS = tuple(sorted(SPEC_KEYS - {"columns", "primary", "fallback", "national"}))  # mapping files only


def add_import_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="turn published tables (CSV any encoding/delimiter, .xlsx) into tidy indicator CSVs")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--map", type=Path, help="TOML mapping file: source, boundary, year, [columns] label = {indicator, unit}")
    p.add_argument("--indicator", help="indicator id (catalogue) of --value-column")
    p.add_argument("--unit", help="unit of --value-column where the table prints none (e.g. 'thousand persons')")
    p.add_argument("--value-column", help="header label (or part of it) of the value column")
    p.add_argument("--source-title", help="title of the publication the table comes from")
    p.add_argument("--source-url", help="address of the publication")
    p.add_argument("--source-document", help="number of the official document, where the publication has no web address")
    p.add_argument("--boundary", choices=["2008", "2025"], help="boundary set of the table (else settled by the year)")
    p.add_argument("--year", type=int, help="year of every value (when neither header nor a column gives it)")
    p.add_argument("--years", type=parse_years, help="take only values of these years, e.g. 2008-2016")
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
    p.add_argument("--raw", type=Path, help="raw directory whose boundaries, names and catalogue the import uses (default: the project's)")
    p.add_argument("--out", type=Path, help="output CSV (one input file), or a directory for several")
    p.add_argument(
        "--dry-run", action="store_true", help="print what would be written (per indicator and year: units, value range); write nothing"
    )
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
        if not (args.indicator and args.value_column):
            raise InputError(
                [
                    Problem(
                        "command line",
                        None,
                        None,
                        "--indicator and --value-column go together (with --unit where the table prints none)",
                        "give both, or name the columns in a --map file",
                    )
                ]
            )
        spec.columns[args.value_column] = ColumnSpec(args.indicator, args.unit)
    assert {f.name for f in fields(ImportSpec)} >= set(SPEC_OPTIONS)
    return spec


def run_import(args: argparse.Namespace) -> int:
    if not args.out and not args.dry_run:
        raise InputError(
            [Problem("command line", None, None, "nothing would be written", "give --out FILE (or a directory), or --dry-run")]
        )
    spec = spec_from_args(args)
    layout = RawLayout(raw_dir(args.raw))
    report = Report()
    resolver = read_resolver(layout)
    catalogue = read_catalogue(layout, report)
    report.raise_if_errors()
    problems: list[Problem] = []
    outputs = []
    for path in args.files:
        out = _output(args, path)
        if out is not None and out.exists() and not args.force:
            problems.append(Problem(str(out), None, None, "the output file exists", "use --force to replace it, or name another file"))
            continue
        try:
            grid = read_grid(path, args.encoding, args.delimiter, args.sheet)
            result = import_table(grid, spec, resolver, catalogue, str(path))
        except TableError as exc:
            problems.append(Problem(str(path), None, None, exc.message, exc.fix))
            continue
        except InputError as exc:
            problems += exc.problems
            continue
        for note in result.notes:
            log.info("%s: %s", path, note)
        _check_own_totals(str(path), result, catalogue, sum(1 for b, _ in resolver.units if b == "2008"))
        outputs.append((path, out, result.rows, grid))
    if problems:
        raise InputError(problems)
    for path, out, rows, grid in outputs:
        if args.dry_run:
            print(summary(path, rows))
            continue
        assert out is not None
        write_tidy(out, rows)
        log.info("%s: %d value(s) -> %s (encoding %s, delimiter %r)", path.name, len(rows), out, grid.encoding, grid.delimiter)
    return 0


def _check_own_totals(name: str, result: ImportResult, catalogue: Catalogue, units: int) -> None:
    """Log a warning for every whole-country or region row the table's own provinces depart from (:mod:`etl.totals`;
    weighted means are checked only where the table gives the weights)."""
    own = own_figures(result.rows)
    warnings = Report()
    checked = check_totals(result.totals, {name: own}, own, {}, catalogue, warnings, units)
    for problem in warnings.warnings:
        log.warning("%s", problem)
    if checked:
        log.info("%s: %d whole-country and region total(s) checked against the provinces", name, checked)


def _output(args: argparse.Namespace, path: Path) -> Path | None:
    if args.dry_run or args.out is None:
        return None
    if len(args.files) > 1 or args.out.is_dir():
        return args.out / f"{path.stem}.csv"
    return args.out


def summary(path: Path, rows: list[dict[str, str]]) -> str:
    """What an import would write: per indicator and year, the units with a value and the values' range."""
    groups: dict[tuple[str, str, str], list[Decimal]] = defaultdict(list)
    units: dict[tuple[str, str, str], str] = {}
    preliminary: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in rows:
        key = (r["indicator"], r["boundary"], r["year"])
        groups[key].append(Decimal(r["value"]))
        units[key] = r["unit"]
        preliminary[key] += r.get("preliminary") == "yes"
    lines = [f"{path}: {len(rows)} value(s) would be written"]
    for key in sorted(groups):
        values = groups[key]
        prel = f", {preliminary[key]} preliminary" if preliminary[key] else ""
        lines.append(f"  {key[0]} [{key[1]}] {key[2]}: {len(values)} unit(s), {min(values):f} .. {max(values):f} {units[key]}{prel}")
    return "\n".join(lines)
