"""The indicator catalogue: derive formulas (with a part subtracted), the ``ratio`` rule, context roles and notes."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.catalogue import Ratio, read_catalogue
from etl.problems import Report
from etl.sources import RawLayout
from tests.synthetic import SHIPPED

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)


@given(NAMES, NAMES, st.one_of(st.none(), NAMES), st.sampled_from(["1", "100", "1000", "10000", "0.5"]))
def test_a_formula_reads_back_as_it_is_written(numerator: str, denominator: str, subtract: str | None, factor: str) -> None:
    ratio = Ratio(numerator, denominator, Decimal(factor), subtract)
    assert Ratio.parse(str(ratio)) == ratio
    assert Ratio.parse(str(ratio).replace("×", "*")) == ratio


@pytest.mark.parametrize(
    ("text", "parts", "value"),
    [
        ("beds / population * 10000", ("beds", "population"), 50.0),
        ("(forest - planted) / area", ("forest", "area", "planted"), 0.8),
        ("( forest-planted )/area×100", ("forest", "area", "planted"), 80.0),
    ],
)
def test_formulas_with_and_without_a_subtracted_part(text: str, parts: tuple[str, ...], value: float) -> None:
    ratio = Ratio.parse(text)
    assert ratio is not None and ratio.parts == parts
    values = {"beds": 10.0, "population": 2000.0, "forest": 90.0, "planted": 10.0, "area": 100.0}
    assert ratio.apply(values) == pytest.approx(value)
    assert ratio.apply({**values, "population": 0.0, "area": 0.0}) is None


@pytest.mark.parametrize("text", ["a / ", "a - b / c", "(a - b - c) / d", "a / b * x", "a * b"])
def test_what_is_not_a_formula_is_refused(text: str) -> None:
    assert Ratio.parse(text) is None


def _catalogue_with(tmp_path: Path, change: dict[str, str], indicator: str = "patient_beds_per_10000") -> Report:
    raw = tmp_path / "raw"
    shutil.copytree(SHIPPED / "catalogue", raw / "catalogue")
    path = raw / "catalogue/indicators.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["indicator"] == indicator:
            row.update(change)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = Report()
    read_catalogue(RawLayout(raw), report)
    return report


def test_the_shipped_catalogue_marks_context_and_notes_in_both_languages(tmp_path: Path) -> None:
    assert not _catalogue_with(tmp_path, {}).errors
    catalogue = read_catalogue(RawLayout(SHIPPED), Report())
    context = {i.id for i in catalogue.indicators.values() if i.context}
    assert {"road_passengers_per_person", "road_freight_per_person", "forest_cover"} <= context
    assert all("không phải" in catalogue.indicators[i].label_vi for i in context)  # the label says what it is not
    beds = catalogue.indicators["patient_beds_per_10000"]
    assert beds.aggregation == "ratio" and beds.derive == Ratio("patient_beds", "population", Decimal(10000))
    assert "273.066" in beds.note_vi and "273,066" in beds.note_en


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"role": "background"}, "role", 'unknown role "background"'),
        ({"note_en": ""}, "note_en", "a note needs both languages"),
        ({"derive": ""}, "aggregation", "is aggregated as a ratio but is not derived"),
        ({"derive": "(patient_beds - hospital_beds) / population * 10000"}, "derive", '"hospital_beds" is not an indicator'),
        ({"derive": "patient_beds / population / 10000"}, "derive", "is not"),
    ],
)
def test_catalogue_mistakes_are_named(tmp_path: Path, change: dict[str, str], column: str, words: str) -> None:
    errors = _catalogue_with(tmp_path, change).errors
    assert any(e.column == column and words in str(e.message) and "indicators.csv" in e.file for e in errors), errors
