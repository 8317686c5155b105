"""Sessions that end (a per-account session generation) and sign-in limits counted atomically.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "sign_in_counters",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("account", sa.String(64), nullable=False, index=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("since", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sign_in_counters")
    # in place, not a batch: a batch copies the table, and SQLite refuses to drop users while submissions refer to it
    op.drop_column("users", "session_generation")
