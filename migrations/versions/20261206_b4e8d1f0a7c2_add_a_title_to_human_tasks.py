"""add a title to human tasks: the name filled with case data (taskTitle)

Revision ID: b4e8d1f0a7c2
Revises: e5a8c3d1f207
Create Date: 2026-12-06 08:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b4e8d1f0a7c2"
down_revision = "e5a8c3d1f207"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("title", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("title")
