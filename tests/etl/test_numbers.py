"""Parsing numbers as published, and inferring the decimal mark of a table."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.importer.numbers import Number, NumberError, infer_decimal_mark, parse_number


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.234,5", ",", Number(Decimal("1234.5"))),
        ("1,234.5", ".", Number(Decimal("1234.5"))),
        ("9.521.886", ",", Number(Decimal("9521886"))),
        ("> 2.287", ",", Number(Decimal("2287"), "lower_bound")),
        (">2.287", ",", Number(Decimal("2287"), "lower_bound")),
        ("<920", ",", Number(Decimal("920"), "upper_bound")),
        ("gần 2.900", ",", Number(Decimal("2900"), "approx")),
        ("hơn 20", ",", Number(Decimal("20"), "lower_bound")),
        ("376,6", ",", Number(Decimal("376.6"))),
        ("28.034[81]", ",", Number(Decimal("28034"))),
        ("84.544 (3,47 tỷ USD)", ",", Number(Decimal("84544"))),
        ("9,42%", ",", Number(Decimal("9.42"), percent=True)),
        ("-0,109", ",", Number(Decimal("-0.109"))),
        ("1 234,5", ",", Number(Decimal("1234.5"))),
        ("2016*", ".", Number(Decimal("2016"))),
    ],
)
def test_published_forms(text: str, decimal: str, expected: Number) -> None:
    assert parse_number(text, decimal) == expected


@pytest.mark.parametrize("text", ["", " ", "-", "–", "..", "...", "…"])
def test_blank_and_dash_are_missing(text: str) -> None:
    assert parse_number(text, ",") is None


@pytest.mark.parametrize("text", ["x", "(a)", "KXĐ", "n/a", "không có", "[81]", "chưa có số liệu"])
def test_other_text_in_a_value_cell_is_an_error(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text, ",")


@pytest.mark.parametrize(("text", "decimal"), [("abc", "."), ("12a", "."), ("1.2.3", "."), ("1.23,4", ","), ("12,34,567", ".")])
def test_not_numbers_raise(text: str, decimal: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text, decimal)


@pytest.mark.parametrize(
    ("cells", "mark"),
    [(["9.521.886", "2.095"], ","), (["3536.7", "1409"], "."), (["28.034", "13.062,7"], ","), (["2.095"], None), (["1,234,567"], ".")],
)
def test_infer_decimal_mark(cells: list[str], mark: str | None) -> None:
    assert infer_decimal_mark(cells) == mark


def _format(value: Decimal, decimal: str, group: bool) -> str:
    sign = "-" if value < 0 else ""
    integer, _, fraction = f"{abs(value):f}".partition(".")
    thousands = "." if decimal == "," else ","
    if group:
        integer = f"{int(integer):,}".replace(",", thousands)
    return sign + integer + (decimal + fraction if fraction else "")


@given(
    st.decimals(min_value=-(10**9), max_value=10**12, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from([",", "."]),
    st.booleans(),
    st.sampled_from([("", ""), ("> ", "lower_bound"), ("<", "upper_bound"), ("khoảng ", "approx")]),
    st.sampled_from(["", "[12]", " (*)"]),
)
def test_formatted_numbers_parse_back(value: Decimal, decimal: str, group: bool, bound: tuple[str, str], note: str) -> None:
    text = bound[0] + _format(value, decimal, group) + note
    parsed = parse_number(text, decimal)
    assert parsed is not None and parsed.value == value and parsed.flag == bound[1]


@given(st.text(max_size=20), st.sampled_from([",", "."]))
def test_any_text_parses_or_raises_number_error(text: str, decimal: str) -> None:
    with contextlib.suppress(NumberError):
        parse_number(text, decimal)
