"""Numbers as published: "1.234,5", "9.521.886", "> 2.287", "<920", "gần 2.900", "376,6[85]".

:func:`parse_number` turns one printed cell into a :class:`Number` (exact
decimal value and a flag: lower_bound, upper_bound, approx or none), given
the decimal mark; :func:`infer_decimal_mark` decides the mark of a whole table
from the cells that settle it ("1.234.567" has dot thousands; "376,6" a
decimal comma). A cell that is blank or a dash means "no value" (None).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from etl.messages import Message

_FOOTNOTES = re.compile(r"\[[^\]]*\]|\((?:\*+|\d{1,2}|[a-z])\)|[*†‡¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_TRAILING_NOTE = re.compile(r"\s*\(.*\)\s*$")
_BOUNDS = (
    (("≥", ">=", ">", "hơn", "trên", "vượt", "more than", "over", "at least", "tối thiểu", "ít nhất"), "lower_bound"),
    (("≤", "<=", "<", "dưới", "less than", "under", "up to", "tối đa"), "upper_bound"),
    (("~", "≈", "khoảng", "gần", "xấp xỉ", "about", "around", "approx.", "approximately", "nearly", "ca."), "approx"),
)
MISSING_MARKS = frozenset({"", "-", "–", "—", "..", "...", "…"})
_DIGITS = re.compile(r"^[+-]?[0-9.,\s\u00a0\u202f']+$")
_WHOLE = re.compile(r"[0-9]+")


class NumberError(ValueError):
    """A cell that is not a number in any published form."""


@dataclass(frozen=True)
class Number:
    value: Decimal
    flag: str = ""
    percent: bool = False


def _strip_qualifier(text: str) -> tuple[str, str]:
    lowered = text.lower()
    for words, flag in _BOUNDS:
        for word in sorted(words, key=len, reverse=True):
            if lowered.startswith(word):
                return text[len(word) :].strip(), flag
    return text, ""


def clean(text: str) -> str:
    """The cell without footnote marks, a trailing parenthetical note, and surrounding space."""
    text = _FOOTNOTES.sub("", text.replace("\u00a0", " ")).strip()
    return _TRAILING_NOTE.sub("", text).strip()


def parse_number(text: str | Decimal | int | float, decimal: str = ".") -> Number | None:
    """Parse one printed number; ``decimal`` is "." or ",". Returns None for a blank/dash cell.

    Raises :class:`NumberError` for anything else that is not a number.
    """
    if isinstance(text, Decimal | int | float):
        number = Decimal(str(text))
        if not number.is_finite():
            raise NumberError(Message('"{text}" is not a finite number', text=str(text)))
        return Number(number)
    if text.replace("\u00a0", " ").strip() in MISSING_MARKS:
        return None
    body = clean(text)
    if not body:
        raise NumberError(Message('"{text}" is a note mark, not a number', text=text))
    body, flag = _strip_qualifier(body)
    percent = body.endswith("%")
    body = body.rstrip("%").strip()
    if not _DIGITS.match(body):
        raise NumberError(Message('"{text}" is not a number', text=text))
    body = re.sub(r"[\s\u00a0\u202f']", "", body)
    thousands = "," if decimal == "." else "."
    if not _grouping_ok(body, thousands, decimal):
        raise NumberError(Message('"{text}" is not a number with "{decimal}" as decimal mark', text=text, decimal=decimal))
    normalised = body.replace(thousands, "").replace(decimal, ".")
    try:
        return Number(Decimal(normalised), flag, percent)
    except InvalidOperation as exc:
        raise NumberError(Message('"{text}" is not a number', text=text)) from exc


def _grouping_ok(body: str, thousands: str, decimal: str) -> bool:
    """Thousands groups have 3 digits; at most one decimal mark, after the groups."""
    integer, _, fraction = body.partition(decimal)
    if decimal in fraction or thousands in fraction:
        return False
    groups = integer.lstrip("+-").split(thousands)
    if len(groups) > 1 and (not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        return False
    return all(_WHOLE.fullmatch(g) for g in groups) and (fraction == "" or bool(_WHOLE.fullmatch(fraction))) and bool(integer.lstrip("+-"))


def parse_whole(text: str, max_digits: int) -> int | None:
    """A whole number 0 or more written with ASCII digits only ("²", "٣", "+1", " 1", "1e3" are not), at most
    ``max_digits`` long; None otherwise. For parameters: never a huge int() and never a Unicode digit."""
    if len(text) > max_digits or not _WHOLE.fullmatch(text):
        return None
    return int(text)


def infer_decimal_mark(cells: Iterable[str]) -> str | None:
    """ "," or "." from the cells that settle it, or None if none does (or they disagree)."""
    votes = set()
    for cell in cells:
        body = re.sub(r"[\s\u00a0]", "", _strip_qualifier(clean(cell))[0].rstrip("%"))
        if not _DIGITS.match(body or "x"):
            continue
        dots, commas = body.count("."), body.count(",")
        if dots and commas:
            votes.add("," if body.rfind(",") > body.rfind(".") else ".")
        elif dots > 1 or (dots == 1 and not re.search(r"\.\d{3}$", body)):
            votes.add("," if dots > 1 else ".")
        elif commas > 1 or (commas == 1 and not re.search(r",\d{3}$", body)):
            votes.add("." if commas > 1 else ",")
    return votes.pop() if len(votes) == 1 else None
