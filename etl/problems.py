"""Problems found in inputs, and the error that carries them.

Every validator in the ETL reports what it finds as :class:`Problem` values
instead of raising at the first one, so that ``urbanmap check`` can list every
problem of every file at once. A problem names the file, the row (1-based, the
header being row 1, as a spreadsheet shows it), the column, what is wrong and
how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one place of one input file."""

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f', column "{self.column}"'
        text = f"{where}: {self.severity}: {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


@dataclass
class Report:
    """Problems collected while reading and validating a set of inputs."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        file: str | Path,
        row: int | None,
        column: str | None,
        message: str,
        fix: str = "",
        severity: str = ERROR,
    ) -> None:
        self.problems.append(Problem(str(file), row, column, message, fix, severity))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InputError(self.errors)


class InputError(Exception):
    """Inputs are invalid; carries every problem found (not only the first)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the inputs:\n{lines}")
