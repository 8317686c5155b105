"""What the checks of an input say, told in the request's language: a problem's place (file, row, column), its
severity, message and fix, on the intake pages. The command line tells the same problems in English
(:class:`etl.problems.Problem`'s ``str``).

The messages of ``etl/`` are :class:`etl.messages.Message` values; their Vietnamese is in the app's catalogue
with the app's own messages. Text that is not a Message (a name, a value as typed) is shown as it is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from babel.support import NullTranslations, Translations

from etl import messages
from etl.problems import ERROR, Problem
from webmap.render import text
from webmap.render.text import _


def told(message: str) -> str:
    """``message`` in the request's language (a :class:`etl.messages.Message`), any other text as it is."""
    return messages.told(message, text.translations().ugettext, text.exact_number)


TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


@functools.lru_cache(maxsize=4)
def _catalogue(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [language])


def teller(language: str) -> Callable[[str], str]:
    """:func:`told` in ``language`` outside a request (a background job, which has no page to ask)."""
    catalogue = _catalogue(language)
    return lambda message: messages.told(message, catalogue.ugettext, lambda value: text.exact_number(value, language))


def problem_line(problem: Problem | str) -> str:
    """One problem as a sentence of the request's language: where, what, and how to fix it ("tidy.csv, dòng 5,
    cột “value”: lỗi: … Cách sửa: …"); a line that is not a problem (a count of those not listed) told as it is."""
    if not isinstance(problem, Problem):
        return told(problem)
    where = _input_name(problem.file)
    if problem.row is not None:
        where = _("%(where)s, row %(row)s", where=where, row=problem.row)
    if problem.column:
        where = _("%(where)s, column “%(column)s”", where=where, column=problem.column)
    severity = _("error") if problem.severity == ERROR else _("warning")
    line = _("%(where)s: %(severity)s: %(message)s", where=where, severity=severity, message=told(problem.message))
    if problem.fix:
        line = _("%(line)s Fix: %(fix)s", line=line, fix=told(problem.fix))
    return line


_STORED_INPUT = re.compile(r"(submission|programme edit) ([0-9]+)")  # the names a build gives stored inputs


def _input_name(file: str) -> str:
    """The name of the input a problem is in: a stored submission or programme edit named in the request's
    language; a file by its own name."""
    stored = _STORED_INPUT.fullmatch(file)
    if stored is None:
        return file
    if stored.group(1) == "submission":
        return _("submission %(id)s", id=stored.group(2))
    return _("programme edit %(id)s", id=stored.group(2))


def problem_lines(problems: Sequence[Problem | str], limit: int | None = None) -> list[str]:
    """:func:`problem_line` of each of the first ``limit`` (all: None) of ``problems``."""
    return [problem_line(p) for p in problems[:limit]]
