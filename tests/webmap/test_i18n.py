"""Both languages: every message translated, the compiled catalogue current, numbers per locale."""

from __future__ import annotations

import csv
import io
import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from etl.catalogue import ISSUES
from etl.program import OTHER_ISSUES
from webmap.render.text import number, unit_labels, value_label

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "webmap/translations/vi/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
ISSUE_IDS = [*ISSUES, *OTHER_ISSUES]
METHODS = [("webmap/**.py", "python"), ("etl/**.py", "python"), ("webmap/templates/**.html", "jinja2")]


def _extracted() -> set[str]:
    messages = extract_from_dir(str(ROOT), METHODS, keywords={"_": None, "gettext": None, "_l": None, "Message": None})
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in messages}


def test_every_message_has_a_vietnamese_translation() -> None:
    catalog = read_po(PO.open("rb"))
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(_extracted() - translated)
    assert not missing, f"add to {PO} (pybabel update, then compile): {missing}"


def _fields(text: str) -> tuple[set[str], set[str]]:
    """The ``{name}`` fields (etl.messages) and the ``%(name)s`` placeholders (Flask-Babel) of a message."""
    braces = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    return braces, set(re.findall(r"%\(([a-z_]+)\)[sd]", text))


def test_every_translation_names_the_placeholders_of_its_message() -> None:
    """A translation that leaves out or misspells a placeholder would be shown in English (etl.messages) or fail."""
    wrong = [m.id for m in read_po(PO.open("rb")) if m.id and isinstance(m.id, str) and m.string and _fields(m.id) != _fields(m.string)]
    assert not wrong, wrong


def test_compiled_catalogue_matches_the_po_file() -> None:
    def key(text):  # a plural message's id and string are sequences
        return text if isinstance(text, str) else tuple(text)

    po = {key(m.id): key(m.string) for m in read_po(PO.open("rb")) if m.id}
    mo = {key(m.id): key(m.string) for m in read_mo(io.BytesIO(MO.read_bytes())) if m.id}
    assert po == mo, "run: pybabel compile -d webmap/translations"


def test_numbers_follow_the_locale(tiny_app) -> None:
    with tiny_app.test_request_context("/"):
        assert number(1234.5, "vi") == "1.234,5" and number(1234.5, "en") == "1,234.5"
        assert value_label(2287, "lower_bound", "vi") == "≥ 2.287"
        assert value_label(920, "upper_bound", "en") == "≤ 920"
        assert number(float("nan"), "vi") == "—"


@pytest.mark.parametrize(
    ("url", "vi", "en"),
    [
        ("/api/provinces.xyz", "Định dạng “xyz” không hợp lệ.", "Unknown format “xyz”."),
        ("/ogc/collections/nope?f=json", "Bộ sưu tập “nope” không hợp lệ.", "Unknown collection “nope”."),
        (
            "/ogc/collections/provinces_2025/items?limit=0&f=json",
            "limit phải là số nguyên từ 1 đến",
            "limit must be a whole number from 1 to",
        ),
        ("/geometry/land_x.geojson", "Lớp “land_x” không hợp lệ.", "Unknown layer “land_x”."),
    ],
)
def test_errors_of_the_download_and_ogc_endpoints_speak_vietnamese_first(shipped_app, url: str, vi: str, en: str) -> None:
    client = shipped_app.test_client()
    assert vi in client.get(url).get_data(as_text=True)
    client.set_cookie("lang", "en")  # the OGC API takes no lang parameter: the language a page switch remembered
    assert en in client.get(url).get_data(as_text=True)


class _VisibleText(HTMLParser):
    """The text a reader sees, without what sits inside an element marked ``lang="en"``, a script or a style."""

    VOID = {"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.hidden: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in self.VOID:
            inherited = bool(self.hidden and self.hidden[-1][1])
            self.hidden.append((tag, inherited or dict(attrs).get("lang") == "en" or tag in ("script", "style")))

    def handle_endtag(self, tag) -> None:
        while tag not in self.VOID and self.hidden and self.hidden.pop()[0] != tag:
            pass

    def handle_data(self, data) -> None:
        if not (self.hidden and self.hidden[-1][1]):
            self.parts.append(data)


def _english_texts() -> set[str]:
    """Every English text a page could show: the messages of the English catalogue (those that are not the same
    in Vietnamese) and the ``*_en`` text of the shipped catalogue and programme; longer than a word or two."""
    texts = set()
    for message in read_po((ROOT / "webmap/translations/vi/LC_MESSAGES/messages.po").open("rb")):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in ids:
            fixed = re.split(r"%\([a-z_]+\)[sd]", text)  # the parts around the placeholders
            texts |= {p.strip() for p in fixed if len(p.strip()) >= 14 and p.strip() != message.string}
    for table in (*(ROOT / "geodata/raw/program").glob("*.csv"), ROOT / "geodata/raw/catalogue/indicators.csv"):
        for row in csv.DictReader(table.open(encoding="utf-8")):
            texts |= {v for k, v in row.items() if k.endswith("_en") and v and len(v) >= 14}
    return texts


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?issue=flooding&boundary=2025",
        "/?issue=social_infrastructure&boundary=2025",
        "/?issue=green_space",
        "/?mode=progress&target=148-nq-cp-2025-national-urbanisation-rate&boundary=2008",
        "/methods/progress",
        "/program/progress",
        "/indicator/patient_beds_per_10000",
        "/indicator/urban_population_share",
        "/?indicator=population&from=2010&year=2016&boundary=2008",
        "/province/79?boundary=2025",
        "/province/01",
        "/program",
        "/compare?units=01,79,48",
        "/search?q=hue",
        "/ogc?f=html",
        "/ogc/collections?f=html",
        "/ogc/collections/provinces_2025?f=html",
        "/ogc/collections/wards_2025/items?f=html&limit=5",
        "/ogc/collections/provinces_2008/items/01?f=html",
        "/nowhere",
    ],
)
def test_a_vietnamese_page_has_no_english_catalogue_text(shipped_app, url: str) -> None:
    """With lang=vi, no message of the English catalogue and no English data text outside an element marked
    lang="en" (a publication's title as published)."""
    client = shipped_app.test_client()
    client.set_cookie("lang", "vi")
    parser = _VisibleText()
    parser.feed(client.get(url).get_data(as_text=True))
    text = re.sub(r"\s+", " ", " ".join(parser.parts))
    assert "Hà Nội" in text or "urbanmap" in text
    assert not [e for e in _english_texts() if e in text]
    assert not re.findall(rf"\b(?:{'|'.join(ISSUE_IDS)})\b", text)  # issues as words, never as their ids


def test_every_unit_of_the_catalogue_has_words_in_the_pages_languages(tiny_app) -> None:
    """A unit the pages show is never the stored English id on a Vietnamese page ("beds per 10,000 people")."""
    units = {row["unit"] for row in csv.DictReader((ROOT / "geodata/raw/catalogue/indicators.csv").open(encoding="utf-8"))}
    with tiny_app.test_request_context("/?lang=vi"):
        labels = unit_labels()
        missing = sorted(u for u in units if u not in labels)
    assert not missing
