"""The province resolver: spellings, aliases, ambiguity across the 2025 merger."""

from __future__ import annotations

import csv
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.names import Aggregate, Match, UnresolvedName, boundary_for_year, normalise
from etl.sources import RawLayout, read_resolver
from tests.synthetic import SHIPPED

RESOLVER = read_resolver(RawLayout(SHIPPED))
UNITS_2008 = sorted(c for b, c in RESOLVER.units if b == "2008")


@pytest.mark.parametrize(
    ("name", "boundary", "year", "code"),
    [
        ("Bà Rịa - Vũng Tàu", "2008", None, "77"),
        ("Bà Rịa–Vũng Tàu", None, 2020, "77"),
        ("BR-VT", None, 2020, "77"),
        ("Tỉnh Bà Rịa - Vũng Tàu", None, 2020, "77"),
        ("Ha Noi", None, 2020, "01"),
        ("Hanoi", None, 2020, "01"),
        ("Thành phố Hà Nội", None, 2020, "01"),
        ("TP. Hồ Chí Minh", None, 2020, "79"),
        ("TP.HCM", None, 2020, "79"),
        ("HCMC", None, 2020, "79"),
        ("Ho Chi Minh City", None, 2020, "79"),
        ("Thua Thien Hue", None, 2020, "46"),
        ("Hue", None, 2020, "46"),
        ("Huế", "2025", None, "46"),
        ("Hoà Bình", None, 2011, "17"),
        ("Khánh Hoà", None, 2011, "56"),
        ("VN-44", "2008", None, "89"),
        ("VN-SG", None, 2011, "79"),
        ("Hải Dương", None, None, "30"),
        ("Hải Phòng", None, 2024, "31"),
        ("Hải Phòng", None, 2026, "31"),
        ("Đắk Lắk", None, 2011, "66"),
        ("Dak Lak", None, 2011, "66"),
        ("Hà Nội[83]", None, 2024, "01"),
        ("01", "2025", None, "01"),
    ],
)
def test_spellings_resolve(name: str, boundary: str | None, year: int | None, code: str) -> None:
    match = RESOLVER.resolve(name, boundary, year)
    assert isinstance(match, Match) and match.code == code


def test_year_settles_the_boundary_set() -> None:
    assert RESOLVER.resolve("Cần Thơ", year=2019).boundary == "2008"
    assert RESOLVER.resolve("Cần Thơ", year=2026).boundary == "2025"
    assert boundary_for_year(2025) is None


@pytest.mark.parametrize("name", ["Hải Phòng", "Cần Thơ", "Đà Nẵng"])
def test_a_name_of_two_areas_without_boundary_or_year_is_an_error(name: str) -> None:
    with pytest.raises(UnresolvedName, match="different areas before and after 2025-07-01"):
        RESOLVER.resolve(name, year=2025)


def test_unchanged_province_is_not_ambiguous() -> None:
    assert RESOLVER.resolve("Hà Nội", year=2025) == Match("2008", "01", "Hà Nội")


def test_merged_province_after_the_merger_is_an_error_that_says_why() -> None:
    with pytest.raises(UnresolvedName) as info:
        RESOLVER.resolve("Hải Dương", year=2026)
    assert "not a unit of the 2025 boundary set" in info.value.message
    assert "2008" in info.value.fix


def test_a_2025_code_is_not_a_2008_code() -> None:
    assert RESOLVER.resolve("80", "2025").name_vi == "Tây Ninh"
    assert RESOLVER.resolve("80", "2008").name_vi == "Long An"
    with pytest.raises(UnresolvedName):
        RESOLVER.resolve("80")


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Cả nước", "national"),
        ("CẢ NƯỚC", "national"),
        ("Đồng bằng sông Hồng", "region"),
        ("Tổng thiệt hại", "total"),
        ("Red River Delta", "region"),
    ],
)
def test_national_region_and_total_rows_are_recognised(label: str, kind: str) -> None:
    result = RESOLVER.resolve(label, "2008")
    assert isinstance(result, Aggregate) and result.kind == kind


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(UnresolvedName) as info:
        RESOLVER.resolve("Hai Duongg", "2008")
    assert "Hải Dương" in info.value.fix


def test_iso_codes_match_the_names_of_the_published_2011_table() -> None:
    path = SHIPPED / "published/vn-population-2011_kierandg-d3tuts.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 63
    for row in rows:
        assert RESOLVER.resolve(row["name"], "2008") == RESOLVER.resolve(row["iso"], "2008")


def _variants(name: str, draw: st.DrawFn) -> str:
    text = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), name)
    if draw(st.booleans()):
        text = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)
    text = text.replace(" - ", draw(st.sampled_from([" - ", "–", "—", "-", " – "])))
    text = text.replace(" ", draw(st.sampled_from([" ", "  ", " \u00a0"])))
    prefix = draw(st.sampled_from(["", "Tỉnh ", "Thành phố ", "TP. ", "tp ", "TP."]))
    return prefix + text + draw(st.sampled_from(["", " ", "[12]", " (*)"]))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_spelling_of_any_2008_province_resolves_to_its_code(data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(UNITS_2008))
    unit = RESOLVER.units[("2008", code)]
    name = data.draw(st.sampled_from([unit.name_vi, unit.name_en]))
    spelled = _variants(name, data.draw)
    assert RESOLVER.resolve(spelled, "2008").code == code, spelled


@given(st.text(max_size=30))
def test_normalise_never_fails_and_is_idempotent(text: str) -> None:
    key = normalise(text)
    assert normalise(key) == key


@pytest.mark.parametrize(
    ("label", "kind_or_code"),
    [
        ("Đồng bằng sông Hồng - Red River Delta", "region"),
        ("CẢ NƯỚC - WHOLE COUNTRY", "national"),
        ("Tây Nguyên / Central Highlands", "region"),
        ("Hà Nội - Ha Noi", "01"),
        ("Bà Rịa - Vũng Tàu", "77"),  # one province whose name has a dash
    ],
)
def test_a_label_in_two_languages_is_what_both_halves_name(label: str, kind_or_code: str) -> None:
    found = RESOLVER.resolve(label, "2008")
    assert RESOLVER.knows(label)
    assert (found.kind if isinstance(found, Aggregate) else found.code) == kind_or_code


@pytest.mark.parametrize("label", ["Hà Nội - Hải Phòng", "Đồng bằng sông Hồng - Ha Noi", "Tây Nguyên - Growth rate"])
def test_halves_that_disagree_name_nothing(label: str) -> None:
    assert not RESOLVER.knows(label)
    with pytest.raises(UnresolvedName):
        RESOLVER.resolve(label, "2008")
