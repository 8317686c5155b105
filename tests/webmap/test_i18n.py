"""Both languages: every message translated, the compiled catalogue current, numbers per locale."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from webmap.i18n import number, value_label

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "webmap/translations/vi/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
METHODS = [("webmap/**.py", "python"), ("webmap/templates/**.html", "jinja2")]


def _extracted() -> set[str]:
    messages = extract_from_dir(str(ROOT), METHODS, keywords={"_": None, "gettext": None, "_l": None})
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in messages}


def test_every_message_has_a_vietnamese_translation() -> None:
    catalog = read_po(PO.open("rb"))
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(_extracted() - translated)
    assert not missing, f"add to {PO} (pybabel update, then compile): {missing}"


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
