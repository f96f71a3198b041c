"""walk the group inbox by an ordered candidate index

Candidate rows now exist only while a task can be claimed (claim and delegation drop them,
unclaim offers the task again), and the index orders each inbox range by creation time.
Rows that hold in every municipality say '*' instead of NULL, so each range is an equality
prefix of the index (PostgreSQL reads an index in order only below equalities).

Revision ID: 3b7e1c9d2f40
Revises: b41d0c7e9a15
Create Date: 2026-11-23 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "3b7e1c9d2f40"
down_revision = "b41d0c7e9a15"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Claimed or closed tasks leave the group inbox; candidates sort by their task's creation.
    op.execute(
        sa.text(
            "DELETE FROM task_candidate WHERE task_id IN ("
            "SELECT id FROM human_task WHERE assignee IS NOT NULL OR state <> 'open')"
        )
    )
    op.execute(
        sa.text(
            "UPDATE task_candidate SET created_at = ("
            "SELECT created_at FROM human_task WHERE human_task.id = task_candidate.task_id)"
        )
    )
    op.execute(
        sa.text("UPDATE task_candidate SET municipality_id = '*' WHERE municipality_id IS NULL")
    )
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_task_candidate_lookup")
        batch_op.alter_column("municipality_id", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_index(
            "ix_task_candidate_inbox",
            ["kind", "value", "municipality_id", "created_at", "task_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_task_candidate_inbox")
        batch_op.alter_column("municipality_id", existing_type=sa.String(length=40), nullable=True)
        batch_op.create_index(
            "ix_task_candidate_lookup", ["kind", "value", "municipality_id"], unique=False
        )
    op.execute(
        sa.text("UPDATE task_candidate SET municipality_id = NULL WHERE municipality_id = '*'")
    )
    # Claimed tasks stay out of the inbox on the older code too (it filters on assignee).
