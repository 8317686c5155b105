"""Accounts, submissions, publications (history) and the audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("units", sa.String(255), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(128), nullable=False, server_default=""),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_audit_action_actor_at", "audit_events", ["action", "actor", "at"])
    op.create_index("ix_audit_action_address_at", "audit_events", ["action", "address", "at"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_type", sa.String(8), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("mapping", sa.Text, nullable=False, server_default=""),
        sa.Column("source_title", sa.Text, nullable=False, server_default=""),
        sa.Column("source_url", sa.Text, nullable=False, server_default=""),
        sa.Column("rows", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime, nullable=True),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("build_id", sa.String(32), nullable=False, server_default=""),
    )
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("build_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=True),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("publications")
    op.drop_table("submissions")
    op.drop_index("ix_audit_action_address_at", "audit_events")
    op.drop_index("ix_audit_action_actor_at", "audit_events")
    op.drop_table("audit_events")
    op.drop_table("users")
