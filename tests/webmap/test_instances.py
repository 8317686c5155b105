"""Two ``urbanmap serve`` processes on different ports, sharing one PostgreSQL database and one data directory,
behave as one site: a session and the sign-in limits hold on both; a submission made on one is approved on
the other, and both serve the new build within 5 s."""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterator

import pytest
import requests

from tests.conftest import SERVER
from tests.servers import serving_several
from tests.webmap.intake_helpers import PASSWORD
from tests.webmap.test_submissions import HP_2024, _tidy
from webmap import create_app
from webmap.intake import accounts

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SERVER, reason="URBANMAP_TEST_DATABASE_URL is not set (.ci/run sets it)")]


@pytest.fixture
def two_instances(tiny_site, database_url: str) -> Iterator[tuple[str, str]]:
    raw, out, _ = tiny_site
    app = create_app({"DATA_DIR": out, "RAW_DIR": raw, "DATABASE_URL": database_url})
    units = set(app.extensions["urbanmap_build"].current().geography.units["2025"]["code"])
    with app.extensions["urbanmap_db"].session() as s:
        accounts.add_user(s, "hp-doc", PASSWORD, "contributor", ["31"], units, "test")
        accounts.add_user(s, "boss", PASSWORD, "publisher", [], units, "test")
    app.extensions["urbanmap_db"].engine.dispose()
    env = {**os.environ, "DATABASE_URL": database_url}
    args = ("--data", str(out), "--raw", str(raw))
    with serving_several(2, *args, env=env) as (first, second):
        yield first, second


def _token(session: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', session.get(url).text).group(1)


def _sign_in(session: requests.Session, base: str, name: str, password: str = PASSWORD) -> requests.Response:
    data = {"username": name, "password": password, "csrf_token": _token(session, base + "/login")}
    return session.post(base + "/login", data=data, allow_redirects=False)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_instances_behave_as_one_site(two_instances) -> None:
    a, b = two_instances
    contributor = requests.Session()
    assert _sign_in(contributor, a, "hp-doc").status_code == 302
    assert "hp-doc" in contributor.get(b + "/").text  # the session cookie of one is valid on the other
    files = {"file": ("hp.csv", io.BytesIO(_tidy(HP_2024)), "text/csv")}
    created = contributor.post(
        a + "/submissions/new", data={"csrf_token": _token(contributor, a + "/submissions/new")}, files=files, allow_redirects=False
    )
    assert created.status_code == 302

    publisher = requests.Session()
    assert _sign_in(publisher, b, "boss").status_code == 302
    before = publisher.get(a + "/healthz").headers["X-Urbanmap-Build"]
    approved = publisher.post(
        b + "/submissions/1/approve", data={"csrf_token": _token(publisher, b + "/submissions/1")}, allow_redirects=False
    )
    assert approved.status_code == 302
    new = publisher.get(b + "/healthz").headers["X-Urbanmap-Build"]
    assert new != before
    deadline = time.time() + 5
    while requests.get(a + "/healthz").headers["X-Urbanmap-Build"] != new:
        assert time.time() < deadline, "the other instance did not switch within 5 s"
        time.sleep(0.1)
    assert "4700000.0" in requests.get(a + "/api/provinces.csv?codes=31&indicators=population&long=1").text

    stranger = requests.Session()
    for _ in range(5):
        assert _sign_in(stranger, a, "boss", "wrong password 123").status_code == 401
    assert _sign_in(stranger, b, "boss").status_code == 429  # the limit counts on both
