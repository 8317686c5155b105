"""Links to sources as pages show them, made in Python (a page has hundreds: a Jinja macro per link cost more
than the rest of the table). Registered as the templates' ``link`` and ``sources``."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from etl.links import is_web_address
from webmap.render import text

SHORT = 40  # characters of a source's short title in a table
_VIETNAMESE = re.compile(
    "[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ]"
)
# where a title joins a publisher to a name ("VnExpress International: Top 10 …"), or adds a gloss in brackets
_PARTS = re.compile(r"( – | — |: | \(|\))")
_ENGLISH = re.compile(r"\b(?:the|of|and|with|from|for)\b", re.IGNORECASE)  # words no Vietnamese text has
_WORD = re.compile(r"[A-Za-z]*[a-z]{3,}")


def language_of(text: str) -> str | None:
    """ "en" for text with an English function word ("conclusions of PM Phạm Minh Chính") or with Latin words
    and no Vietnamese letter; "vi" for other text with a Vietnamese letter; None for neither (numbers, codes,
    "GSO")."""
    if _ENGLISH.search(text):
        return "en"
    if _VIETNAMESE.search(text):
        return "vi"
    return "en" if _WORD.search(text) else None


def in_language(text: object, lang: str) -> Markup:
    """``text`` escaped, each part (split at " – ", ": " and brackets) in another language than the page's
    ``lang`` inside ``<span lang="…">`` (as screen readers need): a publication's English title on a Vietnamese
    page. Memoised: a page shows the same few dozen titles on every row."""
    return _in_language(str(text), lang)


@functools.lru_cache(maxsize=4096)  # titles of the data's sources × 2 languages: bounded by the data
def _in_language(text: str, lang: str) -> Markup:
    out = []
    for part in _PARTS.split(text):
        found = language_of(part)
        out.append(Markup('<span lang="%s">%s</span>') % (found, part) if found and found != lang else escape(part))
    return Markup("").join(out)


def link(url: object, text: object, hover: object = None) -> Markup:
    """``text`` as a link to ``url`` when that is an http(s) address, else as plain text; ``hover`` (the full
    title) as its tooltip; all escaped (``text`` may be Markup already)."""
    title = Markup(' title="%s"') % hover if hover else Markup("")
    if is_web_address(url):
        return Markup('<a href="%s" rel="noopener noreferrer external"%s>%s</a>') % (url, title, text)
    return Markup("<span%s>%s</span>") % (title, text) if hover else escape(text)


def short_title(title: str, limit: int = SHORT) -> str:
    """A source's title as a table shows it: cut at a word to at most ``limit`` characters, with "…" (the
    title itself when it is that short)."""
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(",:;–—- ") + "…"


def sources(items: Iterable[Mapping[str, object]], short: bool = False, lang: str | None = None) -> Markup:
    """Each source's title as published, linked where it has a web address, separated by "; "; ``short``: the
    short title, the full one on hover; parts in another language than ``lang`` (the page's) marked as such."""
    lang = lang or text.locale()
    if short:
        return Markup("; ").join(
            link(
                item["url"], in_language(short_title(str(item["title"])), lang), item["title"] if len(str(item["title"])) > SHORT else None
            )
            for item in items
        )
    return Markup("; ").join(link(item["url"], in_language(item["title"], lang)) for item in items)
