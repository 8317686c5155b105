"""One build per response, and a new build served without a restart."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest

from etl.build import build
from etl.store import switch_current
from tests.synthetic import tiny_raw
from webmap import create_app
from webmap.serving.cache import ByteCache
from webmap.views.prepare import prepare

HEADER = "X-Urbanmap-Build"


@pytest.fixture
def rebuilt(tiny_site):
    """An app over a build directory, the raw folder it was built from, and the first manifest."""
    raw, out, first = tiny_site
    app = create_app({"DATA_DIR": out, "TESTING": True, "BUILD_CHECK_SECONDS": 0})
    return app, raw, out, first


def _rebuild(raw: Path, out: Path) -> dict:
    path = raw / "indicators/values.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("6699.6", "7777.7", 1), encoding="utf-8")
    return build(raw, out)


URLS = [
    "/?indicator=population&boundary=2008",
    "/healthz",
    "/api/provinces.csv?boundary=2008&indicators=population",
    "/api/provinces.geojson?boundary=2008&indicators=population",
    "/ogc/collections/provinces_2008/items?limit=100",
    "/province/31?boundary=2008",
]


def test_every_response_names_its_build_and_carries_only_its_values(rebuilt) -> None:
    app, raw, out, first = rebuilt
    client = app.test_client()
    for url in URLS:  # fill every cache with the first build
        assert client.get(url).headers[HEADER] == first["build_id"]
    second = _rebuild(raw, out)
    app.extensions["urbanmap_build"].refresh()
    for url in URLS:
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.headers[HEADER] == second["build_id"], url
        assert not any(form in body for form in ("6699600", "6,699,600", "6.699.600")), url
    assert json.loads(client.get("/healthz").data)["build_id"] == second["build_id"]
    for url in URLS[2:5]:
        assert "7777700" in client.get(url).get_data(as_text=True), url
    assert "7.777.700" in client.get(URLS[0]).get_data(as_text=True)


def test_a_restore_is_served_and_the_cache_holds_one_build(rebuilt) -> None:
    app, raw, out, first = rebuilt
    client = app.test_client()
    second = _rebuild(raw, out)
    app.extensions["urbanmap_build"].refresh()
    client.get(URLS[0])
    switch_current(out, first["build_id"])
    app.extensions["urbanmap_build"].refresh()
    assert client.get(URLS[0]).headers[HEADER] == first["build_id"]
    cache: ByteCache = app.extensions["urbanmap_cache"]
    assert {key[0] for key in cache._values} == {first["build_id"]}
    assert second["build_id"] != first["build_id"]


def test_the_new_build_is_picked_up_by_requests_alone(rebuilt) -> None:
    app, raw, out, _ = rebuilt
    client = app.test_client()
    second = _rebuild(raw, out)
    served = app.extensions["urbanmap_build"]
    client.get("/healthz")  # notices the move and loads in the background
    if served._loader is not None:
        served._loader.join(timeout=60)
    assert client.get("/healthz").headers[HEADER] == second["build_id"]


def test_a_damaged_new_build_is_not_served(rebuilt) -> None:
    app, raw, out, first = rebuilt
    second = _rebuild(raw, out)
    (out / "builds" / second["build_id"] / "urban.gpkg").write_bytes(b"not a geopackage")
    assert app.extensions["urbanmap_build"].refresh().build_id == first["build_id"]
    assert app.test_client().get("/healthz").headers[HEADER] == first["build_id"]


def test_the_cache_is_bounded_in_bytes() -> None:
    cache = ByteCache(10_000)
    for i in range(100):
        cache.get_or_make(("b", i), lambda: b"x" * 1000)
    assert cache.nbytes <= 10_000 and len(cache) < 10
    big = cache.get_or_make(("b", "big"), lambda: b"x" * 5000)
    assert len(big) == 5000 and ("b", "big") not in cache._values  # larger than a quarter: served, not kept


def test_rebuilds_under_load_fail_no_request_and_never_mix_builds(rebuilt) -> None:
    app, raw, out, first = rebuilt
    url = "/api/provinces.csv?boundary=2008&codes=01&indicators=population"
    seen: list[tuple[int, str, str]] = []
    stop = threading.Event()

    def hammer() -> None:
        client = app.test_client()
        while not stop.is_set():
            response = client.get(url)
            seen.append((response.status_code, response.headers.get(HEADER, ""), response.get_data(as_text=True)))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        second = _rebuild(raw, out)
        served = app.extensions["urbanmap_build"]
        deadline = time.monotonic() + 60
        while served.current().build_id != second["build_id"] and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    values = {first["build_id"]: "6699600", second["build_id"]: "7777700"}
    assert seen and all(status == 200 for status, _, _ in seen)
    assert {build_id for _, build_id, _ in seen} == set(values)
    for _, build_id, body in seen:
        assert values[build_id] in body and values[next(b for b in values if b != build_id)] not in body


def test_nothing_is_cached_by_a_proxy_beyond_its_build(rebuilt) -> None:
    app, _, _, _ = rebuilt
    client = app.test_client()
    page = client.get("/?indicator=population&boundary=2008").get_data(as_text=True)
    versioned = re.search(r"/geometry/provinces_2008\.geojson\?v=([0-9a-f]+)", page)
    assert versioned is not None
    assert client.get(versioned.group(0)).headers["Cache-Control"] == "public, max-age=86400"
    assert client.get("/geometry/provinces_2008.geojson").headers["Cache-Control"] == "public, no-cache"
    download = client.get("/api/provinces.csv?boundary=2008&indicators=population")
    assert download.headers["Cache-Control"] == "public, no-cache" and download.headers["ETag"]


def test_a_build_made_before_the_wards_can_still_be_restored(tmp_path: Path) -> None:
    """A kept build of schema 1.2 (no boundary sets, wards or published areas) loads: restoring one is served."""
    import hashlib
    import sqlite3

    build(tiny_raw(tmp_path / "raw"), tmp_path / "out")
    folder = (tmp_path / "out" / "current").resolve()
    with sqlite3.connect(folder / "urban.gpkg") as db:
        db.execute("ALTER TABLE provinces_2025 DROP COLUMN area_km2_published")
        for layer in ("boundary_sets", "wards_2025", "web_wards_2025_coarse", "web_wards_2025_fine"):
            db.execute(f'DROP TABLE "{layer}"')
            db.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (layer,))
            db.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = ?", (layer,))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = "1.2.0"
    manifest["store"]["sha256"] = hashlib.sha256((folder / "urban.gpkg").read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    client = create_app({"DATA_DIR": tmp_path / "out", "TESTING": True}).test_client()
    assert client.get("/province/92?boundary=2025").status_code == 200
    assert client.get("/?boundary=2025").status_code == 200
    assert client.get("/ward/00001").status_code == 404 and client.get("/ogc/collections?f=json").status_code == 200


def test_a_serving_process_renders_the_shared_page_parts_before_serving(shipped_build) -> None:
    app = create_app({"DATA_DIR": shipped_build[0], "TESTING": True})
    store = app.extensions["urbanmap_build"].current()
    prepare(app, store)
    made = set(store.memo.keys())
    assert {k[0] for k in made} >= {"fragment", "issue_items", "indicator_groups", "region_ranks"}
    client = app.test_client()
    for url in ("/?indicator=flood_deaths_event_2025_11", "/province/79?lang=en", "/compare?regions=tay_nguyen,dong_nam_bo"):
        assert client.get(url).status_code == 200, url
    later = {k[0] for k in set(store.memo.keys()) - made}
    assert not later & {"fragment", "issue_items", "indicator_groups", "region_ranks"}, later
