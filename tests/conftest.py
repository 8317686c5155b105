"""Fixtures: tiny synthetic raw directories built by the real ETL, and the shipped data's build."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from etl.build import build
from tests.synthetic import SHIPPED, hostile_raw, tiny_raw
from webmap import create_app

logging.getLogger("pyogrio").setLevel(logging.WARNING)


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """A fresh tiny raw directory that a test may damage."""
    return tiny_raw(tmp_path / "raw")


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """(build directory, manifest) of the tiny raw directory, built once."""
    root = tmp_path_factory.mktemp("tiny")
    out = root / "build"
    return out, build(tiny_raw(root / "raw"), out)


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """(build directory, manifest) of the shipped geodata/raw, built once."""
    out = tmp_path_factory.mktemp("shipped") / "build"
    return out, build(SHIPPED, out)


@pytest.fixture(scope="session")
def tiny_app(tiny_build):
    return create_app({"DATA_DIR": tiny_build[0], "TESTING": True})


@pytest.fixture(scope="session")
def shipped_app(shipped_build):
    return create_app({"DATA_DIR": shipped_build[0], "TESTING": True})


@pytest.fixture(scope="session")
def hostile_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    build(hostile_raw(root / "raw"), root / "build")
    return create_app({"DATA_DIR": root / "build", "TESTING": True})


@pytest.fixture
def client(shipped_app):
    return shipped_app.test_client()
