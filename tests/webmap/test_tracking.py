"""Links that arrive with tracking parameters open their page; other unknown parameters are still refused."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webmap.serving.tracking import TRACKING_NAMES, is_tracking, may_track
from webmap.views.params import MAP_KEYS


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("/?indicator=area&utm_source=zalo&utm_medium=social", "/?indicator=area"),
        ("/?zarsrc=30&utm_source=zalo", "/"),
        ("/province/92?boundary=2025&fbclid=IwAR0abc", "/province/92?boundary=2025"),
        ("/compare?codes=31&codes=92&gclid=x&_hsenc=p2&mc_eid=1", "/compare?codes=31&codes=92"),
        ("/ward/31120?UTM_Campaign=tet&lang=en", "/ward/31120?lang=en"),
    ],
)
def test_tracking_parameters_redirect_once_to_the_clean_page(client, url: str, clean: str) -> None:
    response = client.get(url)
    assert response.status_code == 301
    location = urlsplit(response.headers["Location"])
    assert location.path == urlsplit(clean).path
    assert parse_qsl(location.query) == parse_qsl(urlsplit(clean).query)
    assert client.get(response.headers["Location"]).status_code == 200


def test_other_unknown_parameters_still_get_a_400_listing_the_valid_ones(client) -> None:
    response = client.get("/?indicator=area&utm_source=zalo&colour=red")
    assert response.status_code == 301
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 400 and "colour" in followed.get_data(as_text=True)


def test_the_ogc_api_keeps_its_own_rules(client) -> None:
    response = client.get("/ogc/collections?f=json&utm_source=x")
    assert response.status_code != 301


@given(st.sampled_from(sorted(TRACKING_NAMES)) | st.text(max_size=20).map(lambda s: "utm_" + s), st.booleans())
def test_trackers_are_recognised_in_any_case(name: str, upper: bool) -> None:
    assert is_tracking(name.upper() if upper else name)


def _encoded(name: str, escaped: list[bool]) -> str:
    """``name`` with the characters at the positions marked True percent-encoded (as a client may send them)."""
    return "".join(f"%{ord(c):02X}" if e and ord(c) < 128 else quote(c) for c, e in zip(name, escaped + [False] * len(name)))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(TRACKING_NAMES)) | st.text(max_size=12) | st.text(max_size=8).map(lambda s: "UTM_" + s),
            st.text(max_size=8),
            st.booleans(),
            st.lists(st.booleans(), max_size=12),
        ),
        max_size=4,
    )
)
def test_the_quick_check_misses_no_tracking_parameter(params) -> None:
    """Whenever the parsed names hold a tracker, the check on the raw query string says it may (no false negative)."""
    query = "&".join(_encoded(name.upper() if upper else name, escaped) + "=" + quote(value) for name, value, upper, escaped in params)
    if any(is_tracking(name) for name, _ in parse_qsl(query, keep_blank_values=True)):
        assert may_track(query.encode("ascii"))


def test_a_raw_non_ascii_name_is_checked_in_full() -> None:
    """ "\u212a", the Kelvin sign, lowercases to "k": sent raw, "mscl\u212aid" is Microsoft's msclkid."""
    assert may_track("mscl\u212aid=1".encode()) and is_tracking("mscl\u212aid")
    assert not may_track(b"indicator=population&year=2024")


@pytest.mark.parametrize("name", sorted(MAP_KEYS | {"lang", "codes", "regions", "map", "q", "fmt", "province", "long", "wkt"}))
def test_no_parameter_of_a_page_counts_as_tracking(name: str) -> None:
    assert not is_tracking(name)


@pytest.mark.parametrize("path", ["//evil.example/x", "/nope", "///evil.example"])
def test_only_pages_of_this_site_are_redirected(client, path: str) -> None:
    """No open redirect: a path that is not a page gets its 404, and no Location ever names another host."""
    response = client.get("/", query_string="utm_source=x", environ_overrides={"PATH_INFO": path})  # the raw path
    location = response.headers.get("Location", "")
    assert response.status_code != 301 or (location.startswith("/") and not location.startswith("//"))
    assert "evil.example" not in urlsplit(location).netloc
