"""Accounts from the command line, signing in and out, limits on failed attempts, roles, the audit log; SQLite and PostgreSQL."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.webmap.intake_helpers import PASSWORD, csrf_token, sign_in
from webmap import create_app
from webmap.intake import accounts, limits
from webmap.intake.db import DatabaseError, make_engine, open_database


@pytest.fixture
def app(tiny_build, database_url: str):
    app = create_app({"DATA_DIR": tiny_build[0], "TESTING": True, "DATABASE_URL": database_url})
    units = set(app.extensions["urbanmap_build"].current().geography.units["2025"]["code"])
    with app.extensions["urbanmap_db"].session() as s:
        accounts.add_user(s, "admin1", PASSWORD, "admin", [], units, "test")
        accounts.add_user(s, "publisher1", PASSWORD, "publisher", [], units, "test")
        accounts.add_user(s, "hp-doc", PASSWORD, "contributor", ["31"], units, "test")
    return app


def _audit(app) -> list[tuple[str, str, str]]:
    with app.extensions["urbanmap_db"].engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text("SELECT actor, action, target FROM audit_events ORDER BY id"))]


def test_signing_in_and_out(app) -> None:
    client = app.test_client()
    response = sign_in(client, "hp-doc")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie and "Secure" not in cookie
    page = client.get("/")
    body = page.get_data(as_text=True)
    assert "hp-doc" in body and page.headers["Cache-Control"] == "private, no-store" and "Cookie" in page.headers["Vary"]
    anonymous = app.test_client().get("/")  # the cached page does not carry anybody's name
    assert "hp-doc" not in anonymous.get_data(as_text=True) and "private" not in anonymous.headers.get("Cache-Control", "")
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert "hp-doc" not in client.get("/").get_data(as_text=True)
    assert [a for _, a, _ in _audit(app)][-2:] == ["sign_in", "sign_out"]


def test_a_session_over_https_is_secure(tiny_build, database_url: str) -> None:
    app = create_app({"DATA_DIR": tiny_build[0], "TESTING": True, "DATABASE_URL": database_url, "BASE_URL": "https://urbanmap.example.vn"})
    with app.extensions["urbanmap_db"].session() as s:
        accounts.add_user(s, "admin1", PASSWORD, "admin", [], set(), "test")
    assert "Secure" in sign_in(app.test_client(), "admin1").headers["Set-Cookie"]


def test_a_form_without_its_csrf_token_is_refused(app) -> None:
    client = app.test_client()
    response = client.post("/login", data={"username": "hp-doc", "password": PASSWORD})
    assert response.status_code == 400
    sign_in(client, "hp-doc")
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400


def _from(app, address: str):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address})
    return client


def test_five_wrong_passwords_refuse_that_address_for_that_account_only(app) -> None:
    client = _from(app, "192.0.2.1")
    for _ in range(5):
        assert sign_in(client, "hp-doc", "wrong password 123").status_code == 401
    refused = sign_in(client, "hp-doc")  # even the right password, from this address
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert sign_in(client, "publisher1").status_code == 302  # another account from the same address still may
    assert sign_in(_from(app, "192.0.2.2"), "hp-doc").status_code == 302  # the owner, from elsewhere, is not locked out
    actions = [a for _, a, _ in _audit(app)]
    assert actions.count("sign_in_failed") == 5 and "sign_in_refused" in actions


def test_an_account_failed_from_many_addresses_slows_down_but_the_owner_signs_in(app, monkeypatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(accounts, "_wait", waits.append)
    for i in range(17):
        assert sign_in(_from(app, f"198.51.100.{i}"), "hp-doc", "wrong password 123").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 30, 30]  # the 11th attempt on waits 1 s, doubling, at most 30 s
    assert sign_in(_from(app, "192.0.2.9"), "hp-doc").status_code == 302 and waits[-1] == 30
    with app.extensions["urbanmap_db"].session() as s:
        assert accounts.unlock(s, "hp-doc", "test") >= 1
    waits.clear()
    assert sign_in(_from(app, "198.51.100.1"), "hp-doc").status_code == 302 and waits == []


class _CountingHasher:
    """The tests' password hasher, counting the passwords it checks (from any thread)."""

    def __init__(self, hasher) -> None:
        self.hasher, self.checked, self.lock = hasher, 0, threading.Lock()

    def verify(self, hashed: str, password: str) -> bool:
        with self.lock:
            self.checked += 1
        time.sleep(0.01)  # a real hash takes time: the attempts overlap
        return self.hasher.verify(hashed, password)

    def __getattr__(self, name: str):
        return getattr(self.hasher, name)


def _attempts(app, addresses: list[str], monkeypatch) -> tuple[int, list[int]]:
    """40 wrong passwords for hp-doc, 8 at a time, each from ``addresses[i % len]``: (passwords checked, statuses)."""
    counting = _CountingHasher(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", counting)
    monkeypatch.setattr(accounts, "_wait", lambda _s: None)
    database = app.extensions["urbanmap_db"]

    def attempt(i: int) -> int:
        try:
            with database.session() as s:
                return 401 if accounts.sign_in(s, "hp-doc", "wrong password 123", addresses[i % len(addresses)]) is None else 302
        except accounts.TooManyAttempts:
            return 429

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(attempt, range(40)))
    return counting.checked, statuses


def test_parallel_attempts_from_one_address_check_exactly_five_passwords(app, monkeypatch) -> None:
    checked, statuses = _attempts(app, ["203.0.113.7"], monkeypatch)
    assert checked == 5 and statuses.count(401) == 5 and statuses.count(429) == 35


def test_parallel_attempts_from_forty_addresses_are_all_counted(app, monkeypatch) -> None:
    checked, statuses = _attempts(app, [f"203.0.113.{i}" for i in range(40)], monkeypatch)
    assert checked == 40 and statuses == [401] * 40
    with app.extensions["urbanmap_db"].engine.connect() as connection:
        failures = connection.execute(text("SELECT failures FROM sign_in_counters WHERE key = 'account:hp-doc'")).scalar()
    assert failures == 40


def test_wrong_passwords_are_counted_per_address(app) -> None:
    client = app.test_client()
    for i in range(20):
        assert sign_in(client, f"nobody-{i}", "wrong password 123").status_code == 401
    assert sign_in(client, "admin1").status_code == 429


def test_behind_a_proxy_the_limit_counts_the_client_address_not_the_proxys(tiny_build, database_url: str) -> None:
    behind = create_app({"DATA_DIR": tiny_build[0], "TESTING": True, "DATABASE_URL": database_url, "PROXIES": 1})
    for i in range(20):
        client = behind.test_client()
        client.environ_base.update({"HTTP_X_FORWARDED_FOR": f"203.0.113.{i}"})  # 20 clients behind one nginx
        assert sign_in(client, f"nobody-{i}", "wrong password 123").status_code == 401
    last = behind.test_client()
    last.environ_base.update({"HTTP_X_FORWARDED_FOR": "203.0.113.99"})
    assert sign_in(last, "nobody", "wrong password 123").status_code == 401  # not 429: each address failed once
    assert _addresses(behind)[-2:] == ["203.0.113.19", "203.0.113.99"]
    direct = create_app({"DATA_DIR": tiny_build[0], "TESTING": True, "DATABASE_URL": database_url})
    spoofing = direct.test_client()
    spoofing.environ_base.update({"HTTP_X_FORWARDED_FOR": "198.51.100.1"})
    assert sign_in(spoofing, "nobody-x", "wrong password 123").status_code == 401
    assert _addresses(direct)[-1] == "127.0.0.1"  # without PROXIES the header is not believed


def _addresses(app) -> list[str]:
    """The client address of every failed sign-in, oldest first."""
    with app.extensions["urbanmap_db"].engine.connect() as connection:
        rows = connection.execute(text("SELECT address FROM audit_events WHERE action = 'sign_in_failed' ORDER BY id"))
        return [r[0] for r in rows]


def test_a_disabled_account_is_signed_out_at_once(app) -> None:
    client = app.test_client()
    sign_in(client, "hp-doc")
    with app.extensions["urbanmap_db"].session() as s:
        accounts.disable_user(s, "hp-doc", "test")
    assert "hp-doc" not in client.get("/").get_data(as_text=True)
    assert sign_in(app.test_client(), "hp-doc").status_code == 401


def test_roles_are_checked_on_the_server(app) -> None:
    anonymous = app.test_client()
    assert anonymous.get("/audit").status_code == 302 and "/login?next=/audit" in anonymous.get("/audit").headers["Location"]
    assert anonymous.post("/logout", data={"csrf_token": csrf_token(anonymous)}).status_code == 401
    for name in ("hp-doc", "publisher1"):
        client = app.test_client()
        sign_in(client, name)
        assert client.get("/audit").status_code == 403 and client.get("/audit.csv").status_code == 403
    admin = app.test_client()
    sign_in(admin, "admin1")
    assert admin.get("/audit").status_code == 200
    assert admin.get("/logout").status_code == 405 and "POST" in admin.get("/logout").headers["Allow"]


def test_the_audit_log_is_readable_and_exportable_by_admins(app) -> None:
    sign_in(app.test_client(), "hp-doc", "wrong password 123")
    admin = app.test_client()
    sign_in(admin, "admin1")
    page = admin.get("/audit").get_data(as_text=True)
    assert "sign_in_failed" in page and "account_created" in page
    rows = list(csv.DictReader(io.StringIO(admin.get("/audit.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["action"] for r in rows][:2] == ["sign_in", "sign_in_failed"] and rows[-1]["action"] == "account_created"
    assert rows[1]["actor"] == "hp-doc" and rows[1]["address"] == "127.0.0.1"


def test_redirects_after_sign_in_stay_on_this_site(app) -> None:
    for target, expected in (
        ("/audit", "/audit"),
        ("/submissions?page=2", "/submissions?page=2"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\t/evil.example", "/"),  # a browser drops the tab: //evil.example
        ("/\\evil.example", "/"),
        ("/a\nLocation: https://evil.example", "/"),
        ("/a\r\nb", "/"),
        ("javascript:alert(1)", "/"),
    ):
        client = app.test_client()
        data = {"username": "admin1", "password": PASSWORD, "csrf_token": csrf_token(client), "next": target}
        response = client.post("/login", data=data)
        assert response.headers["Location"] == expected, target


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _replayed(app, cookie: str):
    """A new browser holding a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_signing_out_ends_the_session_everywhere(app) -> None:
    client, other = app.test_client(), app.test_client()
    sign_in(client, "hp-doc")
    sign_in(other, "hp-doc")  # a second browser of the same person
    copied = _session_cookie(client)
    assert _replayed(app, copied).get("/submissions").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    for browser in (_replayed(app, copied), other):
        response = browser.get("/submissions")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert sign_in(client, "hp-doc").status_code == 302 and client.get("/submissions").status_code == 200


def test_a_session_is_not_renewed_by_use_and_ends_after_its_hours(tiny_build, database_url: str) -> None:
    app = create_app({"DATA_DIR": tiny_build[0], "TESTING": True, "DATABASE_URL": database_url, "SESSION_HOURS": 0.0005})  # 1.8 s
    with app.extensions["urbanmap_db"].session() as s:
        accounts.add_user(s, "admin1", PASSWORD, "admin", [], set(), "test")
    client = app.test_client()
    sign_in(client, "admin1")
    used = client.get("/audit")
    assert used.status_code == 200 and "Set-Cookie" not in used.headers  # using it does not extend it
    time.sleep(2)
    assert _replayed(app, _session_cookie(client)).get("/audit").status_code == 302


def test_a_new_password_or_disabling_ends_every_session(app) -> None:
    for change in (
        lambda s: accounts.set_password(s, "hp-doc", "another long password 456", "test"),
        lambda s: accounts.disable_user(s, "publisher1", "test"),
    ):
        client = app.test_client()
        name = "hp-doc" if len([c for c in _audit(app) if c[1] == "password_changed"]) == 0 else "publisher1"
        sign_in(client, name)
        cookie = _session_cookie(client)
        with app.extensions["urbanmap_db"].session() as s:
            change(s)
        assert _replayed(app, cookie).get("/submissions").status_code == 302
    assert sign_in(app.test_client(), "hp-doc", "another long password 456").status_code == 302


def test_an_untrusted_host_is_400_on_every_page(app) -> None:
    client = app.test_client()
    for path in ("/", "/static/urbanmap.css", "/login", "/no/such/page", "/api/provinces.geojson", "/ogc"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert "evil.example" not in response.get_data(as_text=True)
    assert client.post("/login", headers={"Host": "evil.example"}).status_code == 400


def _urbanmap(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "webmap.cli", "-q", *args], input=stdin, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )


def _in_process(monkeypatch, capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """The command line run in this process (an interpreter per command costs 2 s): exit code, stdout, stderr."""
    from webmap.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(["-q", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_accounts_from_the_command_line(tiny_build, tmp_path: Path, database_url: str, monkeypatch, capsys) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "current").symlink_to((tiny_build[0] / "current").resolve())
    env = {"DATABASE_URL": database_url}
    added = _urbanmap(  # the installed entry point, once; the other commands in this process
        "users", "add", "hp-doc", "--role", "contributor", "--units", "31", "--data", str(data), stdin=PASSWORD + "\n", env=env
    )
    assert added.returncode == 0, added.stderr
    monkeypatch.setenv("DATABASE_URL", database_url)
    for args, message in (
        (["hp-doc", "--role", "contributor", "--units", "31"], "exists already"),
        (["boss", "--role", "publisher", "--units", "31"], "only contributors belong to units"),
        (["x1", "--role", "contributor", "--units", "99"], "unknown 2025 unit code(s) 99"),
        (["x2", "--role", "admin"], "at least 12 characters"),
    ):
        code, _, err = _in_process(
            monkeypatch, capsys, "users", "add", *args, "--data", str(data), stdin="short\n" if args[0] == "x2" else PASSWORD + "\n"
        )
        assert code == 1 and message in err, err
    engine = open_database(database_url, create=False).engine
    for i in range(6):
        limits.reserve(engine, f"192.0.2.{i % 2}", "hp-doc")
        limits.failed(engine, "hp-doc")
    code, out, _ = _in_process(monkeypatch, capsys, "users", "unlock", "hp-doc", "--data", str(data))
    assert code == 0 and "3 counter(s)" in out  # two addresses' pairs and the account's own
    assert not limits.reserve(engine, "192.0.2.0", "hp-doc").refused and limits.reserve(engine, "192.0.2.0", "hp-doc").delay == 0
    assert _in_process(monkeypatch, capsys, "users", "password", "hp-doc", "--data", str(data), stdin="short\n")[0] == 1
    assert _in_process(monkeypatch, capsys, "users", "password", "hp-doc", "--data", str(data), stdin=PASSWORD + "2\n")[0] == 0
    assert _in_process(monkeypatch, capsys, "users", "disable", "hp-doc", "--data", str(data))[0] == 0
    listing = _in_process(monkeypatch, capsys, "users", "list", "--data", str(data))[1]
    assert "hp-doc\tcontributor\t31\tdisabled" in listing
    assert _in_process(monkeypatch, capsys, "db", "upgrade", "--data", str(data))[0] == 0
    database = open_database(database_url, create=False)
    with database.engine.connect() as connection:
        actions = [r[0] for r in connection.execute(text("SELECT action FROM audit_events ORDER BY id"))]
    assert actions == ["account_created", "account_unlocked", "password_changed", "account_disabled"]


def test_a_database_behind_the_code_is_refused(tiny_build, database_url: str) -> None:
    open_database(database_url)
    with make_engine(database_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(DatabaseError, match="urbanmap db upgrade"):
        create_app({"DATA_DIR": tiny_build[0], "TESTING": True, "DATABASE_URL": database_url})
