"""The migrations carry a database of an earlier schema forward with its rows, and back (SQLite, its foreign keys
checked, and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from webmap.intake.db import _alembic_config, head_revision, make_engine, open_database


def _to(engine, revision: str, down: bool = False) -> None:
    with engine.begin() as connection:
        (command.downgrade if down else command.upgrade)(_alembic_config(connection), revision)


def test_a_database_of_schema_0004_is_upgraded_with_its_rows_and_can_go_back(database_url: str) -> None:
    engine = make_engine(database_url)
    _to(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, name, password_hash, role, units, active, created_at) VALUES (1, 'boss', 'x', 'publisher', '', true, '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO submissions (id, user_id, created_at, status, file_name, file_type, content, mapping, source_title, source_url,"
                " source_document, rows, comment, build_id) VALUES (1, 1, '2026-01-01', 'approved', 'a.csv', 'csv', :content, '', 't', '', '', 'r', '', 'b1')"
            ),
            {"content": b"x"},
        )
        connection.execute(
            text(
                "INSERT INTO programme_edits (id, user_id, created_at, kind, fields, source_title, source_url, source_document, build_id)"
                " VALUES (1, 1, '2026-01-01', 'task', '{}', 't', 'https://x.vn', '', 'b1')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO publications (id, at, build_id, user_id, action, submission_id, summary) VALUES (1, '2026-01-01', 'b1', 1, 'publish', 1, '{}')"
            )
        )
    _to(engine, "head")
    database = open_database(database_url, create=False)  # at the code's schema now
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT status, reverted_in, resubmits FROM submissions")).one() == ("approved", None, None)
        assert connection.execute(text("SELECT status, reverted_at FROM programme_edits")).one() == ("published", None)
        assert connection.execute(text("SELECT comment, record FROM publications")).one() == ("", "")
    _to(engine, "0002", down=True)  # each downgrade keeps the rows of the tables it does not drop
    with engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM submissions")).scalar() == "approved"
    _to(engine, "head")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    engine.dispose()
