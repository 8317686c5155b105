"""``urbanmap data status`` and ``urbanmap data fetch``: the files published by others, where they are, getting them.

``status`` prints, per registered source, where its files were found and whether they verify, or that they are
missing and how to get them; it exits 0 when every source is installed and verified, 1 otherwise. ``fetch``
downloads what is missing into the user cache (:mod:`etl.external.fetch`) and exits 0 when every source it was
asked for is then installed, 1 on a failed download or a damaged copy.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from etl.external.fetch import FetchError, fetch
from etl.external.locate import Located, SourceState, cache_dir, missing_line
from etl.paths import raw_dir
from etl.sources import RawLayout

log = logging.getLogger("urbanmap.data")


def add_data_parser(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="files published by others that the build reads: status, fetch")
    commands = data.add_subparsers(dest="data_command", required=True)
    status = commands.add_parser("status", help="where each source's files are, verified or not, or what is missing")
    fetching = commands.add_parser("fetch", help="download what is missing from its pinned origin into the user cache")
    fetching.add_argument("ids", nargs="*", help="the sources to fetch (default: all that are not installed)")
    for command in (status, fetching):
        command.add_argument("--raw", type=Path, help="input directory with sources.toml (default: the project's geodata/raw)")
        command.add_argument("--sources", type=Path, help="a folder laid out as ../shared/data, looked in first")
    status.set_defaults(handler=run_status)
    fetching.set_defaults(handler=run_fetch)


def run_status(args: argparse.Namespace) -> int:
    located = RawLayout(raw_dir(args.raw), args.sources).located
    for line in status_lines(located):
        print(line)
    healthy = not located.registry_problems and all(s.installed for s in located.sources)
    return 0 if healthy else 1


def status_lines(located: Located) -> list[str]:
    """The report of ``urbanmap data status``: where it looked, then one block per source."""
    lines = ["looked in, in this order:"]
    lines += [f"  {n}. {p.root} ({p.kind}){'' if p.root.is_dir() else ' - absent'}" for n, p in enumerate(located.looked_in, 1)]
    lines += [str(p) for p in located.registry_problems]
    for state in located.sources:
        lines += _source_lines(state, located)
    return lines


def _source_lines(state: SourceState, located: Located) -> list[str]:
    source = state.source
    head = f"{source.id}: {source.title_vi} / {source.title_en} ({len(source.files)} files, {source.size:,} bytes)"
    if state.damaged:
        lines = [f"{head}: DAMAGED"]
        lines += [f"  {f.path}: {f.damaged}; the registry expects sha256 {f.file.sha256}, {f.file.size:,} bytes" for f in state.damaged]
        return lines + ["  fix: delete the damaged copy and run `urbanmap data fetch`, or point --sources DIR to a good copy"]
    if state.missing:
        return [f"{head}: MISSING", f"  {missing_line(state, located.looked_in)}", f"  origin: {source.origin}"]
    where = ", ".join(str(p) for p in state.places)
    return [f"{head}: installed, verified (sha256), in {where}", f"  licence: {source.licence}", f"  used by: {source.used_by}"]


def run_fetch(args: argparse.Namespace) -> int:
    layout = RawLayout(raw_dir(args.raw), args.sources)
    located = layout.located
    if located.registry_problems:
        for problem in located.registry_problems:
            print(problem, file=sys.stderr)
        return 1
    damaged = [s for s in located.sources if s.damaged]
    wanted = args.ids or [s.source.id for s in located.uninstalled()]
    if not wanted and not damaged:
        print("every source is installed and verified; nothing to fetch")
    elif wanted:
        try:
            for done in fetch(located.registry, layout.root, cache_dir(), wanted):
                print(
                    f"{done.source}: {done.downloaded} files downloaded ({done.bytes:,} bytes), {done.present} already verified, {done.made} made"
                )
        except FetchError as exc:
            print(f"urbanmap: {exc}", file=sys.stderr)
            return 1
    for state in damaged:
        for line in _source_lines(state, located):
            print(line, file=sys.stderr)
    return 1 if damaged else 0
