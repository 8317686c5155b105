"""Indicators computed from others: ``(numerator [- subtract]) / denominator * factor`` (catalogue column ``derive``).

For each boundary set, unit, year and period where every part has a preferred
value, the derived value is their ratio; the row says so (``derivation =
'derived'``, the formula and the parts' values in ``note``, their sources in
``source_id``). Flags combine as in aggregation; a preliminary part makes the
result preliminary. A value reported for the same key takes precedence (the
derived row is kept with ``preferred = False``). A result outside the
indicator's valid range is not kept and is reported as a warning.

Columns in and out: :data:`etl.indicators.OUT_COLUMNS`, plus ``derivation`` and
``members`` on the rows out.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from etl.aggregate import OUT_COLUMNS, combine_flags
from etl.catalogue import Catalogue, Ratio
from etl.problems import WARNING, Report
from etl.value_keys import KEY

_JOIN = ["boundary", "code", "year", "period"]


def taken_keys(rows: pd.DataFrame, reported: pd.DataFrame) -> np.ndarray:
    """Per row of ``rows``: whether ``reported`` has a preferred row with the same key (a reported value takes precedence)."""
    taken = pd.MultiIndex.from_frame(reported.loc[reported["preferred"].astype(bool), KEY])
    return pd.MultiIndex.from_frame(rows[KEY]).isin(taken)


def _parts(preferred: pd.DataFrame, ratio: Ratio) -> pd.DataFrame:
    """The parts of ``ratio`` side by side per key (columns suffixed _a numerator, _b denominator, _c subtracted),
    where every part has a value and the denominator is not zero."""
    top = preferred[preferred["indicator"] == ratio.numerator]
    bottom = preferred[preferred["indicator"] == ratio.denominator]
    both = top.merge(bottom, on=_JOIN, suffixes=("_a", "_b"))
    if ratio.subtract:
        less = preferred[preferred["indicator"] == ratio.subtract].add_suffix("_c").rename(columns={f"{c}_c": c for c in _JOIN})
        both = both.merge(less, on=_JOIN)
    return both[both["value_b"] != 0]


def derive(values: pd.DataFrame, catalogue: Catalogue, report: Report) -> pd.DataFrame:
    """Rows of every derived indicator computable from the preferred rows of ``values``."""
    preferred = values[values["preferred"] & values["value"].notna()]
    frames = []
    for indicator in catalogue.indicators.values():
        ratio = indicator.derive
        if ratio is None:
            continue
        both = _parts(preferred, ratio)
        if both.empty:
            continue
        top = both["value_a"] - both["value_c"] if ratio.subtract else both["value_a"]
        value = top / both["value_b"] * float(ratio.factor)
        suffixes = ["_a", "_b"] + (["_c"] if ratio.subtract else [])
        out = pd.DataFrame(
            {
                **{c: both[c] for c in _JOIN},
                "indicator": indicator.id,
                "value": value,
                "unit": indicator.unit,
                "value_flag": [combine_flags(list(f)) for f in zip(*(both[f"value_flag{x}"] for x in suffixes))],
                "preferred": True,
                "source_id": [";".join(sorted(set(ids))) for ids in zip(*(both[f"source_id{x}"] for x in suffixes))],
                "note": [
                    f"derived: {ratio} of the same year ({ratio.written(dict(zip(ratio.parts, v)))})"
                    for v in zip(*(both[f"value{x}"] for x in suffixes))
                ],
                "origin": "",
                "preliminary": np.logical_or.reduce([both[f"preliminary{x}"].astype(bool) for x in suffixes]),
                "derivation": "derived",
                "members": "",
            }
        )
        bad = [indicator.out_of_range(Decimal(str(round(v, 9)))) for v in out["value"]]
        for (code, year), problem in zip(out[["code", "year"]].itertuples(index=False), bad):
            if problem:
                report.add("derived values", None, indicator.id, f"{code} {year}: {problem}; not kept", "check the two parts", WARNING)
        frames.append(out[[b is None for b in bad]])
    if not frames:
        return pd.DataFrame(columns=OUT_COLUMNS)
    derived = pd.concat(frames, ignore_index=True)
    clash = taken_keys(derived, values)
    derived.loc[clash, "preferred"] = False
    derived.loc[clash, "note"] = derived.loc[clash, "note"] + " (a reported value takes precedence)"
    return derived[OUT_COLUMNS]
