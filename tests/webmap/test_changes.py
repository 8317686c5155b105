"""What a submission would change and what a publication changed, computed for all values at once: statuses,
the difference of two builds without the submitted keys, the record as stored (by columns, and the rows schema
0005 first stored) and read back."""

from __future__ import annotations

import json
import math

import pandas as pd

from webmap.intake import changes

KEY = ["boundary", "code", "indicator", "year", "period"]


def _series(*rows: tuple) -> pd.Series:
    frame = pd.DataFrame(rows, columns=[*KEY, "value"])
    return frame.set_index(KEY)["value"]


def _values(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame([(*r, True) for r in rows], columns=[*KEY, "value", "preferred"])


PUBLISHED = _series(("2025", "01", "population", 2024, "", 8000.0), ("2025", "31", "population", 2024, "", 4664.124375))


def test_each_submitted_value_has_its_status_against_the_build() -> None:
    found = changes.submitted(
        PUBLISHED,
        _values(
            ("2025", "31", "population", 2024, "", 4664.124375),  # the same digits: unchanged
            ("2025", "01", "population", 2024, "", 8100.0),
            ("2025", "79", "population", 2024, "", 9500.0),
        ),
    )
    assert list(zip(found["code"], found["status"])) == [("01", "changed"), ("31", "unchanged"), ("79", "new")]
    assert changes.count(found) == {"new": 1, "changed": 1, "unchanged": 1, "removed": 0}
    (first,) = changes.listed(found, 1)
    assert first == changes.Change("2025", "01", "population", 2024, "", 8000.0, 8100.0, "changed")


def test_between_two_builds_leaves_out_the_submitted_keys_and_tells_removed_values() -> None:
    new = _series(("2025", "01", "population", 2024, "", 8100.0), ("2008", "01", "population", 2016, "", 7500.0))
    own = changes.submitted(PUBLISHED, _values(("2025", "01", "population", 2024, "", 8100.0)))
    other = changes.between(PUBLISHED, new, leave=own)
    assert list(zip(other["boundary"], other["code"], other["status"])) == [("2008", "01", "new"), ("2025", "31", "removed")]
    assert math.isnan(other.loc[other["status"] == "removed", "new"].iloc[0])
    assert changes.between(PUBLISHED, PUBLISHED).empty


def test_a_record_reads_back_as_stored_by_columns_or_by_rows() -> None:
    record = changes.record(PUBLISHED, PUBLISHED, _values(("2025", "79", "population", 2024, "", 9500.0)))
    again = changes.Record.from_json(record.to_json())
    assert again is not None and changes.listed(again.submitted) == changes.listed(record.submitted)
    assert again.counts() == {"submitted": {"new": 1, "changed": 0, "unchanged": 0, "removed": 0}, "other": changes.count(changes.empty())}
    rows = json.dumps({"submitted": [["2025", "31", "population", 2024, "", 1.0, 2.0, "changed"]], "other": []})  # schema 0005's first form
    old = changes.Record.from_json(rows)
    assert old is not None and changes.listed(old.submitted) == [changes.Change("2025", "31", "population", 2024, "", 1.0, 2.0, "changed")]
    assert changes.Record.from_json("") is None
