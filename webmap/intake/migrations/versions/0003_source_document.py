"""A source may be an official document's number instead of a web address.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("submissions", "programme_edits"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("source_document", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    for table in ("submissions", "programme_edits"):  # in place (see 0004's downgrade)
        op.drop_column(table, "source_document")
