"""keep browser sessions on the server, so signing out or deactivating a user ends them

Revision ID: 9d41c7a2e5b3
Revises: 5c2d8e4f7a10
Create Date: 2026-12-06 05:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "9d41c7a2e5b3"
down_revision = "5c2d8e4f7a10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("created_at", engine.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", engine.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    op.create_index(op.f("ix_user_session_username"), "user_session", ["username"])


def downgrade() -> None:
    op.drop_index(op.f("ix_user_session_username"), table_name="user_session")
    op.drop_table("user_session")
