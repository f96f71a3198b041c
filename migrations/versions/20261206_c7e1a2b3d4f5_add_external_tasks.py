"""add external tasks (camunda:type="external" service tasks, locked by workers)

Revision ID: c7e1a2b3d4f5
Revises: 5c2d8e4f7a10
Create Date: 2026-12-06 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "c7e1a2b3d4f5"
down_revision = "5c2d8e4f7a10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_task",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("instance_id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", sa.Uuid(), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("business_key", sa.String(length=200), nullable=True),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("worker_id", sa.String(length=255), nullable=True),
        sa.Column("locked_until", engine.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_details", sa.Text(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("created_at", engine.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", engine.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["process_definition.id"],
            name=op.f("fk_external_task_definition_id_process_definition"),
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_external_task_instance_id_process_instance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_task")),
    )
    op.create_index(
        "ix_external_task_lockable", "external_task", ["topic", "state", "locked_until"]
    )
    op.create_index(
        op.f("ix_external_task_instance_id"), "external_task", ["instance_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_external_task_instance_id"), table_name="external_task")
    op.drop_index("ix_external_task_lockable", table_name="external_task")
    op.drop_table("external_task")
