"""Fixtures: tiny synthetic raw directories built by the real ETL, the shipped data's build, and databases.

``database_url`` gives each test a fresh SQLite file, and a fresh PostgreSQL database when
``URBANMAP_TEST_DATABASE_URL`` names a server where that role may create databases (``.ci/run``
installs PostgreSQL from Debian's packages, starts it and sets it); the database is dropped afterwards.

Passwords are hashed in this process with argon2-cffi's ``CHEAPEST`` profile, the one it provides for tests: the
same code path as the default profile, at 0.1 ms instead of 150 ms a hash (a test signs in a dozen times).
Servers started as subprocesses keep the default.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from etl.build import build
from tests.synthetic import SHIPPED, hostile_raw, tiny_raw
from webmap import create_app
from webmap.intake import accounts

logging.getLogger("pyogrio").setLevel(logging.WARNING)

# Property tests check behaviour, never speed (speed is measured in bench/): no per-example deadline, which a test
# sharing the cores with another worker could miss.
settings.register_profile("urbanmap", deadline=None)
settings.load_profile("urbanmap")


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """argon2-cffi's test profile for every hash made or checked in this process (see the module's docstring)."""
    default, dummy = accounts._hasher, accounts._DUMMY_HASH
    accounts._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    accounts._DUMMY_HASH = accounts._hasher.hash("not a password of anyone")
    yield
    accounts._hasher, accounts._DUMMY_HASH = default, dummy


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
def _tiny_original(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """(raw, out, manifest): the tiny raw directory and its build, made once; only :func:`tiny_site` reads them."""
    root = tmp_path_factory.mktemp("tiny-original")
    raw, out = tiny_raw(root / "raw"), root / "out"
    return raw, out, build(raw, out)


@pytest.fixture
def tiny_site(tmp_path: Path, _tiny_original) -> tuple[Path, Path, dict]:
    """(raw, out, manifest): a copy of the tiny raw directory and of its build (``current`` is a relative link), which
    a test may publish into, rebuild or damage. The same as building it (tests/etl/test_build.py checks builds are
    byte-identical) for 0.02 s instead of 0.8 s."""
    raw, out, manifest = _tiny_original
    shutil.copytree(raw, tmp_path / "raw")
    shutil.copytree(out, tmp_path / "out", symlinks=True)
    return tmp_path / "raw", tmp_path / "out", copy.deepcopy(manifest)


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
        # template0: nobody connects to it, so that two workers creating their databases at once never meet
        # "source database template1 is being accessed by other users"
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin, name: str) -> None:
    """Drop a test database, waiting for a server process of another role that visits it (autovacuum's worker:
    FORCE may not end it, "must be a member of the role whose process is being terminated") to leave."""
    for attempt in range(40):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == 39:
                raise
            time.sleep(0.25)
