"""A build killed (SIGKILL) at any step of writing leaves exactly one complete build served.

The build runs in a forked child that kills itself just before its N-th file-system
step (each GeoPackage layer written, each fsync, rename, symlink, replace, utime and
removal), for every N that matters; the parent then opens the output as the app does.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import pyogrio
import pytest

from etl.build import build
from etl.store import kept_builds, open_build
from tests.synthetic import tiny_raw
from webmap import create_app

pytestmark = pytest.mark.slow
STEPS = [(os, "fsync"), (os, "rename"), (os, "replace"), (os, "symlink"), (os, "utime"), (shutil, "rmtree"), (pyogrio, "write_dataframe")]


def _child(raw: Path, out: Path, kill_at: int, log: Path) -> None:
    """Build with every step counted; SIGKILL just before step ``kill_at`` (0: never). Step names go to ``log``."""
    count = 0

    def counted(module, name):
        original = getattr(module, name)

        def step(*args, **kwargs):
            nonlocal count
            count += 1
            with log.open("a") as f:
                f.write(f"{name}\n")
            if count == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)

        return step

    for module, name in STEPS:
        setattr(module, name, counted(module, name))
    build(raw, out)


def _run(raw: Path, out: Path, kill_at: int, log: Path) -> int:
    log.unlink(missing_ok=True)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(raw, out, kill_at, log))
    process.start()
    process.join(timeout=300)
    return process.exitcode


def _value_of_01(app) -> str:
    body = app.test_client().get("/api/provinces.csv?boundary=2008&codes=01&indicators=population").get_data(as_text=True)
    return body.splitlines()[1].split(",")[6]


def test_a_killed_build_leaves_one_complete_build_served(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    template = tmp_path / "template"
    old = build(raw, template)["build_id"]
    values = raw / "indicators/values.csv"
    values.write_text(values.read_text(encoding="utf-8").replace("6699.6", "7777.7", 1), encoding="utf-8")
    expected = {old: "6699600.0"}

    probe = tmp_path / "probe"
    shutil.copytree(template, probe, symlinks=True)
    assert _run(raw, probe, 0, tmp_path / "steps.log") == 0
    steps = (tmp_path / "steps.log").read_text().split()
    new = open_build(probe).build_id
    expected[new] = "7777700.0"
    writes = [i + 1 for i, s in enumerate(steps) if s == "write_dataframe"]
    kill_points = sorted({writes[0], writes[len(writes) // 2], writes[-1]} | {i + 1 for i, s in enumerate(steps) if s != "write_dataframe"})
    assert {"rename", "replace", "symlink"} <= set(steps) and len(kill_points) >= 8

    served = []
    for kill_at in kill_points:
        out = tmp_path / f"out-{kill_at}"
        shutil.copytree(template, out, symlinks=True)
        assert _run(raw, out, kill_at, tmp_path / "kill.log") == -signal.SIGKILL, kill_at
        found = open_build(out)  # verified: manifest, folder name and checksum agree
        assert found.build_id in expected, kill_at
        app = create_app({"DATA_DIR": out, "TESTING": True})
        response = app.test_client().get("/healthz")
        assert response.headers["X-Urbanmap-Build"] == found.build_id
        assert _value_of_01(app) == expected[found.build_id], kill_at
        served.append(found.build_id)
        build(raw, out)  # the next build cleans up after the killed one
        assert open_build(out).build_id == new
        assert not [p for p in (out / "builds").iterdir() if p.name.startswith(".")], kill_at
        assert {p.name for p in kept_builds(out)} <= {old, new}
    assert served[0] == old and served[-1] == new  # killed while writing: the old build; after the switch: the new
