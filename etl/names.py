"""Province names in any spelling -> (boundary set, code).

One resolver serves every input that names provinces instead of giving codes.
It ignores Unicode form (NFC/NFD), case, diacritics, the prefixes "Tỉnh",
"Thành phố", "TP." and the suffixes "Province"/"City", dashes and spacing, and
knows the aliases in ``geodata/raw/names/province_aliases.csv`` (English forms,
abbreviations such as "HCMC" or "BR-VT", ISO 3166-2 codes such as "VN-44").

A name can mean different areas before and after the merger of 2025-07-01
("Hải Phòng" is code 31 in both sets, but the 2025 unit also holds Hải Dương).
The caller declares the boundary set, or gives the year of the value; a name
that stays ambiguous raises :class:`UnresolvedName` -- the resolver never
guesses. Rows such as "Cả nước" or a region subtotal resolve to
:class:`Aggregate`, which importers skip with a note (and use to check sums); a
province that no longer exists in either set (Hà Tây, merged into Hà Nội on
2008-08-01) resolves to :class:`Former`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from etl.messages import Message

BOUNDARIES = ("2008", "2025")
MERGER_YEAR = 2025  # the merger took effect on 2025-07-01, within this year

_PREFIXES = (("thanh", "pho"), ("tinh",), ("tp",))
_SUFFIXES = (("province",), ("city",))
_BRACKETS = re.compile(r"[\[(][^\])]*[\])]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_CODE = re.compile(r"^\d{1,2}$")


def fold(text: str) -> str:
    """Lower-case ASCII form of ``text``: no diacritics, đ -> d, any Unicode form."""
    decomposed = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Vietnamese alphabetical order (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y; f j w z after their
# Latin neighbours), then tones: none, huyền, hỏi, ngã, sắc, nặng.
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_MODIFIED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key in Vietnamese alphabetical order: letters first (Cà Mau < Cao Bằng < Cần Thơ; every Đ after every D),
    tones only between otherwise equal texts. A space sorts before every letter (word by word); other characters
    outside the alphabet after it, by code point."""
    letters: list[int] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in _TONES:
            tones[-1:] = [_TONES[char]] if tones else []
        elif unicodedata.combining(char) and letters and (_LETTERS[letters[-1]] if letters[-1] < len(_LETTERS) else "", char) in _MODIFIED:
            letters[-1] = _LETTERS.index(_MODIFIED[(_LETTERS[letters[-1]], char)])
        elif not unicodedata.combining(char):
            letters.append(_LETTERS.index(char) if char in _LETTERS else -1 if char.isspace() else len(_LETTERS) + ord(char))
            tones.append(0)
    return tuple(letters), tuple(tones)


_LANGUAGES = re.compile(r"\s+[-–—]\s+|\s*/\s*")  # between the Vietnamese and the English of a bilingual label


def normalise(text: str) -> str:
    """The lookup key of a province name: folded, without prefixes, spaces or dashes.

    >>> normalise("Tỉnh Bà Rịa–Vũng Tàu") == normalise("ba ria - vung tau")
    True
    """
    folded = _BRACKETS.sub(" ", fold(text))
    tokens = _NON_ALNUM.sub(" ", folded).split()
    for prefix in _PREFIXES:
        if tuple(tokens[: len(prefix)]) == prefix and len(tokens) > len(prefix):
            tokens = tokens[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if tuple(tokens[-len(suffix) :]) == suffix and len(tokens) > len(suffix):
            tokens = tokens[: -len(suffix)]
            break
    return "".join(tokens)


@dataclass(frozen=True)
class UnitName:
    """A unit of one boundary set as the resolver knows it."""

    boundary: str
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Match:
    """A name resolved to one unit."""

    boundary: str
    code: str
    name_vi: str


@dataclass(frozen=True)
class Aggregate:
    """A row label that is not a province: the whole country, a region, a total."""

    kind: str
    label: str


@dataclass(frozen=True)
class Former:
    """A province of before 2008 (Hà Tây): in no boundary set; its figures stop with ``last_year``."""

    label: str
    last_year: int
    successor: str


class UnresolvedName(ValueError):
    """A name that matches no unit, or more than one; says how to fix it."""

    def __init__(self, message: Message, fix: Message) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


def boundary_for_year(year: int | None) -> str | None:
    """The boundary set a value of ``year`` belongs to, or None if the year does not settle it."""
    if year is None or year == MERGER_YEAR:
        return None
    return "2008" if year < MERGER_YEAR else "2025"


class ProvinceResolver:
    """Resolves province names to codes of the 2008 (63) or 2025 (34) boundary set."""

    def __init__(
        self,
        units: Iterable[UnitName],
        aliases: Iterable[tuple[str, str, str]] = (),
        aggregates: Iterable[tuple[str, str]] = (),
        unchanged: Iterable[str] = (),
        former: Iterable[Former] = (),
        subunits: Iterable[UnitName] = (),
    ) -> None:
        """Index names.

        ``aliases`` are (boundary, code, alias); ``aggregates`` (label, kind);
        ``subunits`` the units of ward-level sets (see :meth:`subunit_matches`); ``unchanged`` the codes whose territory is the same in both sets (the
        11 provinces that were not merged), so that a bare name of one of them
        is not ambiguous: it resolves to the 2008 code, which the build carries
        over to the 2025 unit.
        """
        self.units = {(u.boundary, u.code): u for u in units}
        # units of ward-level sets: known by code (a tidy row names its ward by code), not resolved by name
        self.subunits = {(u.boundary, u.code): u for u in subunits}
        self.subunit_sets = frozenset(u.boundary for u in self.subunits.values())
        self.unchanged = frozenset(unchanged)
        self._index: dict[str, set[tuple[str, str]]] = {}
        for unit in self.units.values():
            for name in (unit.name_vi, unit.name_en):
                self._add(name, unit.boundary, unit.code)
        self.aliases = list(aliases)  # (boundary, code, alias): kept for the store (the site search knows them too)
        for boundary, code, alias in self.aliases:
            if (boundary, code) not in self.units:
                raise ValueError(f"alias {alias!r} names unknown unit {boundary}/{code}")
            self._add(alias, boundary, code)
        self._aggregates = {normalise(label): Aggregate(kind, label) for label, kind in aggregates}
        self._former = {normalise(f.label): f for f in former}

    def _add(self, name: str, boundary: str, code: str) -> None:
        key = normalise(name)
        if key:
            self._index.setdefault(key, set()).add((boundary, code))

    def subunit_matches(self, boundary: str, code: str, name: str) -> bool:
        """Whether ``name`` names ward-level unit ``code``: its short name, or any full form ending with it
        ("Phường Cái Khế", "Cai Khe Ward"), with or without diacritics."""
        unit = self.subunits[(boundary, code)]
        given = fold(name)
        return any(
            given == fold(n) or given.endswith(" " + fold(n)) or given.startswith(fold(n) + " ") for n in (unit.name_vi, unit.name_en)
        )

    def knows(self, name: str) -> bool:
        """Whether ``name`` is a unit name, alias, code, aggregate label or former unit of either set (cheap; no suggestion)."""
        key = normalise(name)
        if not key:
            return False
        if _CODE.match(key):
            return any((b, key.zfill(2)) in self.units for b in BOUNDARIES)
        return key in self._index or key in self._aggregates or key in self._former or self._bilingual(name) is not None

    def _bilingual(self, name: str) -> str | None:
        """The key of a label written in two languages ("Đồng bằng sông Hồng - Red River Delta", "Hà Nội - Ha Noi"):
        that of its first part, where each part is known and all name the same aggregate kind or the same unit."""
        parts = [normalise(p) for p in _LANGUAGES.split(name)]
        if len(parts) != 2 or not all(parts):
            return None
        if all(p in self._aggregates for p in parts):
            kinds = {self._aggregates[p].kind for p in parts}
            return parts[0] if len(kinds) == 1 else None
        if all(p in self._index for p in parts) and self._index[parts[0]] == self._index[parts[1]]:
            return parts[0]
        return None

    def resolve(self, name: str, boundary: str | None = None, year: int | None = None) -> Match | Aggregate | Former:
        """Resolve ``name`` (or a 1-2 digit code) in ``boundary``, or in the set ``year`` settles."""
        key = normalise(name)
        if not key:
            raise UnresolvedName(Message("the province name is empty"), Message("fill in the province name or code"))
        if key not in self._aggregates and key not in self._index:
            key = self._bilingual(name) or key
        if key in self._aggregates:
            return self._aggregates[key]
        if key in self._former and key not in self._index:
            return self._former[key]
        if _CODE.match(key):
            return self._resolve_code(key.zfill(2), name, boundary, year)
        candidates = self._index.get(key)
        if not candidates:
            raise UnresolvedName(Message('"{name}" is not a province name known in either boundary set', name=name), self._suggest(key))
        return self._pick(name, candidates, boundary, year)

    def _resolve_code(self, code: str, name: str, boundary: str | None, year: int | None) -> Match:
        candidates = {(b, code) for b in BOUNDARIES if (b, code) in self.units}
        if not candidates:
            raise UnresolvedName(
                Message('"{name}" is not a province code of either boundary set', name=name), Message("use a GSO code such as 01 or 79")
            )
        if boundary is None and boundary_for_year(year) is None and len(candidates) > 1 and code not in self.unchanged:
            raise UnresolvedName(
                Message('code "{name}" means different provinces before and after 2025-07-01', name=name),
                Message("declare the boundary set (2008 or 2025) for this input"),
            )
        return self._pick(name, candidates, boundary, year)

    def _pick(self, name: str, candidates: set[tuple[str, str]], boundary: str | None, year: int | None) -> Match:
        wanted = boundary or boundary_for_year(year)
        if wanted is not None:
            chosen = {c for c in candidates if c[0] == wanted}
            if not chosen:
                raise UnresolvedName(self._absent_message(name, candidates, wanted, boundary is None), self._absent_fix(wanted))
        else:
            chosen = self._undeclared(name, candidates)
        if len(chosen) > 1:
            codes = ", ".join(f"{c} {self.units[(b, c)].name_vi}" for b, c in sorted(chosen))
            raise UnresolvedName(
                Message('"{name}" matches several units of one set ({codes})', name=name, codes=codes),
                Message("give the code instead of the name"),
            )
        ((b, code),) = chosen
        return Match(b, code, self.units[(b, code)].name_vi)

    def _undeclared(self, name: str, candidates: set[tuple[str, str]]) -> set[tuple[str, str]]:
        if len({b for b, _ in candidates}) == 1:
            return candidates
        old = {c for c in candidates if c[0] == "2008"}
        if all(code in self.unchanged for _, code in candidates) and len(old) == 1:
            return old
        described = tuple(self._unit_in_set(b, c) for b, c in sorted(candidates))
        raise UnresolvedName(
            Message(
                '"{name}" names different areas before and after 2025-07-01 ({described}) and the year does not settle it',
                name=name,
                described=described,
            ),
            Message("declare the boundary set (2008 for the 63 provinces, 2025 for the 34 units) or give the year"),
        )

    def _absent_message(self, name: str, candidates: set[tuple[str, str]], wanted: str, by_year: bool) -> Message:
        other = tuple(self._unit_in_set(b, c) for b, c in sorted(candidates))
        if by_year:
            return Message(
                '"{name}" is not a unit of the {wanted} boundary set for that year; it names {other}', name=name, wanted=wanted, other=other
            )
        return Message('"{name}" is not a unit of the {wanted} boundary set; it names {other}', name=name, wanted=wanted, other=other)

    def _unit_in_set(self, boundary: str, code: str) -> Message:
        return Message("set {boundary}: code {code} {name}", boundary=boundary, code=code, name=self.units[(boundary, code)].name_vi)

    @staticmethod
    def _absent_fix(wanted: str) -> Message:
        if wanted == "2025":
            return Message("values for a province that was merged on 2025-07-01 belong to boundary set 2008 and a year before 2025")
        return Message("use the name of a province of 2008-2025, or declare boundary set 2025")

    def _suggest(self, key: str) -> Message:
        close = difflib.get_close_matches(key, list(self._index), n=3, cutoff=0.75)
        names = sorted({self.units[c].name_vi for k in close for c in self._index[k]})
        if len(names) == 1:
            return Message('did you mean "{name}"?', name=names[0])
        if names:
            return Message("did you mean one of {names}?", names=", ".join(f'"{n}"' for n in names))
        return Message("check the spelling, or add the spelling to geodata/raw/names/province_aliases.csv")
