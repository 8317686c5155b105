"""Mappings suggested for tables that are not tidy: from the table's own words and the catalogue."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from etl.catalogue import read_catalogue
from etl.importer.spec import load_spec
from etl.importer.suggest import best_indicator, suggest_mapping
from etl.importer.table_import import import_table
from etl.importer.tables import read_grid
from etl.problems import Report
from etl.sources import RawLayout, read_resolver
from tests.synthetic import SHIPPED, shipped_file


@pytest.fixture(scope="module")
def rules():
    layout, report = RawLayout(SHIPPED), Report()
    return read_catalogue(layout, report), read_resolver(layout, report)


def test_a_gso_table_gets_its_indicators_and_no_year(rules) -> None:
    catalogue, resolver = rules
    mapping = tomllib.loads(
        suggest_mapping(
            read_grid(shipped_file("published/gso-en-2018/area-population-density-by-province_2011-2016.csv")), catalogue, resolver
        )
    )
    assert mapping["boundary"] == "2008" and "year" not in mapping  # every column prints its year
    assert mapping["columns"]["Area"]["indicator"] == "area"
    assert mapping["columns"]["Population density"]["indicator"] == "population_density"


def test_a_vietnamese_table_gets_the_title_year_and_imports(rules, tmp_path: Path) -> None:
    catalogue, resolver = rules
    table = tmp_path / "t.csv"
    table.write_text("Số điểm ngập úng năm 2024\nTỉnh,Số điểm ngập úng,Ghi chú khác\nHải Phòng,12,x\nCần Thơ,7,y\n", encoding="utf-8")
    text = suggest_mapping(read_grid(table), catalogue, resolver)
    mapping = tmp_path / "m.toml"
    mapping.write_text('source_title = "Sở Xây dựng"\nsource_url = "https://example.invalid/x"\n' + text, encoding="utf-8")
    spec = load_spec(mapping)
    assert spec.year == 2024 and spec.boundary == "2025"
    rows = import_table(read_grid(table), spec, resolver, catalogue, "t.csv").rows
    assert {(r["province_code"], r["indicator"], r["value"]) for r in rows} == {
        ("31", "urban_flood_hotspots_chronic", "12"),
        ("92", "urban_flood_hotspots_chronic", "7"),
    }


@pytest.mark.parametrize(
    ("text", "expected"), [("Dân số", "population"), ("Số xe máy đăng ký", "registered_motorbikes"), ("Total", None), ("Others", None)]
)
def test_labels_are_matched_to_the_catalogue_or_not_at_all(rules, text: str, expected: str | None) -> None:
    assert best_indicator(text, rules[0]) == expected
