"""Progress of every unit toward the programme's targets: the monitor's method, computed in the build.

For each quantitative target (``program_targets`` with a number and a year) and each indicator that measures it
(a catalogue indicator of role "" whose ``targets`` column names the target's key; ``program/target_links.csv``
says where the indicator only approximates what the target counts), and for each unit of every boundary set with
a yearly series of that indicator (preferred values, no period; the 34 units' series are the aggregates, which
exist for a year only when every member reported):

- **baseline**: the value at the target's baseline year, else the latest before it, else the earliest;
- **latest**: the last value; **observed pace**: the least-squares annual change over the values from the
  baseline on, where there are two or more, else over the whole series (the pace before the target was set):
  ``years_used``, from ``first_year`` (``first_value``);
- **needed pace**: (goal − baseline value) ÷ (target year − baseline year), the goal being the target value, or
  the nearer bound of a range ("khoảng 6–8");
- **r** = observed ÷ needed; **status**: ``achieved`` (the latest meets the target: at or above a minimum, inside
  a range, at or below it where higher is worse), else ``on_track`` (r ≥ 0.95), ``accelerate`` (0.6 ≤ r < 0.95),
  ``slow`` (0 ≤ r < 0.6), ``regressing`` (r < 0), or ``insufficient`` (fewer than two values, or a latest value
  more than :data:`PROGRESS_MAX_AGE` years before the year the target was set); the note says why;
- **reaches_in**: the year the unit reaches the goal at the observed pace (empty when it does not move toward it).

Columns out: :data:`COLUMNS`. Method version :data:`METHOD_VERSION` goes with every status. Open SDG's
``sdg-build`` progress measure (thresholds 0.95 / 0.6 / 0) is the model; it rates one national series, this rates
every unit's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.catalogue import Catalogue

METHOD_VERSION = "1.0"
PROGRESS_MAX_AGE = 10  # years before the year the target was set; older latest values say too little
STATUSES = ("achieved", "on_track", "accelerate", "slow", "regressing", "insufficient")
THRESHOLDS = ((0.95, "on_track"), (0.6, "accelerate"), (0.0, "slow"))
COLUMNS = [
    "target_id",
    "indicator",
    "boundary",
    "code",
    "scope",
    "baseline_value",
    "baseline_year",
    "latest_value",
    "latest_year",
    "first_value",
    "first_year",
    "target_min",
    "target_max",
    "target_year",
    "observed_pace",
    "needed_pace",
    "ratio",
    "status",
    "reaches_in",
    "years_used",
    "flags",
    "preliminary_years",
    "method_version",
    "approximation_vi",
    "approximation_en",
    "note",
]


@dataclass(frozen=True)
class Target:
    """What progress is measured against: the goal's bounds, its year, the year it was set, which way is better."""

    target_min: float
    target_max: float | None
    qualifier: str
    year: int
    baseline_year: int
    higher_is_worse: bool

    def met(self, value: float) -> bool:
        """Whether ``value`` meets the target (a range: inside it; over: strictly above)."""
        if self.target_max is not None:
            return self.target_min <= value <= self.target_max
        if self.higher_is_worse:
            return value <= self.target_min
        return value > self.target_min if self.qualifier == "over" else value >= self.target_min

    def goal(self, value: float) -> float:
        """The value to reach from ``value``: the target, or the nearer bound of a range."""
        if self.target_max is not None and value > self.target_max:
            return self.target_max
        return self.target_min


@dataclass(frozen=True)
class Progress:
    """One unit's progress toward one target (see the module docstring)."""

    status: str
    note: str
    baseline: tuple[int, float] | None = None
    latest: tuple[int, float] | None = None
    observed: float | None = None
    needed: float | None = None
    ratio: float | None = None
    reaches_in: int | None = None
    years_used: tuple[int, ...] = ()


def assess(series: list[tuple[int, float]], target: Target, max_age: int = PROGRESS_MAX_AGE) -> Progress:
    """The progress of one yearly series (``(year, value)``, any order) toward ``target``."""
    series = sorted(series)
    if len(series) < 2:
        return Progress("insufficient", f"{len(series)} value(s): at least two years are needed")
    latest = series[-1]
    if latest[0] < target.baseline_year - max_age:
        return Progress(
            "insufficient",
            f"the latest value is of {latest[0]}, more than {max_age} years before the target was set ({target.baseline_year})",
            latest=latest,
        )
    before = [p for p in series if p[0] <= target.baseline_year]
    baseline = before[-1] if before else series[0]
    since = [p for p in series if p[0] >= baseline[0]]
    used = since if len(since) >= 2 else series
    observed = _slope(used)
    years = tuple(y for y, _ in used)
    if target.met(latest[1]):
        return Progress("achieved", "the latest value meets the target", baseline, latest, observed, None, None, None, years)
    goal = target.goal(baseline[1])
    remaining = target.year - baseline[0]
    needed = (goal - baseline[1]) / remaining if remaining > 0 else None
    if needed is None or needed == 0:
        toward = observed * (target.goal(latest[1]) - latest[1]) > 0
        status = "slow" if toward else "regressing"
        note = f"the target's year ({target.year}) is not after the baseline ({baseline[0]}): no pace can still reach it in time"
        return Progress(status, note, baseline, latest, observed, needed, None, _reaches(latest, observed, target), years)
    ratio = observed / needed
    status = next((s for threshold, s in THRESHOLDS if ratio >= threshold), "regressing")
    return Progress(status, "", baseline, latest, observed, needed, ratio, _reaches(latest, observed, target), years)


def _slope(points: list[tuple[int, float]]) -> float:
    """The least-squares annual change through ``points`` (two or more)."""
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    x -= x.mean()
    return float((x * (y - y.mean())).sum() / (x * x).sum())


def _reaches(latest: tuple[int, float], observed: float, target: Target) -> int | None:
    """The year the goal is reached from ``latest`` at ``observed`` per year (None: not moving toward it)."""
    gap = target.goal(latest[1]) - latest[1]
    if observed == 0 or gap * observed <= 0:
        return None
    return latest[0] + math.ceil(gap / observed - 1e-9)


def progress_table(values: pd.DataFrame, targets: pd.DataFrame, catalogue: Catalogue, approximations: dict) -> pd.DataFrame:
    """Every unit's progress toward every quantitative target (columns :data:`COLUMNS`).

    ``values``: the store's value rows (boundary, code, indicator, year, period, value, value_flag, preferred,
    preliminary); ``targets``: ``program_targets`` (target_id, target_key, target_min, target_max, qualifier, year,
    baseline_year); ``approximations``: (target_key, indicator) -> (note_vi, note_en).
    """
    yearly = values[values["preferred"].astype(bool) & (values["period"] == "")]
    rows_in = yearly[yearly["value"].notna()]
    incomplete = yearly[yearly["value_flag"] == "incomplete"].groupby(["indicator", "boundary", "code"])["year"].apply(sorted).to_dict()
    measures = {key: [i for i in catalogue.indicators.values() if key in i.targets and i.role == ""] for key in set(targets["target_key"])}
    by_series: dict[str, list[tuple[str, str, pd.DataFrame]]] = {}  # indicator -> its series, by set and unit
    for (ind, boundary, code), group in rows_in.groupby(["indicator", "boundary", "code"], sort=True):
        by_series.setdefault(str(ind), []).append((str(boundary), str(code), group))
    out = []
    for t in targets.itertuples():
        if not isinstance(t.target_min, float) or math.isnan(t.target_min) or not str(t.year).isdigit():
            continue
        for indicator in measures.get(t.target_key, []):
            upper = None if t.target_max is None or math.isnan(float(t.target_max)) else float(t.target_max)
            target = Target(
                float(t.target_min),
                None if upper == float(t.target_min) else upper,  # "45": one value to reach, not a range of one
                str(t.qualifier),
                int(t.year),
                int(t.baseline_year) if str(t.baseline_year).isdigit() else int(t.year),
                indicator.higher_is_worse is True,
            )
            note_vi, note_en = approximations.get((t.target_key, indicator.id), ("", ""))
            seen = set()
            for boundary, code, group in by_series.get(indicator.id, []):
                seen.add((boundary, code))
                row = _row(t.target_id, indicator.id, boundary, code, group, target, note_vi, note_en)
                missing = incomplete.get((indicator.id, boundary, code))
                if missing and row["status"] == "insufficient":
                    row["note"] += "; " + _partial(missing)
                out.append(row)
            for (ind, boundary, code), missing in sorted(incomplete.items()):  # a merged unit with no complete year at all
                if ind == indicator.id and (boundary, code) not in seen:
                    empty = _row(t.target_id, ind, boundary, code, rows_in.iloc[0:0], target, note_vi, note_en)
                    out.append({**empty, "note": _partial(missing)})
    return pd.DataFrame(out, columns=COLUMNS)


def _partial(years: list[int]) -> str:
    return f"no value where not every member reported ({', '.join(str(y) for y in years)}): never a partial sum"


def _row(target_id: str, indicator: str, boundary: str, code: str, group: pd.DataFrame, target: Target, vi: str, en: str) -> dict:
    group = group.sort_values("year")
    series = list(zip(group["year"].astype(int), group["value"].astype(float)))
    result = assess(series, target)
    used = group[group["year"].isin(result.years_used)] if result.years_used else group
    flags = sorted({f for f in used["value_flag"] if f})
    preliminary = sorted(int(y) for y, p in zip(used["year"], used["preliminary"]) if bool(p))
    return {
        "target_id": target_id,
        "indicator": indicator,
        "boundary": boundary,
        "code": code,
        "scope": "national",
        "baseline_value": result.baseline[1] if result.baseline else None,
        "baseline_year": result.baseline[0] if result.baseline else None,
        "latest_value": result.latest[1] if result.latest else None,
        "latest_year": result.latest[0] if result.latest else None,
        "first_value": float(used["value"].iloc[0]) if result.years_used else None,
        "first_year": result.years_used[0] if result.years_used else None,
        "target_min": target.target_min,
        "target_max": target.target_max,
        "target_year": target.year,
        "observed_pace": result.observed,
        "needed_pace": result.needed,
        "ratio": result.ratio,
        "status": result.status,
        "reaches_in": result.reaches_in,
        "years_used": ";".join(str(y) for y in result.years_used),
        "flags": ";".join(flags),
        "preliminary_years": ";".join(str(y) for y in preliminary),
        "method_version": METHOD_VERSION,
        "approximation_vi": vi,
        "approximation_en": en,
        "note": result.note,
    }
