"""retire process definition versions: who retired one, when and why (none: it can start)

Revision ID: e5a8c3d1f207
Revises: 9d41c7a2e5b3
Create Date: 2026-12-06 08:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "e5a8c3d1f207"
down_revision = "9d41c7a2e5b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_definition") as batch:
        batch.add_column(
            sa.Column("retired_at", engine.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("retired_by", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("retired_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_definition") as batch:
        batch.drop_column("retired_reason")
        batch.drop_column("retired_by")
        batch.drop_column("retired_at")
