"""Working days left to a task's due date, on the Norwegian calendar (the inbox's due column)."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest

from engine.services.inbox import task_view
from engine.store.models import HumanTask
from engine.timezone import OSLO

# Monday 11 May 2026, 10:00 in Oslo; Thursday 14 May is Ascension Day, Sunday 17 May a holiday.
NOW = datetime(2026, 5, 11, 10, 0, tzinfo=OSLO)


def task(due: datetime | None, state: str = "open") -> HumanTask:
    return HumanTask(
        id=uuid4(),
        instance_id=uuid4(),
        process_key="p",
        element_id="t",
        name="Task",
        state=state,
        created_at=datetime(2026, 5, 1, 9, 0, tzinfo=OSLO),
        due_at=due,
    )


@pytest.mark.parametrize(
    ("due", "left", "overdue"),
    [
        (datetime(2026, 5, 15, 16, 0, tzinfo=OSLO), 3, False),  # Tue, Wed, Fri: Ascension skipped
        (datetime(2026, 5, 17, 23, 0, tzinfo=OSLO), 3, False),  # a Sunday holiday adds nothing
        (datetime(2026, 5, 18, 8, 0, tzinfo=OSLO), 4, False),
        (datetime(2026, 5, 12, 8, 0, tzinfo=OSLO), 1, False),
        (datetime(2026, 5, 11, 15, 0, tzinfo=OSLO), 0, False),  # due later today
        (datetime(2026, 5, 11, 8, 0, tzinfo=OSLO), 0, True),  # due earlier today: overdue
        (datetime(2026, 5, 8, 15, 0, tzinfo=OSLO), -1, True),  # last Friday
        (datetime(2026, 5, 6, 15, 0, tzinfo=OSLO), -3, True),  # Thu, Fri, Mon
    ],
)
def test_working_days_left_and_overdue(due: datetime, left: int, overdue: bool) -> None:
    view = task_view(task(due), NOW)
    assert (view["working_days_left"], view["is_overdue"]) == (left, overdue)


def test_across_a_holiday_when_overdue() -> None:
    # Due Wednesday 13 May, now Monday 18 May: Friday 15 and Monday 18 passed (not Ascension).
    view = task_view(
        task(datetime(2026, 5, 13, 12, 0, tzinfo=OSLO)), datetime(2026, 5, 18, 9, 0, tzinfo=OSLO)
    )
    assert view["working_days_left"] == -2


def test_no_due_date_or_a_finished_task_has_no_count() -> None:
    assert task_view(task(None), NOW)["working_days_left"] is None
    finished = task_view(task(datetime(2026, 5, 8, 15, 0, tzinfo=OSLO), state="completed"), NOW)
    assert (finished["working_days_left"], finished["is_overdue"]) == (None, False)
