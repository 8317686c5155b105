"""Background jobs: work that does not fit in a request (checking a large upload; publishing, later), run outside
the serving process, with its progress and its outcome kept here so that every instance can show them (a file a
job reads waits in a spool folder beside the data, never in the serving process's memory).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False, server_default=""),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("heartbeat_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.Column("parameters", sa.Text, nullable=False, server_default="{}"),
        sa.Column("result", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_jobs_status", "jobs", ["status"])
    # the values a submission's check produced (CSV of the value key, value, preferred): what its review compares,
    # read again in a fraction of the time the check takes
    op.add_column("submissions", sa.Column("checked", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("submissions", "checked")
    op.drop_index("ix_jobs_status", "jobs")
    op.drop_table("jobs")
