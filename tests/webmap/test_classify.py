"""Classification (mapclassify): quantiles, Fisher-Jenks natural breaks, equal interval, head/tail breaks, box plot,
gaps around zero; never an empty class or two with the same bounds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from webmap.render.classify import MAX_CLASSES, METHODS, SCHEMES, classify, classify_gap


def test_jenks_finds_the_obvious_groups() -> None:
    values = np.array([1, 2, 3, 10, 11, 12, 50, 51, 52], dtype=float)
    assert classify(values, "jenks", 3, "").upper == [3.0, 12.0, 52.0]


def test_jenks_matches_brute_force_on_small_sets() -> None:
    from itertools import combinations

    rng = np.random.default_rng(1)
    values = np.sort(rng.uniform(0, 100, 9))

    def ssd(parts):
        return sum(((p - p.mean()) ** 2).sum() for p in parts)

    best = min((ssd(np.split(values, list(cut))), cut) for cut in combinations(range(1, 9), 2))
    expected = [float(values[best[1][0] - 1]), float(values[best[1][1] - 1]), float(values[-1])]
    assert classify(values, "jenks", 3, "").upper == expected


def test_quantiles_and_equal_interval() -> None:
    values = list(range(1, 11))
    quantiles = classify(values, "quantiles", 5, "")
    assert [sum(1 for v in values if quantiles.index(v) == i) for i in range(5)] == [2, 2, 2, 2, 2]
    assert classify(values, "equal", 3, "").upper == pytest.approx([4, 7, 10])


def test_skewed_data_head_tail_and_box_plot() -> None:
    skewed = [1.0] * 30 + [2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987]
    head_tail = classify(skewed, "headtail", 5, "yes")
    assert 3 <= len(head_tail.upper) <= 7 and head_tail.upper[-1] == 987
    box = classify(skewed, "box", 5, "yes")
    assert box.upper[-1] == 987 and box.lower[0] == 1.0
    assert all(any(box.index(v) == i for v in skewed) for i in range(len(box.upper)))  # no empty class (the low fence)


def test_direction_sets_the_colours() -> None:
    worse_high = classify([1, 2, 3, 4, 5], "quantiles", 5, "yes")
    worse_low = classify([1, 2, 3, 4, 5], "quantiles", 5, "no")
    assert worse_high.colours == SCHEMES["YlOrRd"][5] and worse_low.colours == SCHEMES["YlOrRd"][5][::-1]
    assert classify([1, 2, 3, 4, 5], "quantiles", 5, "").colours == SCHEMES["YlGnBu"][5]


def test_few_distinct_values_give_fewer_classes() -> None:
    classes = classify([7.0, 7.0, 9.0], "quantiles", 5, "yes")
    assert len(classes.upper) == 2 and len(classes.colours) == 2
    assert classify([float("nan")], "jenks", 5, "") is None


def test_gap_classes_split_at_zero() -> None:
    classes = classify_gap([-3.0, -1.0, 0.5, 2.0])
    assert classes.colours[0] == "#b2182b" and classes.colours[-1].startswith("#")
    assert classes.index(-2.5) < classes.index(-0.5) < classes.index(0.0) <= classes.index(2.0)
    assert all(u < 0 for u, c in zip(classes.upper, classes.colours) if c in ("#b2182b", "#ef8a62", "#fddbc7"))


@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=40),
    st.sampled_from(METHODS),
    st.integers(3, 7),
)
def test_every_value_falls_in_a_class_in_order(values: list[float], method: str, k: int) -> None:
    classes = classify(values, method, k, "yes")
    chosen_by_method = method in ("headtail", "box")  # they set their own number of classes
    assert classes is not None and len(classes.colours) == len(classes.upper) <= (MAX_CLASSES if chosen_by_method else k)
    assert classes.upper == sorted(set(classes.upper)) and classes.upper[-1] == max(values)  # no two with the same bounds
    assert len(classes.upper) <= len(set(values))
    for v in values:
        i = classes.index(v)
        assert v <= classes.upper[i] and (i == 0 or v > classes.upper[i - 1])
    assert {classes.index(v) for v in values} == set(range(len(classes.upper)))  # every class holds a value
