"""Fixtures: tiny synthetic raw directories built by the real ETL, the shipped data's build, and databases.

``database_url`` gives each test a fresh SQLite file, and a fresh PostgreSQL database when
``URBANMAP_TEST_DATABASE_URL`` names a server where that role may create databases (``.ci/run``
installs PostgreSQL from Debian's packages, starts it and sets it); the database is dropped afterwards.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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


SERVER = os.environ.get("URBANMAP_TEST_DATABASE_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'urbanmap.sqlite'}"
        return
    if not SERVER:
        pytest.skip("URBANMAP_TEST_DATABASE_URL is not set (.ci/run sets it)")
    name = "urbanmap_t_" + uuid.uuid4().hex[:12]
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
