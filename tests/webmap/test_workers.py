"""``urbanmap serve --workers 2``: two gunicorn worker processes answer, and each switches to a new build by itself."""

from __future__ import annotations

import time

import pytest
import requests

from etl.build import build
from tests.servers import serving

pytestmark = pytest.mark.slow


def test_two_worker_processes_serve_and_switch_builds(tiny_site) -> None:
    raw, out, manifest = tiny_site
    first = manifest["build_id"]
    with serving("--data", str(out), "--raw", str(raw), "--workers", "2") as url:
        answers = [requests.get(url + "/healthz", timeout=10) for _ in range(20)]  # a connection each: both workers answer
        assert all(a.status_code == 200 and a.headers["X-Urbanmap-Build"] == first for a in answers)
        values = raw / "indicators/values.csv"
        values.write_text(values.read_text(encoding="utf-8").replace("6699.6", "7777.7", 1), encoding="utf-8")
        second = build(raw, out)["build_id"]
        deadline = time.time() + 5
        while True:
            seen = {requests.get(url + "/healthz", timeout=10).headers["X-Urbanmap-Build"] for _ in range(20)}
            if seen == {second}:
                break
            assert time.time() < deadline, f"still serving {seen} 5 s after the new build became current"
            time.sleep(0.2)
        assert "7777700" in requests.get(url + "/api/provinces.csv?boundary=2008&codes=01&indicators=population", timeout=30).text
