"""Classifying values into colour classes: quantiles, natural breaks (Fisher-Jenks), equal interval.

Colours are ColorBrewer schemes that are safe for colour-blind readers:
YlOrRd (dark = worse, for indicators where the catalogue says which way is
worse) and YlGnBu (dark = more, where it says neither); RdBu, diverging at
zero, for the gap to a target (red below, blue at or above).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

METHODS = ("quantiles", "jenks", "equal")
CLASS_RANGE = (3, 7)
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


def quantile_breaks(values: np.ndarray, k: int) -> list[float]:
    """Upper bounds of k classes holding equal shares of the values (the value at rank ceil(i·n/k))."""
    data = np.sort(values)
    n = len(data)
    return [float(data[max(0, -(-i * n // k) - 1)]) for i in range(1, k + 1)]


def equal_breaks(values: np.ndarray, k: int) -> list[float]:
    lo, hi = float(values.min()), float(values.max())
    return [lo + (hi - lo) * i / k for i in range(1, k)] + [hi]


def jenks_breaks(values: np.ndarray, k: int) -> list[float]:
    """Fisher-Jenks natural breaks: the k classes of sorted values with least within-class squared deviation."""
    data = np.sort(values.astype(float))
    n = len(data)
    cost = np.full((k + 1, n + 1), np.inf)
    split = np.zeros((k + 1, n + 1), dtype=int)
    cost[0, 0] = 0.0
    prefix = np.concatenate([[0.0], np.cumsum(data)])
    prefix2 = np.concatenate([[0.0], np.cumsum(data**2)])

    def ssd(i: int, j: int) -> float:  # sum of squared deviations of data[i:j]
        s, s2, m = prefix[j] - prefix[i], prefix2[j] - prefix2[i], j - i
        return s2 - s * s / m

    for c in range(1, k + 1):
        for j in range(c, n + 1):
            for i in range(c - 1, j):
                total = cost[c - 1, i] + ssd(i, j)
                if total < cost[c, j]:
                    cost[c, j], split[c, j] = total, i
    ends, j = [], n
    for c in range(k, 0, -1):
        ends.append(float(data[j - 1]))
        j = split[c, j]
    return sorted(ends)


def classify(values: Sequence[float], method: str, k: int, worse: str) -> Classes | None:
    """Classes for ``values`` (NaN ignored); ``worse`` is 'yes', 'no' or '' (catalogue higher_is_worse)."""
    data = np.asarray([v for v in values if v == v], dtype=float)
    if len(data) == 0:
        return None
    k = max(1, min(k, len(np.unique(data))))
    breaks = {"quantiles": quantile_breaks, "jenks": jenks_breaks, "equal": equal_breaks}[method](data, k)
    breaks = sorted(dict.fromkeys(breaks))  # a repeated break would make an empty class
    lower = [float(data.min())] + breaks[:-1]
    scheme = SCHEMES["YlOrRd" if worse in ("yes", "no") else "YlGnBu"]
    n = len(breaks)
    colours = scheme[n] if n >= 3 else [scheme[3][0], scheme[3][2]][2 - n :]
    if worse == "no":
        colours = colours[::-1]  # low values are the worse ones: darkest first
    return Classes(lower, breaks, colours)


def classify_gap(gaps: Sequence[float]) -> Classes | None:
    """Diverging classes around zero: up to three below the target, up to three at or above it."""
    data = np.asarray([g for g in gaps if g == g], dtype=float)
    if len(data) == 0:
        return None
    lower: list[float] = []
    upper: list[float] = []
    colours: list[str] = []
    below, above = data[data < 0], data[data >= 0]
    if len(below):
        k = min(3, len(np.unique(below)))
        edges = equal_breaks(below, k)
        lower += [float(below.min())] + edges[:-1]
        upper += edges[:-1] + [-1e-12]
        colours += RED_BLUE["below"][k]
    if len(above):
        k = min(3, len(np.unique(above)))
        edges = equal_breaks(above, k)
        lower += [0.0] + edges[:-1]
        upper += edges
        colours += RED_BLUE["above"][k]
    return Classes(lower, upper, colours)
