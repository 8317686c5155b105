"""Classifying values into colour classes with mapclassify: quantiles, natural breaks (Fisher-Jenks), equal
interval, and for skewed data head/tail breaks and box plot.

Colours are ColorBrewer schemes that are safe for colour-blind readers:
YlOrRd (dark = worse, for indicators where the catalogue says which way is
worse) and YlGnBu (dark = more, where it says neither); RdBu, diverging at
zero, for the gap to a target (red below, blue at or above).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

METHODS = ("quantiles", "jenks", "equal", "headtail", "box")
CLASS_RANGE = (3, 7)
MAX_CLASSES = CLASS_RANGE[1]
MISSING_COLOUR = "#d9d9d9"
SCHEMES = {
    "YlOrRd": {
        3: ["#ffeda0", "#feb24c", "#f03b20"],
        4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
        5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
        6: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
        7: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    },
    "YlGnBu": {
        3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
        4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
        5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
        6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
        7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    },
}
# RdBu: colours for 1, 2 or 3 classes below the target (most negative first) and at or above it
RED_BLUE = {
    "below": {1: ["#ef8a62"], 2: ["#b2182b", "#fddbc7"], 3: ["#b2182b", "#ef8a62", "#fddbc7"]},
    "above": {1: ["#67a9cf"], 2: ["#d1e5f0", "#2166ac"], 3: ["#d1e5f0", "#67a9cf", "#2166ac"]},
}


@dataclass(frozen=True)
class Classes:
    """Class bounds (``lower[i]`` .. ``upper[i]``) and one colour per class."""

    lower: list[float]
    upper: list[float]
    colours: list[str]

    def index(self, value: float) -> int:
        """The class of ``value`` (the first whose upper bound is >= value)."""
        for i, upper in enumerate(self.upper):
            if value <= upper:
                return i
        return len(self.upper) - 1


def _mapclassify() -> Any:
    """mapclassify, imported on the first classification: with scipy (and matplotlib, when installed) it takes
    over 2 s to import, which a command or a test that never draws a map should not pay."""
    import mapclassify

    return mapclassify


def load_classifiers() -> None:
    """Import mapclassify now (a serving process, before its first visitor)."""
    _mapclassify()


# mapclassify's classifiers by method; head/tail breaks and box plot choose their own number of classes
CLASSIFIERS: dict[str, Callable[[np.ndarray, int], Any]] = {
    "quantiles": lambda data, k: _mapclassify().Quantiles(data, k=k),
    "jenks": lambda data, k: _mapclassify().FisherJenks(data, k=k),
    "equal": lambda data, k: _mapclassify().EqualInterval(data, k=k),
    "headtail": lambda data, _k: _mapclassify().HeadTailBreaks(data),
    "box": lambda data, _k: _mapclassify().BoxPlot(data),
}


def occupied(data: np.ndarray, bounds: list[float]) -> list[float]:
    """The upper bounds of the classes that hold at least one value, the last one the largest value: no two
    classes with the same bounds, no empty class (a box plot's fence beyond the data, repeated quantiles)."""
    ordered = np.sort(data)
    top = float(ordered[-1])
    kept: list[float] = []
    low = -np.inf
    for bound in sorted(min(float(b), top) for b in bounds) + [top]:
        if bound > low and np.any((ordered > low) & (ordered <= bound)):
            kept.append(bound)
            low = bound
    return kept


def classify(values: Sequence[float], method: str, k: int, worse: str) -> Classes | None:
    """Classes for ``values`` (NaN ignored) by ``method`` (mapclassify's quantiles, Fisher-Jenks, equal interval,
    head/tail breaks, box plot); ``worse`` is 'yes', 'no' or '' (catalogue higher_is_worse). At most ``k`` classes
    (head/tail and box plot choose their own number, at most 7), never more than there are distinct values and
    never an empty one: ``len(classes.upper)`` says how many were used."""
    data = np.asarray([v for v in values if v == v], dtype=float)
    if len(data) == 0:
        return None
    k = max(1, min(k, len(np.unique(data))))
    with warnings.catch_warnings():  # "not enough unique values to form k classes": occupied() keeps those there are
        warnings.simplefilter("ignore", UserWarning)
        bounds = [float(data.max())] if k == 1 else [float(b) for b in CLASSIFIERS[method](data, k).bins]
    breaks = occupied(data, bounds)
    if len(breaks) > MAX_CLASSES:  # head/tail breaks of a long tail: the lowest classes merged
        breaks = breaks[-MAX_CLASSES:]
    lower = [float(data.min())] + breaks[:-1]
    scheme = SCHEMES["YlOrRd" if worse in ("yes", "no") else "YlGnBu"]
    n = len(breaks)
    colours = scheme[n] if n >= 3 else [scheme[3][0], scheme[3][2]][2 - n :]
    if worse == "no":
        colours = colours[::-1]  # low values are the worse ones: darkest first
    return Classes(lower, breaks, colours)


def classify_gap(gaps: Sequence[float], rising_is_worse: bool = False) -> Classes | None:
    """Diverging classes around zero: up to three below the target (or a fall), up to three at or above it (or a
    rise); red is the worse side: below, or above where ``rising_is_worse`` (a change of what is worse when higher)."""
    data = np.asarray([g for g in gaps if g == g], dtype=float)
    if len(data) == 0:
        return None
    lower: list[float] = []
    upper: list[float] = []
    colours: list[str] = []
    below, above = data[data < 0], data[data >= 0]
    if len(below):
        k = min(3, len(np.unique(below)))
        edges = _equal(below, k)
        lower += [float(below.min())] + edges[:-1]
        upper += edges[:-1] + [-1e-12]
        colours += RED_BLUE["above"][k][::-1] if rising_is_worse else RED_BLUE["below"][k]
    if len(above):
        k = min(3, len(np.unique(above)))
        edges = _equal(above, k)
        lower += [0.0] + edges[:-1]
        upper += edges
        colours += RED_BLUE["below"][k][::-1] if rising_is_worse else RED_BLUE["above"][k]
    return Classes(lower, upper, colours)


def _equal(data: np.ndarray, k: int) -> list[float]:
    """Upper bounds of ``k`` classes of equal width (mapclassify's equal interval; one class of a single value)."""
    return [float(data.max())] if k == 1 else [float(b) for b in _mapclassify().EqualInterval(data, k=k).bins]
