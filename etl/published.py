"""Published tables read by the build through the importer: ``published/**/<name>.toml`` beside its table.

Every mapping file of the raw directory's ``published/`` folder imports the
table of the same name (``.csv``, ``.txt``, ``.tsv`` or ``.xlsx``) with the rules
of ``urbanmap import``; no hand-made tidy copy of an imported table exists. A
table without a mapping file is kept as a document and not read.

Where two tables give the same key (boundary, unit, indicator, year, period),
both rows are kept and one is preferred: the table a mapping declares
``primary`` for the indicator; without one, equal values prefer the first table
by name, and different values are an error naming both tables. While the table
declared ``primary`` is not installed (below), the table declaring the indicator
``fallback`` takes its place. The other row says why it is not preferred.

A table registered in ``sources.toml`` (published by others) is read from where it was found
(:meth:`etl.sources.RawLayout.file`); one found nowhere is not installed: its mapping is skipped and
counted in :attr:`Imported.uninstalled`, with the indicators it would give.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from etl.catalogue import Catalogue
from etl.csv_rows import CsvRow
from etl.importer.results import ImportResult, TotalRow
from etl.importer.spec import ImportSpec, NationalFigure, load_spec
from etl.importer.table_import import import_table
from etl.importer.tables import TableError, read_grid
from etl.names import ProvinceResolver
from etl.national_totals import NationalCheck
from etl.problems import InputError, Report
from etl.sources import RawLayout

log = logging.getLogger(__name__)
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
_KEY = ["boundary", "province_code", "indicator", "year", "period"]  # the key of etl.indicators, in tidy column names


@dataclass(frozen=True)
class Uninstalled:
    """A mapped table published by others and found nowhere: its source, the indicators it gives, those it is
    declared primary for, and its source title."""

    source: str
    indicators: list[str]
    primary: tuple[str, ...]
    title: str


@dataclass
class Imported:
    """Rows of every published table (name -> spreadsheet-numbered tidy rows), their totals, notes and no-figure counts."""

    rows: dict[str, list[CsvRow]] = field(default_factory=dict)
    totals: list[TotalRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    uninstalled: dict[str, Uninstalled] = field(default_factory=dict)  # by table (its path below the raw folder)
    national: list[NationalCheck] = field(default_factory=list)  # the publisher's national figures to check sums against


def mapping_files(layout: RawLayout) -> list[Path]:
    folder = layout.root / "published"
    return sorted(folder.rglob("*.toml")) if folder.is_dir() else []


def table_of(layout: RawLayout, mapping: Path) -> Path | None:
    """The table a mapping file imports: the file of the same name with a table suffix (where the layout finds it)."""
    found = [t for t in (layout.file(_below(layout, mapping.with_suffix(s))) for s in TABLE_SUFFIXES) if t.exists()]
    return found[0] if len(found) == 1 else None


def national_table(layout: RawLayout, mapping: Path, figure: NationalFigure) -> Path:
    """The national table a mapping's ``[[national]]`` entry names (beside the mapped table, where the layout finds it)."""
    return layout.file(_below(layout, mapping.parent / figure.table))


def national_tables(layout: RawLayout, mapping: Path) -> list[Path]:
    """Every national table the mapping names (none where it cannot be read: the build reports that)."""
    try:
        return [national_table(layout, mapping, f) for f in load_spec(mapping).national]
    except InputError:
        return []


def uninstalled_table(layout: RawLayout, mapping: Path) -> tuple[str, str] | None:
    """(table, source id) when the mapping's table is registered as published by others and was found nowhere."""
    for suffix in TABLE_SUFFIXES:
        table = _below(layout, mapping.with_suffix(suffix))
        source = layout.uninstalled(table)
        if source is not None:
            return table, source.id
    return None


def _below(layout: RawLayout, path: Path) -> str:
    return path.relative_to(layout.root).as_posix()


def import_published(layout: RawLayout, catalogue: Catalogue, resolver: ProvinceResolver, report: Report) -> Imported:
    """Import every mapped table; problems go to ``report``; precedence between tables is applied."""
    out = Imported()
    specs: dict[str, ImportSpec] = {}
    for mapping in mapping_files(layout):
        table = table_of(layout, mapping)
        name = layout.display(table) if table else layout.display(mapping)
        missing = uninstalled_table(layout, mapping) if table is None else None
        if missing is not None:
            try:
                spec = load_spec(mapping)
            except InputError as exc:
                report.extend(exc.problems)
                continue
            indicators = sorted({c.indicator for c in spec.columns.values()})
            out.uninstalled[missing[0]] = Uninstalled(missing[1], indicators, spec.primary, spec.source_title)
            continue
        if table is None:
            report.add(
                name,
                None,
                None,
                "the mapping file has no table beside it, or several",
                f"keep exactly one table next to it, named {mapping.stem}.csv (or .xlsx)",
            )
            continue
        try:
            spec = load_spec(mapping)
            result: ImportResult = import_table(read_grid(table), spec, resolver, catalogue, name)
        except TableError as exc:
            report.add(name, None, None, exc.message, exc.fix)
            continue
        except InputError as exc:
            report.extend(exc.problems)
            continue
        specs[name] = spec
        out.national += [NationalCheck(name, national_table(layout, mapping, f), f) for f in spec.national]
        out.rows[name] = result.numbered
        out.totals += result.totals
        out.notes += [f"{name}: {n}" for n in result.notes]
        out.missing[name] = sum(result.missing.values())
    absent = {indicator for u in out.uninstalled.values() for indicator in u.primary}
    _apply_precedence(out.rows, specs, report, absent)
    return out


def _apply_precedence(rows: dict[str, list[CsvRow]], specs: dict[str, ImportSpec], report: Report, absent: set[str]) -> None:
    """``absent``: indicators whose primary table is not installed (their ``fallback`` table is then preferred)."""
    primary: dict[str, str] = {}
    for kind in ("primary", "fallback"):
        declared: dict[str, str] = {}
        for name, spec in sorted(specs.items()):
            for indicator in getattr(spec, kind):
                if indicator in declared:
                    report.add(
                        name, None, kind, f"{indicator} is declared {kind} here and in {declared[indicator]}", f"declare one {kind} table"
                    )
                declared.setdefault(indicator, name)
        if kind == "primary":
            primary = declared
        else:
            primary.update({i: n for i, n in declared.items() if i in absent and i not in primary})
    by_key: dict[tuple, list[tuple[str, int, dict[str, str]]]] = defaultdict(list)
    for name in sorted(rows):
        for number, record in rows[name]:
            by_key[tuple(record[c] for c in _KEY)].append((name, number, record))
    for key, entries in by_key.items():
        if len({name for name, _, _ in entries}) > 1:
            _choose(key, entries, primary.get(key[2]), specs, report)


def _value(entry: tuple[str, int, dict[str, str]]) -> tuple[Decimal, str]:
    return Decimal(entry[2]["value"]), entry[2]["value_flag"]


def _choose(key: tuple, entries: list[tuple[str, int, dict[str, str]]], primary: str | None, specs: dict, report: Report) -> None:
    """Keep one row preferred for ``key``; say why on the others, or report the disagreement."""
    chosen = next((e for e in entries if e[0] == primary), None)
    if chosen is None:
        first = entries[0]
        differing = [e for e in entries if _value(e) != _value(first)]
        if differing:
            (a_name, a_row, a), (b_name, b_row, b) = first, differing[0]
            report.add(
                b_name,
                b_row,
                key[2],
                f"{key[2]} {key[3]} of {a['province_name_vi']}: this table gives {b['value']} {b['unit']}, "
                f"{a_name} row {a_row} gives {a['value']} {a['unit']}",
                f'declare which table is the primary source for {key[2]} (primary = ["{key[2]}"] in its mapping)',
            )
            return
        chosen = first
    title = specs[chosen[0]].source_title
    for entry in entries:
        record = entry[2]
        if record is chosen[2]:
            continue
        record["preferred"] = "no"
        if _value(entry) == _value(chosen):
            record["note"] += f". Not preferred: the same value is in {title}"
        elif key[2] in specs[chosen[0]].fallback and key[2] not in specs[chosen[0]].primary:
            record["note"] += (
                f". Not preferred: {title} gives {chosen[2]['value']} {chosen[2]['unit']} and is the source preferred for {key[2]} "
                "while the primary one is not installed"
            )
        else:
            record["note"] += (
                f". Not preferred: {title} gives {chosen[2]['value']} {chosen[2]['unit']} and is the declared primary source for {key[2]}"
            )
