"""A restore returns the whole site to a build: what was published after it is marked reverted (by which restore,
who, when); a publication keeps its record (each value before and after) and its comment or reason; a submission
may be the resubmission of a reverted one.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REVERTED = ("reverted_at", "reverted_by", "reverted_in")
# plain ALTER TABLE ADD/DROP COLUMN, no batch: a batch copies the table, and SQLite (foreign keys on) refuses to drop
# a table that publications refer to once it holds rows; so the new columns carry no constraint


def _reverted_columns(table: str) -> None:
    op.add_column(table, sa.Column("reverted_at", sa.DateTime, nullable=True))
    op.add_column(table, sa.Column("reverted_by", sa.Integer, nullable=True))  # the account that restored
    op.add_column(table, sa.Column("reverted_in", sa.Integer, nullable=True))  # the restore's publication id


def upgrade() -> None:
    _reverted_columns("submissions")
    op.add_column("submissions", sa.Column("resubmits", sa.Integer, nullable=True))  # the reverted submission it repeats
    op.add_column("programme_edits", sa.Column("status", sa.String(16), nullable=False, server_default="published"))
    _reverted_columns("programme_edits")
    op.add_column("publications", sa.Column("comment", sa.Text, nullable=False, server_default=""))
    op.add_column("publications", sa.Column("record", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:  # SQLite drops a column in place from 3.35 (2021)
    for table, columns in (
        ("publications", ("record", "comment")),
        ("programme_edits", (*REVERTED, "status")),
        ("submissions", ("resubmits", *REVERTED)),
    ):
        for name in columns:
            op.drop_column(table, name)
