"""What a table's own words say: the year, a preliminary mark and the unit in a title, header or row label.

Statistics offices print the year of a column in its header ("2011 Area (Km2)",
"Total 1995", "Prel. 2016", "2016 (*)"), of a row in its label ("Sơ bộ - Prel.
2023") or of the whole table in its title ("năm 2011", "As of 31 December
2015"); and the unit in parentheses ("(Km2)", "(Nghìn người)", "(Thous. pers.)")
or as a bilingual label ("Người/km2 - Person/km2"). :func:`read_label` splits a
label into those parts; the printed unit is looked up in a table of spellings
(``catalogue/unit_labels.csv``) so that ``urbanmap import`` converts it to the
catalogue unit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from etl.names import fold

_PRELIMINARY = r"(?:prel\.?|pre\.?|preliminary|s[ơo]\s*b[ộo])"
_YEAR = re.compile(
    rf"(?P<prel>{_PRELIMINARY}\s*[-–:]?\s*(?:{_PRELIMINARY}\s*)?)?(?<![\d/.,])(?P<year>(?:19|20)\d{{2}})(?![\d.,]\d)(?P<foot>\s*\(\*+\)|\*+)?",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]((?:19|20)\d{2})\b")  # 31/12/2015: the year of a date
_PARENS = re.compile(r"\(([^()]*)\)")
_FOOTNOTE = re.compile(r"\(\*+\)|\*+")
_SPACE = re.compile(r"\s+")
_R_PREFIX = re.compile(r"(?<![^\W\d_])X(?=(?:19|20)\d{2}(?!\d))")  # R's make.names: "X2008" for a header "2008"


def clean_text(text: object) -> str:
    """A cell as one line: NFC, line breaks and runs of space collapsed (multi-line headers)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def _undate(text: str) -> str:
    """Dates ("31/12/2015") reduced to their year, so that the year is read like any other."""
    return _DATE.sub(r" \1", text)


def unit_key(text: str) -> str:
    """Lookup key of a printed unit: compatibility form (km² -> km2), folded, without spaces and final dots."""
    compat = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", fold(compat)).rstrip(".")


@dataclass(frozen=True)
class LabelInfo:
    """A label split into what it names (``text``) and what it says about year and unit."""

    text: str
    year: int | None = None
    preliminary: bool = False
    unit: str | None = None
    printed_unit: str | None = None
    years_named: int = 0


def find_unit(text: str, units: Mapping[str, str]) -> tuple[str, str] | None:
    """(catalogue unit, printed form) of the unit ``text`` prints in parentheses or as a whole, or None."""
    candidates = [m.group(1) for m in _PARENS.finditer(text)] + [text]
    for candidate in candidates:
        for part in [candidate, *re.split(r"\s+[-–]\s+", candidate)]:
            unit = units.get(unit_key(part))
            if unit is not None:
                return unit, part.strip()
    return None


def read_label(label: str, units: Mapping[str, str]) -> LabelInfo:
    """Split a header, title or row label into text, year, preliminary mark and unit.

    A label naming two different years ("1995-2016") has no year (``years_named`` says 2). A year written as R
    writes a header that starts with a digit ("X2008", "Total X2016") is read as the year.
    """
    text = _R_PREFIX.sub("", _undate(clean_text(label)))
    matches = list(_YEAR.finditer(text))
    named = {int(m.group("year")) for m in matches}
    year = next(iter(named)) if len(named) == 1 else None
    preliminary = year is not None and any(m.group("prel") for m in matches)
    rest = _YEAR.sub(" ", text) if year is not None else text
    found = find_unit(rest, units)
    unit, printed = found if found else (None, None)
    if printed and printed != rest.strip():
        rest = rest.replace(f"({printed})", " ")
    elif printed:
        rest = ""
    rest = _FOOTNOTE.sub(" ", rest)
    return LabelInfo(_SPACE.sub(" ", rest).strip(" -–:,"), year, preliminary, unit, printed, len(named))


def year_in_title(title: str) -> int | None:
    """The one year a title names ("... năm 2011", "As of 31 December 2015"), or None (none, or several)."""
    years = {int(m.group("year")) for m in _YEAR.finditer(_undate(clean_text(title)))}
    return years.pop() if len(years) == 1 else None


_TITLE_DIMENSIONS = re.compile(r"\s+by\s+(?:province|provinces|cities|tỉnh|địa phương)\b", re.IGNORECASE)


def title_item(title: str) -> str:
    """What a table's title counts, without its footnote marks and the dimensions it is broken down by: the item of
    a table whose columns are years only ("Number of passengers carried by the road by province(*) by Cities,
    provincies and Year" -> "Number of passengers carried by the road"); "" for no title."""
    text = _FOOTNOTE.sub(" ", clean_text(title))
    return _SPACE.sub(" ", _TITLE_DIMENSIONS.split(text, maxsplit=1)[0]).strip(" -–:,")
