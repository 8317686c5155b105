"""The sources a build was made without: files published by others that were found nowhere when it was built.

Read from the manifest's ``uninstalled`` (builds made before the source registry have none): per source its id,
titles, origin, and what it would have given, the indicators (derived ones included), the boundary sets whose units
it holds and the sets whose outlines it holds. Pages say "nguồn chưa được cài đặt" where they would show these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Missing:
    """One source not installed in this build, and what it would have given."""

    source: str
    title_vi: str
    title_en: str
    origin: str
    indicators: frozenset[str]
    boundary_sets: dict[str, str]  # set left out of the build -> its parent set ("" for a province set)
    outlines: frozenset[str]

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi


class Uninstalled:
    """The sources one build lacks, asked by indicator or boundary set."""

    def __init__(self, manifest: dict) -> None:
        self.sources: list[Missing] = [
            Missing(
                str(entry["source"]),
                str(entry["title_vi"]),
                str(entry["title_en"]),
                str(entry.get("origin", "")),
                frozenset(entry.get("indicators", ())),
                {str(b["set"]): str(b.get("parent_set", "")) for b in entry.get("boundary_sets", ())},
                frozenset(str(b["set"]) for b in entry.get("outlines", ())),
            )
            for entry in manifest.get("uninstalled", ())
        ]

    def __bool__(self) -> bool:
        return bool(self.sources)

    def for_indicator(self, indicator: str) -> list[Missing]:
        """The missing sources that would have given values of ``indicator``."""
        return [m for m in self.sources if indicator in m.indicators]

    def for_indicators(self, indicators: list[str]) -> list[Missing]:
        """The missing sources that would have given values of any of ``indicators`` (an issue's), once each."""
        wanted = set(indicators)
        return [m for m in self.sources if m.indicators & wanted]

    def for_set(self, boundary: str) -> Missing | None:
        """The missing source holding the units of boundary set ``boundary`` (a set left out of the build), or None."""
        return next((m for m in self.sources if boundary in m.boundary_sets), None)

    def ward_set_in(self, boundary: str) -> tuple[str, Missing] | None:
        """(set id, source) of a ward-level set below province set ``boundary`` left out of the build, or None."""
        return next(((b, m) for m in self.sources for b, parent in m.boundary_sets.items() if parent == boundary), None)

    def for_outlines(self, boundary: str) -> Missing | None:
        """The missing source holding the outlines of ``boundary`` (the set is drawn with its own file's), or None."""
        return next((m for m in self.sources if boundary in m.outlines), None)
