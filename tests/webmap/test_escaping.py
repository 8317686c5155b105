"""Text from data never becomes markup: names, sources and programme text with <script> and onerror."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from tests.synthetic import IMG, SCRIPT

PAGES = ["/", "/?lang=en", "/?indicator=population&year=2011", "/province/31", "/province/30?boundary=2008&lang=en", "/program"]
PAGES += ["/ward/00005", "/ward/00005?lang=en", "/search?q=hai+phong", "/search?q=hai+phong&lang=en"]


@pytest.mark.parametrize("url", PAGES)
def test_hostile_text_is_escaped(hostile_app, url: str) -> None:
    response = hostile_app.test_client().get(url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert not soup.find("img"), "an <img> from data became markup"
    for script in soup.find_all("script"):
        text = script.string or ""
        assert "<img" not in text and "<script" not in text and "</script" not in text
    assert all(not tag.get("onerror") for tag in soup.find_all(True))


def test_map_config_keeps_markup_as_plain_text(hostile_app) -> None:
    html = hostile_app.test_client().get("/?lang=en").get_data(as_text=True)
    raw = re.search(r"urbanmap\.draw\([^,]+, (\{.*\})\);", html).group(1)
    assert "<script" not in raw and "<img" not in raw  # tojson escapes < and >
    config = json.loads(raw)
    assert config["units"]["31"]["name"].endswith(SCRIPT)  # the text is kept, as text


def test_hostile_source_title_shows_as_text(hostile_app) -> None:
    soup = BeautifulSoup(hostile_app.test_client().get("/?indicator=population&year=2011").data, "html.parser")
    assert IMG in soup.get_text()
