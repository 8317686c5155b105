"""The output layout: builds/<build_id>/ + current, verified on open, old builds pruned, leftovers removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from etl.build import build
from etl.cli import main
from etl.store import StoreError, kept_builds, open_build, prune, switch_current
from tests.synthetic import tiny_raw


def _change(raw: Path, old: str, new: str) -> None:
    path = raw / "indicators/values.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def two_builds(tiny_site) -> tuple[Path, Path, dict, dict]:
    raw, out, first = tiny_site
    _change(raw, "6699.6", "6699.7")
    second = build(raw, out)
    return raw, out, first, second


def test_a_build_is_a_folder_and_current_points_to_it(two_builds) -> None:
    _, out, first, second = two_builds
    assert (out / "current").is_symlink() and os.readlink(out / "current") == f"builds/{second['build_id']}"
    assert {p.name for p in kept_builds(out)} == {first["build_id"], second["build_id"]}
    assert open_build(out).build_id == second["build_id"]
    assert open_build(out / "builds" / first["build_id"]).build_id == first["build_id"]
    assert sorted(p.name for p in out.iterdir()) == [".lock", "builds", "current"]


def test_restore_switches_current_to_a_kept_build(two_builds) -> None:
    _, out, first, _ = two_builds
    switch_current(out, first["build_id"])
    assert open_build(out).build_id == first["build_id"]
    with pytest.raises(StoreError, match="no build"):
        switch_current(out, "0123456789abcdef")


def test_rebuilding_the_same_inputs_reuses_the_folder(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    first = build(raw, tmp_path / "out")
    again = build(raw, tmp_path / "out")
    assert first["build_id"] == again["build_id"] and len(kept_builds(tmp_path / "out")) == 1


def test_only_the_last_builds_are_kept_and_never_the_current(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    out = tmp_path / "out"
    ids = []
    for value in ("6699.1", "6699.2", "6699.3", "6699.4"):
        _change(raw, "6699.6" if not ids else f"6699.{len(ids)}", value)
        ids.append(build(raw, out, keep=2)["build_id"])
    assert [p.name for p in kept_builds(out)] == [ids[3], ids[2]]
    switch_current(out, ids[2])
    _change(raw, "6699.4", "6699.5")
    newest = build(raw, out, keep=2)["build_id"]
    assert [p.name for p in kept_builds(out)] == [newest, ids[2]]
    assert prune(out, 0) == [] and len(kept_builds(out)) == 2  # at least two are kept
    os.utime(out / "builds" / newest, (1, 1))  # the current build, however old, is never removed
    switch_current(out, ids[2])
    os.utime(out / "builds" / ids[2], (1, 1))
    (out / "builds" / "0000000000000000").mkdir()
    (out / "builds" / "1111111111111111").mkdir()
    prune(out, 2)
    assert ids[2] in {p.name for p in kept_builds(out)}


def test_a_damaged_store_is_refused_by_its_checksum(two_builds) -> None:
    _, out, _, second = two_builds
    gpkg = out / "builds" / second["build_id"] / "urban.gpkg"
    data = bytearray(gpkg.read_bytes())
    data[-100] ^= 0xFF
    gpkg.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="checksum"):
        open_build(out)


def test_a_manifest_of_another_build_is_refused(two_builds) -> None:
    _, out, first, second = two_builds
    (out / "builds" / second["build_id"] / "manifest.json").write_bytes((out / "builds" / first["build_id"] / "manifest.json").read_bytes())
    with pytest.raises(StoreError, match=f"manifest is of build {first['build_id']}"):
        open_build(out)


def test_leftovers_of_killed_builds_and_the_old_layout_are_removed(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    out = tmp_path / "out"
    (out / "builds" / ".tmp-killed").mkdir(parents=True)
    (out / "builds" / ".tmp-killed" / "urban.gpkg").write_bytes(b"half")
    os.symlink("builds/nowhere", out / ".current-1234")
    (out / "urban.gpkg").write_bytes(b"old layout")
    (out / "manifest.json").write_text("{}")
    build(raw, out)
    assert sorted(p.name for p in out.iterdir()) == [".lock", "builds", "current"]
    assert [p.name for p in (out / "builds").iterdir()] == [open_build(out).build_id]


def test_an_old_layout_is_named_with_what_to_run(tmp_path: Path, capsys) -> None:
    (tmp_path / "urban.gpkg").write_bytes(b"old")
    with pytest.raises(StoreError, match="old layout"):
        open_build(tmp_path)
    assert main(["-q", "export", "--data", str(tmp_path)]) == 2
    assert "urbanmap build --out" in capsys.readouterr().err


def test_keep_below_two_is_a_usage_error(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--raw", str(tmp_path), "--keep", "1"])
    assert exit_info.value.code == 2 and "at least 2" in capsys.readouterr().err
