"""The monitor's method on constructed series, checked against this test's own arithmetic, and on one real unit."""

from __future__ import annotations

import csv

import pandas as pd
import pyogrio
import pytest

from etl.build import check
from etl.catalogue import read_catalogue
from etl.problems import Report
from etl.program import read_program
from etl.progress import METHOD_VERSION, PROGRESS_MAX_AGE, Target, assess, progress_table
from etl.sources import RawLayout
from tests.synthetic import SHIPPED, tiny_raw

AT_LEAST_45 = Target(45.0, None, "at_least", 2025, 2022, False)


def _pace(points: list[tuple[int, float]]) -> float:
    """The least-squares slope, written out."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)


@pytest.mark.parametrize(
    ("series", "status"),
    [
        ([(2018, 30.0), (2020, 34.0), (2022, 38.0)], "accelerate"),  # 2/yr against (45-38)/3 = 2.33 per year: r = 0.857
        ([(2021, 36.0), (2022, 40.0)], "on_track"),  # 4/yr against 5/3 per year
        ([(2020, 40.0), (2022, 41.0)], "slow"),  # 0.5/yr against 4/3 per year: r = 0.375
        ([(2020, 42.0), (2022, 41.0)], "regressing"),
        ([(2020, 44.0), (2022, 46.0)], "achieved"),
    ],
)
def test_each_category_from_its_own_arithmetic(series: list[tuple[int, float]], status: str) -> None:
    result = assess(series, AT_LEAST_45)
    baseline = max(p for p in series if p[0] <= 2022)
    observed = _pace(series)
    assert result.baseline == baseline and result.latest == series[-1]
    assert result.observed == pytest.approx(observed)
    if status == "achieved":
        assert result.status == "achieved"
        return
    needed = (45.0 - baseline[1]) / (2025 - baseline[0])
    ratio = observed / needed
    assert result.needed == pytest.approx(needed) and result.ratio == pytest.approx(ratio)
    expected = "on_track" if ratio >= 0.95 else "accelerate" if ratio >= 0.6 else "slow" if ratio >= 0 else "regressing"
    assert result.status == expected == status


def test_the_thresholds_split_the_categories() -> None:
    # baseline 2022: 40, goal 45 by 2025: needed 5/3 per year; the observed pace sets r
    for pace, status in (
        (5 / 3, "on_track"),
        (0.95 * 5 / 3, "on_track"),
        (0.94 * 5 / 3, "accelerate"),
        (0.6 * 5 / 3, "accelerate"),
        (0.59 * 5 / 3, "slow"),
        (0.0, "slow"),
        (-0.1, "regressing"),
    ):
        series = [(2021, 40.0 - pace), (2022, 40.0)]
        assert assess(series, AT_LEAST_45).status == status, pace


def test_a_range_is_reached_inside_it_and_approached_from_either_side() -> None:
    about_6_8 = Target(6.0, 8.0, "about", 2025, 2022, False)
    assert assess([(2020, 6.5), (2022, 7.0)], about_6_8).status == "achieved"
    above = assess([(2020, 10.0), (2022, 9.5)], about_6_8)  # coming down toward 8
    assert above.needed == pytest.approx((8.0 - 9.5) / 3) and above.status == "slow"  # r = -0.25 / -0.5 = 0.5
    below = assess([(2020, 4.0), (2022, 5.0)], about_6_8)
    assert below.needed == pytest.approx((6.0 - 5.0) / 3) and below.status == "on_track"


def test_higher_is_worse_runs_the_other_way() -> None:
    at_most_10 = Target(10.0, None, "", 2025, 2022, True)
    assert assess([(2020, 9.0), (2022, 8.0)], at_most_10).status == "achieved"
    falling = assess([(2020, 16.0), (2022, 13.0)], at_most_10)  # -1.5/yr against -1/yr
    assert falling.status == "on_track" and falling.reaches_in == 2024
    assert assess([(2020, 12.0), (2022, 13.0)], at_most_10).status == "regressing"


def test_too_few_or_too_old_values_are_not_enough() -> None:
    one = assess([(2016, 30.0)], AT_LEAST_45)
    assert one.status == "insufficient" and "at least two" in one.note
    old = assess([(2005, 20.0), (2011, 30.0)], AT_LEAST_45)
    assert 2022 - PROGRESS_MAX_AGE > 2011 and old.status == "insufficient" and "more than 10 years" in old.note
    assert assess([(2010, 20.0), (2012, 30.0)], AT_LEAST_45).status != "insufficient"  # exactly ten years


def test_the_pace_since_the_baseline_where_there_is_one_else_the_whole_series() -> None:
    series = [(2010, 10.0), (2016, 40.0), (2022, 40.0), (2024, 42.0)]
    result = assess(series, AT_LEAST_45)
    assert result.baseline == (2022, 40.0) and result.years_used == (2022, 2024) and result.observed == pytest.approx(1.0)
    before = assess(series[:2], AT_LEAST_45)  # nothing after 2016: the pace of 2010-2016
    assert before.baseline == (2016, 40.0) and before.observed == pytest.approx(5.0)
    assert before.needed == pytest.approx(5.0 / 9) and before.reaches_in == 2017


def test_the_table_carries_flags_preliminary_years_and_the_method() -> None:
    catalogue = read_catalogue(RawLayout(SHIPPED), Report())
    rows = [
        ("2008", "01", 2014, 20.0, "", False),
        ("2008", "01", 2016, 22.0, "approx", True),
        ("2008", "79", 2016, 19.0, "", False),
    ]
    values = pd.DataFrame(
        [
            {"boundary": b, "code": c, "indicator": "dwelling_area_per_capita", "year": y, "period": "", "value": v, "value_flag": f}
            | {"preferred": True, "preliminary": p}
            for b, c, y, v, f, p in rows
        ]
    )
    targets = pd.DataFrame(
        [
            {"target_id": "t", "target_key": "housing-floor-area-per-capita-urban", "target_min": 28.0, "target_max": None}
            | {"qualifier": "at_least", "year": "2030", "baseline_year": "2022"}
        ]
    )
    table = progress_table(
        values, targets, catalogue, {("housing-floor-area-per-capita-urban", "dwelling_area_per_capita"): ("gần đúng", "approx")}
    )
    hanoi = table[table.code == "01"].iloc[0]
    assert (hanoi["status"], hanoi["flags"], hanoi["preliminary_years"], hanoi["method_version"]) == (
        "on_track",
        "approx",
        "2016",
        METHOD_VERSION,
    )
    assert hanoi.needed_pace == pytest.approx((28 - 22) / 14) and hanoi.approximation_vi == "gần đúng"
    assert table[table.code == "79"].iloc[0].status == "insufficient"


def test_one_real_unit_recomputed_from_the_stores_values(shipped_build) -> None:
    store = shipped_build[0] / "current" / "urban.gpkg"
    progress = pyogrio.read_dataframe(store, layer="progress", read_geometry=False)
    values = pyogrio.read_dataframe(store, layer="indicator_values", read_geometry=False)
    row = progress[
        (progress.target_id == "148-nq-cp-2030-housing-floor-area-per-capita-in-urban-areas")
        & (progress.boundary == "2008")
        & (progress.code == "79")
    ].iloc[0]
    series = values[
        (values.indicator == "dwelling_area_per_capita")
        & (values.boundary == "2008")
        & (values.code == "79")
        & values.preferred
        & values.value.notna()
    ]
    points = sorted(zip(series.year.astype(int), series.value))
    baseline = max(p for p in points if p[0] <= 2022)
    observed, needed = _pace(points), (32.0 - baseline[1]) / (2030 - baseline[0])
    assert (row.baseline_year, row.baseline_value) == baseline and row.latest_year == points[-1][0]
    assert row.observed_pace == pytest.approx(observed) and row.needed_pace == pytest.approx(needed)
    ratio = observed / needed
    assert row.status == (
        "achieved"
        if points[-1][1] >= 32
        else "on_track"
        if ratio >= 0.95
        else "accelerate"
        if ratio >= 0.6
        else "slow"
        if ratio >= 0
        else "regressing"
    )
    assert "mọi hộ gia đình" in row.approximation_vi  # the series only approximates the target


def test_a_merged_unit_whose_members_never_all_reported_has_no_status_and_says_why() -> None:
    catalogue = read_catalogue(RawLayout(SHIPPED), Report())
    base = {"indicator": "dwelling_area_per_capita", "period": "", "preferred": True, "preliminary": False}
    values = pd.DataFrame(
        [
            {**base, "boundary": "2025", "code": "08", "year": 2014, "value": float("nan"), "value_flag": "incomplete"},
            {**base, "boundary": "2025", "code": "08", "year": 2016, "value": float("nan"), "value_flag": "incomplete"},
            {**base, "boundary": "2025", "code": "01", "year": 2014, "value": 20.0, "value_flag": ""},
            {**base, "boundary": "2025", "code": "01", "year": 2016, "value": float("nan"), "value_flag": "incomplete"},
        ]
    )
    targets = pd.DataFrame(
        [
            {"target_id": "t", "target_key": "housing-floor-area-per-capita-urban", "target_min": 28.0, "target_max": None}
            | {"qualifier": "at_least", "year": "2030", "baseline_year": "2022"}
        ]
    )
    table = progress_table(values, targets, catalogue, {}).set_index("code")
    assert table.loc["08", "status"] == table.loc["01", "status"] == "insufficient"
    assert "not every member reported (2014, 2016)" in table.loc["08", "note"]
    assert "at least two" in table.loc["01", "note"] and "(2016)" in table.loc["01", "note"]


def test_targets_carry_their_id_and_a_blank_one_is_made(tmp_path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    path = raw / "program/targets.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))

    def write(first_id: str) -> None:
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows([{**rows[0], "target_id": first_id}, *rows[1:]])

    write("Bad Id")
    errors = [e for e in check(raw).errors if e.column == "target_id"]
    assert len(errors) == 1 and errors[0].row == 2 and '"Bad Id" is not a target id' in errors[0].message
    write("")
    layout = RawLayout(raw)
    program = read_program(layout, read_catalogue(layout, Report()), Report())
    assert program.tables["program_targets"]["target_id"].iloc[0] == "148-nq-cp-2025-national-urbanisation-rate"
