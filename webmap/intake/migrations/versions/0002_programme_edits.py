"""Programme edits made in the browser: tasks added or changed, task implementation status.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_edits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("source_title", sa.Text, nullable=False),
        sa.Column("source_url", sa.Text, nullable=False),
        sa.Column("build_id", sa.String(32), nullable=False, server_default=""),
    )
    with op.batch_alter_table("publications") as batch:  # SQLite alters a table by copying it
        batch.add_column(
            sa.Column("edit_id", sa.Integer, sa.ForeignKey("programme_edits.id", name="fk_publications_edit_id"), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("edit_id")
    op.drop_table("programme_edits")
