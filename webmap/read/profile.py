"""A unit's profile: every indicator with value, rank, national median, gap to target, history and other sources;
its merger relations; the issues where it ranks worst. Plain functions over the store.
"""

from __future__ import annotations

import math

from etl.catalogue import ISSUES
from webmap.read.memo import records
from webmap.read.store import Store

WORST_SHARE = 1 / 3  # an issue is "where the unit ranks worst" when an indicator puts it in the worst third
MIN_RANKED = 5  # a rank or median among fewer units with a value says nothing ("1/1"): not shown


def _latest_key(row: dict) -> tuple:
    """Order of a unit's rows of one indicator: the highest year; in it, a row without period, else the latest period."""
    return row["year"], row["period"] == "", row["period"]


def indicator_rows(store: Store, boundary: str, code: str, peers: list[str] | None = None, min_ranked: int = MIN_RANKED) -> list[dict]:
    """One dict per indicator the unit has a value for (latest preferred), with context. Sorted by issue, label.

    Rank and median are among ``peers`` (the wards of one province; default: every unit of the set), and only
    where at least ``min_ranked`` of them have a value (else rank and median are None). Plain rows, not pandas:
    a province page has a few hundred of them."""
    by_indicator: dict[str, list[dict]] = {}
    for row in records(store.values.history(boundary, code)):
        by_indicator.setdefault(row["indicator"], []).append(row)
    catalogue = store.values.catalogue_rows()
    out = []
    for indicator, rows in by_indicator.items():
        preferred = [r for r in rows if r["preferred"] and r["value"] == r["value"]]
        if not preferred:
            continue
        latest = max(preferred, key=_latest_key)
        year = int(latest["year"])
        ranks = store.values.rank_of(indicator, boundary, year, peers)
        enough = len(ranks) >= min_ranked
        out.append(
            {
                "indicator": indicator,
                "issue": catalogue[indicator]["issue"],
                "catalogue": catalogue[indicator],
                "latest": latest,
                "rank": ranks.get(code) if enough else None,
                "ranked": len(ranks),
                "median": store.values.median(indicator, boundary, year, peers) if enough else None,
                "history": sorted(preferred, key=lambda r: (r["year"], r["period"])),
                "others": [r for r in rows if not r["preferred"]],
                "gap": gap(store, indicator, float(latest["value"]), year),
            }
        )
    order = {issue: i for i, issue in enumerate(ISSUES)}
    return sorted(out, key=lambda e: (order.get(e["issue"], 9), e["indicator"]))


def target_for(store: Store, indicator: str, year: int) -> dict | None:
    """The national target (a row of program_targets) a value of ``year`` is measured against: the first with a
    numeric minimum due in or after ``year`` (else the latest); of two documents with the same year, the
    Government programme 148/NQ-CP. Once per build, indicator and year."""
    return store.memo.get(("target_for", indicator, year), lambda: _target_for(store, indicator, year))


def _target_for(store: Store, indicator: str, year: int) -> dict | None:
    rows = [r for r in store.programme.target_rows(indicator) if r["target_min"] == r["target_min"] and r["target_min"] is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: (int(r["year"]), r["document"] != "148/NQ-CP"))
    due = [r for r in rows if int(r["year"]) >= year]
    if due:
        return due[0]
    latest = max(int(r["year"]) for r in rows)
    return next(r for r in rows if int(r["year"]) == latest)


def gap(store: Store, indicator: str, value: float, year: int) -> dict | None:
    """Gap of ``value`` (of ``year``) to :func:`target_for`, or None where there is no target; ``before`` is the
    target's baseline year when ``year`` is older (the value predates the target: its gap says little of progress)."""
    target = target_for(store, indicator, year)
    if target is None or math.isnan(value):
        return None
    return {"target": target, "gap": value - float(target["target_min"]), "before": before_baseline(target, year)}


def before_baseline(target: dict, year: int) -> int | None:
    """The target's baseline year when ``year`` is older than it, else None (also when the baseline is unknown)."""
    baseline = str(target.get("baseline_year") or "")
    return int(baseline) if baseline.isdigit() and year < int(baseline) else None


def worst_issues(rows: list[dict]) -> list[str]:
    """Issues where some indicator ranks the unit in the worst third (rank 1 = worst), worst first."""
    scores: dict[str, float] = {}
    for entry in rows:
        worse = entry["catalogue"]["higher_is_worse"]
        if entry["rank"] is None or worse not in ("yes", "no") or entry["ranked"] < 3:
            continue
        share = entry["rank"] / entry["ranked"]
        if share <= WORST_SHARE:
            scores[entry["issue"]] = min(scores.get(entry["issue"], 1.0), share)
    return sorted(scores, key=lambda issue: scores[issue])


def members(store: Store, code: str) -> list[dict]:
    """The 2008 provinces a 2025 unit was formed from, each with its latest preferred values."""
    codes = store.geography.members_2025()[code]
    out = []
    for old in codes:
        rows = indicator_rows(store, "2008", old)
        out.append({"code": old, "unit": store.geography.units["2008"].loc[old], "values": rows})
    return out
