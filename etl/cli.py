"""The ``urbanmap`` command: build, check, import, export.

Exit status: 0 on success, 1 when inputs have errors (every problem is
printed, naming file, row and column), 2 on wrong usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from etl.importer.numbers import parse_whole
from etl.paths import LocationError, build_dir, raw_dir
from etl.problems import ERROR, WARNING, InputError
from etl.store import CURRENT, DEFAULT_KEEP, MIN_KEEP, STORE_NAME, StoreError

log = logging.getLogger("urbanmap")
SOURCES_HELP = "a folder laid out as ../shared/data holding the files published by others, looked in first (default: $URBANMAP_SOURCES)"


def _parser(extensions: tuple[Callable[[argparse._SubParsersAction], None], ...] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="urbanmap", description="Vietnam urban issues by province, linked to the action programme.")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="validate geodata/raw and write the store (OUT/current/urban.gpkg + manifest.json)")
    build.add_argument("--raw", type=Path, help="input directory (default: the project's geodata/raw)")
    build.add_argument("--out", type=Path, help="output directory (default: the project's geodata/build)")
    build.add_argument("--sources", type=Path, help=SOURCES_HELP)
    build.add_argument("--repair-geometry", action="store_true", help="repair invalid boundary geometry (make_valid) instead of failing")
    build.add_argument(
        "--keep",
        type=_keep,
        default=DEFAULT_KEEP,
        help=f"builds kept in OUT/builds for restore (default {DEFAULT_KEEP}, at least {MIN_KEEP})",
    )
    build.set_defaults(handler=_build)

    check = sub.add_parser("check", help="validate geodata/raw without writing anything")
    check.add_argument("--raw", type=Path, help="input directory (default: the project's geodata/raw)")
    check.add_argument("--repair-geometry", action="store_true", help="report invalid geometry as repairable (warning)")
    check.add_argument("--sources", type=Path, help=SOURCES_HELP)
    check.set_defaults(handler=_check)

    from etl.export_cli import add_export_parser
    from etl.external.cli import add_data_parser
    from etl.importer.cli import add_import_parser

    add_import_parser(sub)
    add_export_parser(sub)
    add_data_parser(sub)
    for extend in extensions:
        extend(sub)
    for command in sub.choices.values():
        command.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print only warnings and errors")
    return parser


def _keep(text: str) -> int:
    keep = parse_whole(text, 4)
    if keep is None or keep < MIN_KEEP:
        raise argparse.ArgumentTypeError(f"a whole number, at least {MIN_KEEP}")
    return keep


def _configure_logging(quiet: bool) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(levelname)s: %(message)s", stream=sys.stderr)
    logging.getLogger("pyogrio").setLevel(logging.WARNING)


def _build(args: argparse.Namespace) -> int:
    from etl.build import build

    out = build_dir(args.out)
    manifest = build(raw_dir(args.raw), out, args.repair_geometry, args.keep, sources=args.sources)
    if not args.quiet:
        counts = manifest["counts"]
        print(f"built {out / CURRENT / STORE_NAME} (build {manifest['build_id']}, schema {manifest['schema_version']})")
        print("counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        print("coverage (units with a value / units in the set, per year):")
        for line in manifest["coverage"]:
            print(f"  {line}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from etl.build import check

    raw = raw_dir(args.raw)
    report = check(raw, args.repair_geometry, args.sources)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    for line in report.omitted(ERROR) + report.omitted(WARNING):
        print(line, file=sys.stderr)
    errors, warnings = report.count(ERROR), report.count(WARNING)
    if errors:
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"{raw}: no errors, {warnings} warning(s)")
    return 0


def main(argv: list[str] | None = None, extensions: tuple[Callable[[argparse._SubParsersAction], None], ...] = ()) -> int:
    """Run the command; ``extensions`` add subcommands (the web app adds ``serve``: etl never imports webmap)."""
    args = _parser(extensions).parse_args(argv)
    _configure_logging(args.quiet)
    try:
        return int(args.handler(args))
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        for line in exc.omitted:
            print(line, file=sys.stderr)
        print(f"{exc.total} error(s); nothing was written", file=sys.stderr)
        return 1
    except (LocationError, StoreError) as exc:
        print(f"urbanmap: {exc}" if isinstance(exc, StoreError) else exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
