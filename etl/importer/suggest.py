"""A first mapping for a table that is not tidy, from the table's own words and the catalogue.

The importer's rules read the layout (titles, headers) and each column's label (the year, the
preliminary mark and the unit it prints); what is left of a label ("Area", "Số điểm ngập") is matched
to the catalogue's Vietnamese and English labels. The result is the TOML of ``urbanmap import --map``,
for the person submitting to check: columns that match nothing are written as comments, and a year
the table does not name is asked for. Nothing here is final; the importer checks the mapping.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable

from etl.catalogue import Catalogue
from etl.importer.labels import read_label, year_in_title
from etl.importer.layout import is_number, read_layout
from etl.importer.tables import Grid
from etl.messages import Message
from etl.names import ProvinceResolver, fold

MIN_SIMILARITY = 0.6


def similarity(text: str, label: str) -> float:
    """0..1: mostly the share of ``text``'s words found in ``label`` (accents and case folded), partly how alike
    the two are as strings ("Số điểm ngập úng" ~ "Điểm ngập úng thường xuyên": 0.7)."""
    wanted, other = fold(text), fold(label)
    words = set(wanted.split())
    if not words:
        return 0.0
    shared = len(words & set(other.split())) / len(words)
    return 0.7 * shared + 0.3 * difflib.SequenceMatcher(None, wanted, other).ratio()


def best_indicator(text: str, catalogue: Catalogue) -> str | None:
    """The catalogue indicator whose label (vi or en) or id is most like ``text``, when alike enough."""
    best, score = None, 0.0
    for indicator in catalogue.indicators.values():
        for label in (indicator.label_vi, indicator.label_en, indicator.id.replace("_", " ")):
            alike = similarity(text, label)
            if alike > score:
                best, score = indicator.id, alike
    return best if score >= MIN_SIMILARITY else None


def suggest_mapping(grid: Grid, catalogue: Catalogue, resolver: ProvinceResolver, tell: Callable[[Message], str] = str) -> str:
    """TOML text of a mapping for ``grid`` (see module docstring), its comments written by ``tell`` (English by
    default; the intake pages tell them in the page's language)."""

    def note(message: Message) -> str:  # a comment stays on its line whatever the translation holds
        return " ".join(tell(message).split())

    layout = read_layout(grid, names_a_unit=lambda text: resolver.knows(text))
    data = grid.rows[layout.data_start :]
    numeric = [j for j in range(1, len(layout.labels)) if any(is_number(row[j]) for row in data)]
    infos = {j: read_label(layout.label(j), catalogue.unit_labels) for j in numeric}
    lines = ["# " + note(Message("Suggested from the table and the catalogue: check every line before submitting."))]
    years = {info.year for info in infos.values() if info.year}
    title_year = next((y for y in map(year_in_title, layout.title) if y), None)
    if not years:
        lines.append(f"year = {title_year}" if title_year else "year = 0  # " + note(Message("the table names no year: write it here")))
    sets = note(Message("2008: the 63 provinces; 2025: the 34 units"))
    lines.append(f'boundary = "{"2008" if len(data) > 40 else "2025"}"  # {sets}')
    lines.append("")
    lines.append("[columns]")
    seen: set[str] = set()
    for j in numeric:
        text = infos[j].text or layout.label(j)
        if text in seen:
            continue
        seen.add(text)
        indicator = best_indicator(text, catalogue)
        if indicator is None:
            unmatched = note(Message("no catalogue indicator is alike"))
            lines.append(f'# {json.dumps(text, ensure_ascii=False)} = {{ indicator = "?" }}  # {unmatched}')
            continue
        unit = "" if infos[j].unit else f", unit = {json.dumps(catalogue.indicators[indicator].unit, ensure_ascii=False)}"
        lines.append(f'{json.dumps(text, ensure_ascii=False)} = {{ indicator = "{indicator}"{unit} }}')
    return "\n".join(lines) + "\n"
