"""Real clients against the app under its production server, in a separate process (GDAL's OAPIF driver
hangs against a server in a thread of the same process): GDAL reads every collection, schemathesis fuzzes /ogc/api."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest

from tests.servers import serving


@pytest.fixture(scope="module")
def live_url(shipped_build) -> Iterator[str]:
    with serving("--data", str(shipped_build[0])) as url:
        yield url


def _export(url: str, boundary: str) -> pd.DataFrame:
    with urllib.request.urlopen(f"{url}/api/provinces.geojson?boundary={boundary}", timeout=30) as response:
        data = json.loads(response.read())
    return pd.DataFrame([f["properties"] for f in data["features"]]).set_index("code")


@pytest.mark.parametrize("boundary", ["2025", "2008"])
def test_gdal_reads_every_collection_with_the_export_values(live_url: str, boundary: str) -> None:
    source = f"OAPIF:{live_url}/ogc"
    assert {name for name, _ in pyogrio.list_layers(source)} == {"provinces_2025", "provinces_2008", "wards_2025", "progress"}
    frame = pyogrio.read_dataframe(source, layer=f"provinces_{boundary}", PAGE_SIZE=7)  # several pages: paging is exercised
    export = _export(live_url, boundary)
    frame = frame.set_index(frame["code"].astype(str))
    assert sorted(frame.index) == sorted(export.index)
    for column in ("area_km2", "population", "area", "storm_flood_damage_yagi_2024"):
        got = pd.to_numeric(frame.loc[export.index, column], errors="coerce").to_numpy(dtype=float)
        want = pd.to_numeric(export[column], errors="coerce").to_numpy(dtype=float)
        assert np.allclose(got, want, equal_nan=True), column
    assert frame.crs.to_epsg() == 4326 and frame.geometry.is_valid.all()


# 414 (query string too long) is a documented refusal of invalid data like 400.
SCHEMATHESIS_CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428", "429", "5xx"]
"""


def test_schemathesis_passes_every_check(live_url: str, tmp_path: Path) -> None:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert binary, "schemathesis is a test extra: pip install -e '.[test]'"
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG, encoding="utf-8")
    result = subprocess.run(
        [
            binary,
            "--config-file",
            str(config),
            "run",
            f"{live_url}/ogc/api",
            "--checks",
            "all",
            "--max-examples",
            "10",
            "--max-time",
            "20",
            "--request-timeout",
            "10",
            "--seed",
            "1",
            "--generation-deterministic",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # its cache and reports stay out of the checkout
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_gdal_reads_the_progress_collection_as_the_progress_download(live_url: str) -> None:
    """Every unit's progress toward every target, through GDAL's OGC API driver, equals /api/progress.csv."""
    frame = pyogrio.read_dataframe(f"OAPIF:{live_url}/ogc", layer="progress", PAGE_SIZE=500)
    parts = []
    for boundary in ("2008", "2025"):
        with urllib.request.urlopen(f"{live_url}/api/progress.csv?boundary={boundary}", timeout=30) as response:
            parts.append(pd.read_csv(response, encoding="utf-8-sig", dtype={"code": str, "boundary": str}))
    export = pd.concat(parts)
    key = ["target_id", "indicator", "boundary", "code"]
    got = frame.assign(boundary=frame["boundary"].astype(str), code=frame["code"].astype(str)).set_index(key).sort_index()
    want = export.set_index(key).sort_index()
    assert list(got.index) == list(want.index)
    assert (got["status"] == want["status"]).all() and np.allclose(got["ratio"].astype(float), want["ratio"], equal_nan=True)
    assert frame.crs.to_epsg() == 4326 and frame.geometry.is_valid.all()
