"""keep browser sessions on the server; count sign-in attempts per account and client

Revision ID: 9d41c7a2e5b3
Revises: c7e1a2b3d4f5
Create Date: 2026-12-06 05:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "9d41c7a2e5b3"
down_revision = "c7e1a2b3d4f5"
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
    op.create_table(
        "sign_in_throttle",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delay_until", engine.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", "client", name=op.f("pk_sign_in_throttle")),
    )
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("login_delay_until")
        batch.drop_column("failed_logins")


def downgrade() -> None:
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
    op.drop_table("sign_in_throttle")
    op.drop_index(op.f("ix_user_session_username"), table_name="user_session")
    op.drop_table("user_session")
