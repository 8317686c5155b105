"""What a submission would change in a build, and what a publication changed: each value before and after.

A :class:`Change` is one preferred value (key: boundary, code, indicator, year, period) with its value before and
after. :func:`submitted` compares a submission's values with a build's (the review), :func:`between` two builds
(what a publish or a restore changed beyond the submitted values: the 2025 units derived from the 63, a restore's
whole difference). A :class:`Record` is what a publication stores when it is published; pages show it as stored,
never recomputed against a later build. No Flask here.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass, field

import pandas as pd

from webmap.read.store import Store

STATUSES = ("new", "changed", "unchanged", "removed")


@dataclass(frozen=True)
class Change:
    """One value: ``old`` (None: the build had none) and ``new`` (None: the new build has none, status ``removed``)."""

    boundary: str
    code: str
    indicator: str
    year: int
    period: str
    old: float | None
    new: float | None
    status: str  # new, changed, unchanged, removed


def _value(v: object) -> float | None:
    return None if v is None or pd.isna(v) else float(v)  # type: ignore[call-overload, arg-type]


def _same(old: float, new: float) -> bool:
    return abs(old - new) <= 1e-9 * max(1.0, abs(old))


def _status(old: float | None, new: float | None) -> str:
    if new is None:
        return "unchanged" if old is None else "removed"
    return "new" if old is None else "unchanged" if _same(old, new) else "changed"


def _ordered(found: list[Change]) -> list[Change]:
    return sorted(found, key=lambda c: (c.indicator, c.boundary, c.year, c.code, c.period))


def submitted(published: pd.Series, values: pd.DataFrame) -> list[Change]:
    """Each preferred value of ``values`` (the checked tidy rows of a submission: boundary, code, indicator, year,
    period, value, preferred) against ``published`` (:func:`webmap.read.values.preferred_series` of a build)."""
    own = values[values["preferred"]]
    if own.empty:
        return []
    years = own["year"].astype(int)
    keys = pd.MultiIndex.from_arrays([own["boundary"], own["code"], own["indicator"], years, own["period"]])
    olds = published.reindex(keys).tolist()  # one lookup for every value (a key at a time took 20 µs)
    out = []
    for b, c, i, y, p, old, new in zip(own["boundary"], own["code"], own["indicator"], years, own["period"], olds, own["value"].tolist()):
        before, after = _value(old), float(new)
        out.append(Change(b, c, i, int(y), p, before, after, _status(before, after)))
    return _ordered(out)


def between(old: pd.Series, new: pd.Series, leave: set[tuple] | frozenset = frozenset()) -> list[Change]:
    """Every key whose preferred value differs from build ``old`` to build ``new`` (new, changed or removed; a value
    missing in both is no change), but the keys in ``leave``."""
    both = pd.concat([old.rename("old"), new.rename("new")], axis=1)
    missing_old, missing_new = both["old"].isna(), both["new"].isna()
    scale = both["old"].abs().clip(lower=1.0)
    differs = (missing_old != missing_new) | (~missing_old & ~missing_new & ((both["old"] - both["new"]).abs() > 1e-9 * scale))
    out = []
    for key, row in both[differs].iterrows():
        if key in leave:
            continue
        b, c, i, y, p = key
        before, after = _value(row["old"]), _value(row["new"])
        out.append(Change(str(b), str(c), str(i), int(y), str(p), before, after, _status(before, after)))
    return _ordered(out)


def count(found: list[Change]) -> dict[str, int]:
    """How many of ``found`` are new, changed, unchanged and removed."""
    return {k: sum(c.status == k for c in found) for k in STATUSES}


def coverage(store: Store, found: list[Change]) -> list[dict]:
    """Per indicator, boundary set and year submitted: units with a value in ``store`` before and after."""
    rows = []
    for (indicator, boundary, year), group in pd.DataFrame([c.__dict__ for c in found]).groupby(["indicator", "boundary", "year"]):
        known = boundary in store.geography.units
        before = int(store.values.snapshot(indicator, boundary, int(year))["value"].notna().sum()) if known else 0
        added = int((group["status"] == "new").sum())
        total = len(store.geography.units[boundary]) if known else None
        rows.append(
            {"indicator": indicator, "boundary": boundary, "year": int(year), "before": before, "after": before + added, "total": total}
        )
    return rows


@dataclass
class Record:
    """What a publication changed, stored when it is published: ``submitted``, the published submission's own values
    (none for a programme edit or a restore); ``other``, every other value of the build that changed (values derived
    from the submitted ones, or all that a restore changed)."""

    submitted: list[Change] = field(default_factory=list)
    other: list[Change] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        return {"submitted": count(self.submitted), "other": count(self.other)}

    def to_json(self) -> str:
        return json.dumps({"submitted": [astuple(c) for c in self.submitted], "other": [astuple(c) for c in self.other]})

    @classmethod
    def from_json(cls, text: str) -> Record | None:
        """The record stored as ``text``; None for a publication recorded before records were kept ("")."""
        if not text:
            return None
        data = json.loads(text)
        return cls([Change(*row) for row in data["submitted"]], [Change(*row) for row in data["other"]])


def record(old: pd.Series, new: pd.Series, values: pd.DataFrame | None = None) -> Record:
    """The record of a publication that made build ``new`` (its preferred values) current in place of ``old``:
    the submitted ``values`` against ``old``, and every other key that changed."""
    own = submitted(old, values) if values is not None and len(values) else []
    return Record(own, between(old, new, leave={(c.boundary, c.code, c.indicator, c.year, c.period) for c in own}))
