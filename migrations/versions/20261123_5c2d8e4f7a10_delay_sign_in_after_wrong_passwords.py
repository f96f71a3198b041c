"""delay sign-in after wrong passwords in a row

Revision ID: 5c2d8e4f7a10
Revises: 3b7e1c9d2f40
Create Date: 2026-11-23 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "5c2d8e4f7a10"
down_revision = "3b7e1c9d2f40"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "app_user",
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "app_user",
        sa.Column(
            "login_delay_until", engine.store.types.UTCDateTime(timezone=True), nullable=True
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("login_delay_until")
        batch.drop_column("failed_logins")
