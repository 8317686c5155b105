"""Problems found in inputs, and the error that carries them.

Every validator in the ETL reports what it finds as :class:`Problem` values
instead of raising at the first one, so that ``urbanmap check`` can list every
problem of every file at once. A problem names the file, the row (1-based, the
header being row 1, as a spreadsheet shows it), the column, what is wrong and
how to fix it.

A report keeps the first :data:`KEEP_PER_KIND` problems of each kind (same file,
column and message with its quoted values and numbers left out) and counts the
rest, so that a file with a million bad rows is reported in constant memory
and time per row.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from etl.messages import Message, from_json, told_json

ERROR = "error"
WARNING = "warning"
KEEP_PER_KIND = 100
_VARIABLE = re.compile(r'"[^"]*"|\d+(?:[.,]\d+)*')


def kind_of(file: str, column: str | None, message: str, severity: str) -> tuple[str, str, str, str]:
    """The kind of a problem: its file, column, severity and message without the values it quotes (a
    :class:`Message` with "…" for each of its parameters)."""
    if isinstance(message, Message):
        return file, column or "", severity, Message(message.template, **dict.fromkeys(message.params, "…"))
    return file, column or "", severity, _VARIABLE.sub("…", message)


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

    def to_json(self) -> dict:
        """The problem as JSON, its message and fix with their templates (:meth:`from_json` reads it back)."""
        return {**self.__dict__, "message": told_json(self.message), "fix": told_json(self.fix)}

    @classmethod
    def from_json(cls, data: dict) -> Problem:
        return cls(**{**data, "message": from_json(data["message"]), "fix": from_json(data["fix"])})


@dataclass
class Report:
    """Problems collected while reading and validating a set of inputs (the first 100 of each kind kept)."""

    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    unkept: Counter = field(default_factory=Counter)  # problems not kept by another report merged into this one, by kind

    def add(
        self,
        file: str | Path,
        row: int | None,
        column: str | None,
        message: str,
        fix: str = "",
        severity: str = ERROR,
    ) -> None:
        kind = kind_of(str(file), column, message, severity)
        self.counts[kind] += 1
        if self.counts[kind] <= KEEP_PER_KIND:
            self.problems.append(Problem(str(file), row, column, message, fix, severity))

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.add(p.file, p.row, p.column, p.message, p.fix, p.severity)

    def merge(self, other: Report, place: Callable[[Problem], tuple[int | None, str | None]]) -> None:
        """Add ``other``'s problems, each told at ``place(problem)`` (row, column), and count those it did not keep
        (they stay under their own place: ``omitted`` says how many)."""
        for p in other.problems:
            row, column = place(p)
            self.add(p.file, row, column, p.message, p.fix, p.severity)
        for kind, n in other.counts.items():
            if n > KEEP_PER_KIND:
                self.unkept[kind] += n - KEEP_PER_KIND
        self.unkept.update(other.unkept)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def count(self, severity: str) -> int:
        """Problems of ``severity`` found, including those not kept."""
        return sum(n for kind, n in (self.counts + self.unkept).items() if kind[2] == severity)

    def has_errors(self) -> bool:
        return any(kind[2] == ERROR for kind in self.counts + self.unkept)

    def omitted(self, severity: str = ERROR) -> list[str]:
        """One line (a :class:`Message`) per kind with problems not kept: how many more, and of what."""
        more = self.unkept + Counter({kind: n - KEEP_PER_KIND for kind, n in self.counts.items() if n > KEEP_PER_KIND})
        return [_more(file, column, severity, like, n) for (file, column, sev, like), n in sorted(more.items()) if sev == severity]

    def raise_if_errors(self) -> None:
        if self.has_errors():
            raise InputError(self.errors, self.omitted(), self.count(ERROR))


def _more(file: str, column: str, severity: str, like: str, n: int) -> Message:
    where = Message("{file}, column “{column}”", file=file, column=column) if column else file
    if severity == ERROR:
        return Message("{where}: … and {n} more error(s) like: {like}", where=where, n=n, like=like)
    return Message("{where}: … and {n} more warning(s) like: {like}", where=where, n=n, like=like)


class InputError(Exception):
    """Inputs are invalid; carries every problem found (the first 100 of each kind, and a count of the rest)."""

    def __init__(self, problems: list[Problem], omitted: list[str] | None = None, total: int | None = None) -> None:
        self.problems = problems
        self.omitted = omitted or []
        self.total = total if total is not None else len(problems)
        lines = "\n".join([*(str(p) for p in problems), *self.omitted])
        super().__init__(f"{self.total} problem(s) in the inputs:\n{lines}")
