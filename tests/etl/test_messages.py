"""Messages told in either language: English as text, the same message again through a catalogue, its numbers
in the language's format, kept through JSON and pickling (a background job's result), grouped by template."""

from __future__ import annotations

import json
import pickle

from hypothesis import given
from hypothesis import strategies as st

from etl.messages import Message, from_json, told, told_json
from etl.problems import KEEP_PER_KIND, Problem, Report

VI = {
    "unit {code} has {n} rows": "đơn vị {code} có {n} dòng",
    "{name} (code {code})": "{name} (mã {code})",
    "the code column reads {reading}": "cột mã đọc ra {reading}",
}


def _vi(template: str) -> str:
    return VI.get(template, template)


def _vi_number(value: float) -> str:
    return f"{value:,}".replace(",", "X").replace(".", ",").replace("X", ".")


def test_a_message_is_its_english_text_and_is_told_again_in_another_language() -> None:
    message = Message("unit {code} has {n} rows", code="01", n=200000)
    assert message == "unit 01 has 200,000 rows" and isinstance(message, str)
    assert message.told(_vi, _vi_number) == "đơn vị 01 có 200.000 dòng"
    assert told("plain text", _vi, _vi_number) == "plain text"  # text that is not a message stays as it is


def test_messages_inside_messages_and_lists_are_told_in_the_same_language() -> None:
    unit = Message("{name} (code {code})", name="Hà Nội", code="01")
    message = Message("the code column reads {reading}", reading=(unit, "x"))
    assert message == "the code column reads Hà Nội (code 01); x"
    assert message.told(_vi, _vi_number) == "cột mã đọc ra Hà Nội (mã 01); x"


def test_a_translation_that_names_other_placeholders_falls_back_to_english() -> None:
    message = Message("unit {code} has {n} rows", code="01", n=3)
    assert message.told(lambda t: "đơn vị {ma}", _vi_number) == "unit 01 has 3 rows"


def test_years_codes_and_rows_given_as_text_are_never_grouped_like_quantities() -> None:
    assert Message("year {year}, {n} values", year="2024", n=12345) == "year 2024, 12,345 values"
    assert Message("{v} and {w}", v=0.25, w=1234.5).told(_vi, _vi_number) == "0,25 and 1.234,5"


def test_a_problem_with_messages_survives_json_and_pickling() -> None:
    problem = Problem(
        "t.csv", 5, "Tỉnh", Message("unit {code} has {n} rows", code="01", n=2), Message("{name} (code {code})", name="A", code="1")
    )
    again = Problem.from_json(json.loads(json.dumps(problem.to_json())))
    assert again == problem and again.message.told(_vi, _vi_number) == "đơn vị 01 có 2 dòng"
    assert pickle.loads(pickle.dumps(problem)).message.template == "unit {code} has {n} rows"
    plain = Problem("t.csv", None, None, "as typed", "")
    assert Problem.from_json(json.loads(json.dumps(plain.to_json()))) == plain


@given(st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False))
def test_any_parameters_round_trip_through_json(text: str, whole: int, decimal: float) -> None:
    message = Message("{a} {b} {c} {d}", a=text, b=whole, c=decimal, d=(Message("{x}", x=text), text))
    again = from_json(json.loads(json.dumps(told_json(message))))
    assert again == message and again.told(lambda t: t, str) == message.told(lambda t: t, str)


def test_a_report_groups_messages_by_template_and_counts_the_rest_in_a_message() -> None:
    report = Report()
    for row in range(KEEP_PER_KIND + 3):
        report.add("t.csv", row + 2, "value", Message('value "{text}" is not a number', text=f"x{row}"))
    (line,) = report.omitted()
    assert isinstance(line, Message) and line == 't.csv, column “value”: … and 3 more error(s) like: value "…" is not a number'
    catalogue = {
        "{where}: … and {n} more error(s) like: {like}": "{where}: … và {n} lỗi khác tương tự: {like}",
        "{file}, column “{column}”": "{file}, cột “{column}”",
        'value "{text}" is not a number': "giá trị “{text}” không phải là số",
    }
    assert (
        line.told(lambda t: catalogue.get(t, t), _vi_number) == "t.csv, cột “value”: … và 3 lỗi khác tương tự: giá trị “…” không phải là số"
    )
