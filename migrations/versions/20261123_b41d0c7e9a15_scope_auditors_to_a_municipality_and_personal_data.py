"""scope auditors to a municipality, and whether they see personal data

Revision ID: b41d0c7e9a15
Revises: a7c3e91d2b54
Create Date: 2026-11-23 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "b41d0c7e9a15"
down_revision = "a7c3e91d2b54"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "app_user", sa.Column("audit_municipality_id", sa.String(length=40), nullable=True)
    )
    op.add_column(
        "app_user",
        sa.Column("audit_personal_data", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("audit_personal_data")
        batch.drop_column("audit_municipality_id")
