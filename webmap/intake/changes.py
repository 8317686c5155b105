"""What a submission would change in a build, and what a publication changed: each value before and after.

A change is one preferred value (key: boundary, code, indicator, year, period) with its value before and after and
its status; changes are kept as frames of :data:`COLUMNS` (a submission may change 150,000 values), and those a
page lists as :class:`Change` values (:func:`listed`). :func:`submitted` compares a submission's values with a build's (the review), :func:`between` two builds
(what a publish or a restore changed beyond the submitted values: the 2025 units derived from the 63, a restore's
whole difference). A :class:`Record` is what a publication stores when it is published; pages show it as stored,
never recomputed against a later build. No Flask here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

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


COLUMNS = ["boundary", "code", "indicator", "year", "period", "old", "new", "status"]
KEY = COLUMNS[:5]
_ORDER = ["indicator", "boundary", "year", "code", "period"]


def _frame(keys: pd.DataFrame, old: pd.Series, new: pd.Series) -> pd.DataFrame:
    """Changes (:data:`COLUMNS`, in review order) of the ``keys`` (boundary, code, indicator, year, period) from
    values ``old`` to ``new`` (NaN: none), their status computed for all at once."""
    old, new = old.astype("float64").reset_index(drop=True), new.astype("float64").reset_index(drop=True)
    frame = keys.reset_index(drop=True).astype({"boundary": str, "code": str, "indicator": str, "period": str})
    frame["year"] = frame["year"].astype("int64")
    frame["old"], frame["new"] = old, new
    same = (old - new).abs() <= 1e-9 * old.abs().clip(lower=1.0)
    status = pd.Series("changed", index=frame.index, dtype=object)
    status[old.notna() & new.notna() & same] = "unchanged"
    status[old.isna()] = "new"
    status[new.isna()] = "removed"
    status[old.isna() & new.isna()] = "unchanged"
    frame["status"] = status
    return frame.sort_values(_ORDER, kind="stable").reset_index(drop=True)


def empty() -> pd.DataFrame:
    """No changes (:data:`COLUMNS`)."""
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("old", "new") else object) for c in COLUMNS})


def submitted(published: pd.Series, values: pd.DataFrame) -> pd.DataFrame:
    """Each preferred value of ``values`` (the checked tidy rows of a submission: boundary, code, indicator, year,
    period, value, preferred) against ``published`` (:func:`webmap.read.values.preferred_series` of a build): a
    frame of :data:`COLUMNS`, in review order (150,000 values in a fraction of a second)."""
    own = values[values["preferred"]]
    if own.empty:
        return empty()
    keys = own[["boundary", "code", "indicator", "year", "period"]].astype({"year": "int64"})
    olds = published.reindex(pd.MultiIndex.from_frame(keys)).to_numpy()  # one lookup for every value
    return _frame(keys, pd.Series(olds), own["value"])


def between(old: pd.Series, new: pd.Series, leave: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every key whose preferred value differs from build ``old`` to build ``new`` (new, changed or removed; a value
    missing in both is no change), but the keys of the changes ``leave``: a frame of :data:`COLUMNS`."""
    both = pd.concat([old.rename("old"), new.rename("new")], axis=1)
    if leave is not None and len(leave):
        both = both[~both.index.isin(pd.MultiIndex.from_frame(leave[KEY]))]
    missing_old, missing_new = both["old"].isna(), both["new"].isna()
    scale = both["old"].abs().clip(lower=1.0)
    differs = (missing_old != missing_new) | (~missing_old & ~missing_new & ((both["old"] - both["new"]).abs() > 1e-9 * scale))
    found = both[differs]
    if found.empty:
        return empty()
    keys = found.index.to_frame(index=False, name=KEY)
    return _frame(keys, found["old"], found["new"])


def listed(found: pd.DataFrame, n: int | None = None) -> list[Change]:
    """The first ``n`` (all: None) changes of ``found`` as :class:`Change` values, for a page to list."""
    rows = found if n is None else found.head(n)
    return [
        Change(b, c, i, int(y), p, None if pd.isna(o) else float(o), None if pd.isna(w) else float(w), st)
        for b, c, i, y, p, o, w, st in rows[COLUMNS].itertuples(index=False, name=None)
    ]


def count(found: pd.DataFrame) -> dict[str, int]:
    """How many of ``found`` are new, changed, unchanged and removed."""
    counts = found["status"].value_counts()
    return {k: int(counts.get(k, 0)) for k in STATUSES}


def coverage(store: Store, found: pd.DataFrame) -> list[dict]:
    """Per indicator, boundary set and year submitted: units with a value in ``store`` before and after."""
    rows = []
    for (indicator, boundary, year), group in found.groupby(["indicator", "boundary", "year"]):
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
    from the submitted ones, or all that a restore changed). Both are frames of :data:`COLUMNS`."""

    submitted: pd.DataFrame = field(default_factory=empty)
    other: pd.DataFrame = field(default_factory=empty)

    def counts(self) -> dict[str, dict[str, int]]:
        return {"submitted": count(self.submitted), "other": count(self.other)}

    def to_json(self) -> str:
        """Column by column (a list per column: 150,000 values are read back in a tenth of the time of rows)."""
        return json.dumps({"columns": COLUMNS, "submitted": _columns(self.submitted), "other": _columns(self.other)})

    @classmethod
    def from_json(cls, text: str) -> Record | None:
        """The record stored as ``text`` (by columns, or row by row as schema 0005 first stored it); None for a
        publication recorded before records were kept ("")."""
        if not text:
            return None
        data = json.loads(text)
        return cls(_read(data["submitted"]), _read(data["other"]))


def _columns(found: pd.DataFrame) -> dict[str, list]:
    return {c: [None if pd.isna(v) else v for v in found[c].tolist()] if c in ("old", "new") else found[c].tolist() for c in COLUMNS}


def _read(stored: dict | list) -> pd.DataFrame:
    frame = pd.DataFrame(stored, columns=COLUMNS) if isinstance(stored, list) else pd.DataFrame(stored)[COLUMNS]
    if frame.empty:
        return empty()
    return frame.astype({"year": "int64", "old": "float64", "new": "float64"})


def record(old: pd.Series, new: pd.Series, values: pd.DataFrame | None = None) -> Record:
    """The record of a publication that made build ``new`` (its preferred values) current in place of ``old``:
    the submitted ``values`` against ``old``, and every other key that changed."""
    own = submitted(old, values) if values is not None and len(values) else empty()
    return Record(own, between(old, new, leave=own))
