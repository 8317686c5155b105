"""Carrying 2008 values to the 2025 units: rules, coverage, bounds (known values)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from etl.aggregate import combine_flags
from tests.synthetic import shipped_file


def _values(build_dir: Path) -> pd.DataFrame:
    return pyogrio.read_dataframe(build_dir / "current" / "urban.gpkg", layer="indicator_values")


def _one(values: pd.DataFrame, boundary: str, code: str, indicator: str, year: int, preferred: bool = True) -> pd.Series:
    rows = values[
        (values.boundary == boundary)
        & (values.code == code)
        & (values.indicator == indicator)
        & (values.year == year)
        & (values.preferred == preferred)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_merged_hai_phong_2011_population_is_old_hai_phong_plus_hai_duong(shipped_build) -> None:
    """GSO's revised population series is the primary source: 1,729.8 + 1,879.8 thousand (read from the table here)."""
    table = shipped_file("published/gso-en-2018/average-population-by-province_1995-2016.csv").read_text(encoding="utf-8-sig").splitlines()
    header = next(line for line in table if line.startswith('"Cities'))
    column = header.split(";").index('"Total 2011"')
    printed = {line.split(";")[0].strip('"'): line.split(";")[column] for line in table if line.startswith(('"Hai Duong"', '"Hai Phong"'))}
    values = _values(shipped_build[0])
    old = [_one(values, "2008", c, "population", 2011)["value"] for c in ("30", "31")]
    merged = _one(values, "2025", "31", "population", 2011)
    assert old == [float(printed["Hai Duong"]) * 1000, float(printed["Hai Phong"]) * 1000] == [1729800.0, 1879800.0]
    assert merged["value"] == pytest.approx(sum(old))
    assert merged["derivation"] == "aggregated" and merged["members"] == "30,31"
    others = values[
        (values.boundary == "2008") & (values.code == "30") & (values.indicator == "population") & (values.year == 2011) & ~values.preferred
    ]
    assert 1718900.0 in set(others["value"])  # kierandg's copy of the unrevised 2011 yearbook, kept as an alternative
    assert all("Not preferred:" in n for n in others["note"])
    assert "declared primary source for population" in others.loc[others["value"] == 1718900.0, "note"].iloc[0]


def test_2011_population_of_all_34_units_adds_up_to_the_63(shipped_build) -> None:
    values = _values(shipped_build[0])
    p08 = values[(values.boundary == "2008") & (values.indicator == "population") & (values.year == 2011) & values.preferred]
    p25 = values[(values.boundary == "2025") & (values.indicator == "population") & (values.year == 2011) & values.preferred]
    assert len(p08) == 63 and len(p25) == 34 and p25["value"].notna().all()
    assert p25["value"].sum() == pytest.approx(p08["value"].sum())


def test_density_is_weighted_by_area(tiny_build) -> None:
    values = _values(tiny_build[0])
    # tiny layers: equal squares in a row, so the area-weighted mean is close to the plain mean
    hp = _one(values, "2025", "31", "population", 2011)
    assert hp["value"] == pytest.approx(3597400)


def test_lower_bound_stays_a_bound_through_a_sum(shipped_build) -> None:
    values = _values(shipped_build[0])
    lao_cai = _one(values, "2025", "15", "storm_flood_damage_yagi_2024", 2024)
    assert lao_cai["value"] == pytest.approx(7065 + 5738)
    assert lao_cai["value_flag"] == "lower_bound"


def test_partial_members_give_a_flagged_missing_value(tiny_build) -> None:
    values = _values(tiny_build[0])
    can_tho = _one(values, "2025", "92", "urban_population_share", 2019)
    assert pd.isna(can_tho["value"])
    assert can_tho["value_flag"] == "incomplete"
    assert can_tho["note"].startswith("2 of 3 members reported (missing: 94 Sóc Trăng)")


def test_population_weighted_mean_uses_the_nearest_complete_year(tiny_build) -> None:
    values = _values(tiny_build[0])
    hp = _one(values, "2025", "31", "urban_population_share", 2019)
    expected = (25.1 * 1718900 + 46.1 * 1878500) / (1718900 + 1878500)
    assert hp["value"] == pytest.approx(expected)
    assert "population 2011" in hp["note"]


def test_reported_2025_value_wins_over_the_derived_one(tiny_build) -> None:
    values = _values(tiny_build[0])
    assert _one(values, "2025", "31", "population", 2024)["value"] == 4664124
    assert (
        len(values[(values.boundary == "2025") & (values.code == "31") & (values.indicator == "population") & (values.year == 2024)]) == 1
    )


def test_unchanged_province_carries_even_a_not_aggregable_value(tiny_build) -> None:
    values = _values(tiny_build[0])
    hanoi = _one(values, "2025", "01", "average_traffic_speed_centre", 2025)
    assert hanoi["value"] == 19 and hanoi["derivation"] == "carried"
    hp = _one(values, "2025", "31", "average_traffic_speed_centre", 2025)
    assert pd.isna(hp["value"]) and hp["value_flag"] == "incomplete"


@pytest.mark.parametrize(
    ("flags", "result"),
    [
        (["", ""], ""),
        (["", "lower_bound"], "lower_bound"),
        (["upper_bound"], "upper_bound"),
        (["lower_bound", "upper_bound"], "approx"),
        (["approx", ""], "approx"),
    ],
)
def test_combine_flags(flags: list[str], result: str) -> None:
    assert combine_flags(flags) == result
