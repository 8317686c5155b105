"""Messages that can be told in either language: what the checks say about an input, in English for the
command line and the logs, and in the page's language on the intake pages.

A :class:`Message` *is* its English text (a ``str``: everything that takes a message keeps working), and keeps
its template and parameters, so that the web app can tell it again through its catalogue (the template is the
message id: ``pybabel extract`` finds every ``Message("…")`` of ``etl/``, see ``babel.cfg``).

Templates use ``{name}`` placeholders without format specs (``{{`` and ``}}`` for braces). Parameters are
text (a value as the file has it, a code, a year, a row number: shown as given), whole or decimal numbers that
are quantities (told in the language's number format: 200,000 / 200.000), messages themselves (told in the
same language), or tuples of these (a list, told item by item and joined by "; ").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Union

Param = Union[str, int, float, "Message", tuple["Param", ...]]
Translate = Callable[[str], str]
Number = Callable[[float], str]


def _english_number(value: float) -> str:
    """A quantity as English writes it, with every digit it has: 200,000; 1,234.5; 0.25."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return format(Decimal(repr(value)).normalize(), ",f") if isinstance(value, float) else f"{value:,}"


class Message(str):
    """English text, with the template and parameters it was made from (:meth:`told` tells it again)."""

    template: str
    params: Mapping[str, Param]

    def __new__(cls, template: str, /, **params: Param) -> Message:
        self = super().__new__(cls, _fill(template, params, None, _english_number))
        self.template = template
        self.params = params
        return self

    def __reduce__(self) -> tuple:  # copies and pickles: made again from the template and parameters
        return (_made, (self.template, dict(self.params)))

    def told(self, translate: Translate, number: Number) -> str:
        """The message in the language of ``translate`` (a gettext), its numbers written by ``number`` (in English
        where the translation does not name the template's placeholders)."""
        try:
            return _fill(translate(self.template), self.params, translate, number)
        except (KeyError, IndexError, ValueError):
            return _fill(self.template, self.params, translate, number)

    def to_json(self) -> dict:
        """The template and parameters as JSON (:meth:`from_json` makes the message again)."""
        return {"template": self.template, "params": {k: told_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Message:
        return cls(data["template"], **{k: from_json(v) for k, v in data["params"].items()})


def _fill(template: str, params: Mapping[str, Param], translate: Translate | None, number: Number) -> str:
    return template.format(**{k: _param(v, translate, number) for k, v in params.items()})


def _param(value: Param, translate: Translate | None, number: Number) -> str:
    if isinstance(value, Message):
        return value.told(translate, number) if translate is not None else str(value)
    if isinstance(value, (bool, str)):
        return str(value)
    if isinstance(value, tuple):
        return "; ".join(_param(v, translate, number) for v in value)
    return number(value)


def _made(template: str, params: dict[str, Param]) -> Message:
    return Message(template, **params)


def told(text: str, translate: Translate, number: Number) -> str:
    """``text`` in the language of ``translate`` if it is a :class:`Message`; any other text as it is."""
    return text.told(translate, number) if isinstance(text, Message) else text


def told_json(text: Param) -> object:
    """A message (or plain text, a number, a tuple of these) as JSON."""
    if isinstance(text, tuple):
        return {"items": [told_json(t) for t in text]}
    return text.to_json() if isinstance(text, Message) else text


def from_json(data: object) -> Param:
    """What :func:`told_json` wrote."""
    if isinstance(data, dict):
        return tuple(from_json(t) for t in data["items"]) if "items" in data else Message.from_json(data)
    return data  # type: ignore[return-value]


def message_of(exc: BaseException) -> str:
    """The message an exception was raised with (a :class:`Message` where it was one), else its text."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], Message) else str(exc)
