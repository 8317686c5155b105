"""The action programme of a loaded build: groups, directions, tasks, targets, the sections of Resolution 148's
appendix, and the links between indicators, issues and programme items.

Layers read: ``program_groups``, ``program_directions``, ``program_tasks``, ``program_targets``,
``program_sources``, ``program_sections``, ``indicator_links``, ``issue_directions``.
"""

from __future__ import annotations

import pandas as pd

from webmap.read.geography import Reader
from webmap.read.memo import Memo, records

TABLES = (
    "program_groups",
    "program_directions",
    "program_tasks",
    "program_targets",
    "program_sources",
    "program_sections",
    "indicator_links",
    "issue_directions",
)


class Programme:
    """The programme's tables of one build and the items linked to an issue or indicator."""

    def __init__(self, read: Reader, catalogue: pd.DataFrame, memo: Memo) -> None:
        """``catalogue``: the indicator catalogue (issue of each indicator), for :meth:`targets_for_issue`."""
        self._memo = memo
        self._catalogue = catalogue
        self.tables: dict[str, pd.DataFrame] = {name: read(name) for name in TABLES}

    def prepare(self) -> None:
        """Make the targets of every indicator (what most views use at once)."""
        self._targets_by_indicator()

    def directions_for(self, issue: str) -> pd.DataFrame:
        """The directions linked to ``issue``."""
        links = self.tables["issue_directions"]
        ids = set(links.loc[links["issue"] == issue, "direction_id"])
        directions = self.tables["program_directions"]
        return directions[directions["direction_id"].isin(ids)]

    def targets_for(self, indicator: str) -> pd.DataFrame:
        """The national targets linked to ``indicator``, by year and document (every indicator's made in one pass,
        once per build)."""
        return self._targets_by_indicator().get(indicator, self.tables["program_targets"].iloc[0:0])

    def target_rows(self, indicator: str) -> list[dict]:
        """:meth:`targets_for` as plain rows (once per build and indicator)."""
        return self._memo.get(("target_rows", indicator), lambda: records(self.targets_for(indicator)))

    def _targets_by_indicator(self) -> dict[str, pd.DataFrame]:
        def make() -> dict[str, pd.DataFrame]:
            links = self.tables["indicator_links"]
            links = links[links["item_kind"] == "target"][["indicator", "item_id"]].drop_duplicates()
            targets = self.tables["program_targets"].sort_values(["year", "document"], kind="stable")
            joined = links.merge(targets, left_on="item_id", right_on="target_key")
            return {
                str(indicator): targets[targets["target_key"].isin(set(part["target_key"]))]
                for indicator, part in joined.groupby("indicator")
            }

        return self._memo.get(("targets_by_indicator",), make)

    def targets_for_issue(self, issue: str) -> pd.DataFrame:
        """The targets linked to any indicator of ``issue``, by year and document."""
        keys = set()
        for indicator in self._catalogue.loc[self._catalogue["issue"] == issue, "indicator"]:
            keys |= set(self.targets_for(indicator)["target_key"])
        targets = self.tables["program_targets"]
        return targets[targets["target_key"].isin(keys)].sort_values(["year", "document"])

    def tasks_for_groups(self, groups: set[str]) -> pd.DataFrame:
        """The tasks of the programme groups ``groups``."""
        tasks = self.tables["program_tasks"]
        return tasks[tasks["group_id"].isin(groups)]
