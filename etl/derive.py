"""Indicators computed from two others: ``numerator / denominator * factor`` (catalogue column ``derive``).

For each boundary set, unit, year and period where both parts have a preferred
value, the derived value is their ratio; the row says so (``derivation =
'derived'``, the formula and the two values in ``note``, both sources in
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
from etl.catalogue import Catalogue
from etl.problems import WARNING, Report
from etl.value_keys import KEY

_JOIN = ["boundary", "code", "year", "period"]


def taken_keys(rows: pd.DataFrame, reported: pd.DataFrame) -> np.ndarray:
    """Per row of ``rows``: whether ``reported`` has a preferred row with the same key (a reported value takes precedence)."""
    taken = pd.MultiIndex.from_frame(reported.loc[reported["preferred"].astype(bool), KEY])
    return pd.MultiIndex.from_frame(rows[KEY]).isin(taken)


def derive(values: pd.DataFrame, catalogue: Catalogue, report: Report) -> pd.DataFrame:
    """Rows of every derived indicator computable from the preferred rows of ``values``."""
    preferred = values[values["preferred"] & values["value"].notna()]
    frames = []
    for indicator in catalogue.indicators.values():
        ratio = indicator.derive
        if ratio is None:
            continue
        top = preferred[preferred["indicator"] == ratio.numerator]
        bottom = preferred[preferred["indicator"] == ratio.denominator]
        both = top.merge(bottom, on=_JOIN, suffixes=("_a", "_b"))
        both = both[both["value_b"] != 0]
        if both.empty:
            continue
        value = both["value_a"] / both["value_b"] * float(ratio.factor)
        out = pd.DataFrame(
            {
                **{c: both[c] for c in _JOIN},
                "indicator": indicator.id,
                "value": value,
                "unit": indicator.unit,
                "value_flag": [combine_flags([a, b]) for a, b in zip(both["value_flag_a"], both["value_flag_b"])],
                "preferred": True,
                "source_id": [";".join(sorted({a, b})) for a, b in zip(both["source_id_a"], both["source_id_b"])],
                "note": [f"derived: {ratio} of the same year ({a:g} / {b:g})" for a, b in zip(both["value_a"], both["value_b"])],
                "origin": "",
                "preliminary": both["preliminary_a"] | both["preliminary_b"],
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
