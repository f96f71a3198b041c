"""Read-only units of work: they never wait for a writer, and they cannot write."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from engine.services.wiring import Wiring
from engine.store.models import User


def test_a_reader_does_not_wait_for_a_writer(demo: Wiring) -> None:
    """A writer holds its lock with an uncommitted change; a reader sees the committed row."""
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with demo.new_uow() as uow:
            uow.session.execute(
                update(User).where(User.username == "emp.asker").values(full_name="Uncommitted")
            )
            holding.set()
            release.wait(10)
            uow.commit()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.perf_counter()
        with demo.new_uow(read_only=True) as uow:
            name = uow.session.scalar(select(User.full_name).where(User.username == "emp.asker"))
        waited = time.perf_counter() - started
        assert name != "Uncommitted"
        assert waited < 2, f"the reader waited {waited:.1f} s for the writer"
    finally:
        release.set()
        thread.join(10)
    with demo.new_uow(read_only=True) as uow:
        assert uow.users.get("emp.asker").full_name == "Uncommitted"


def test_a_reader_cannot_write(demo: Wiring) -> None:
    with (
        demo.new_uow(read_only=True) as uow,
        pytest.raises(DBAPIError, match=r"(?i)read.only|readonly"),
    ):
        uow.session.execute(
            update(User).where(User.username == "emp.asker").values(full_name="Written")
        )
    with demo.new_uow() as uow:  # the pooled connection writes again in a writing unit
        uow.users.get("emp.asker").full_name = "Written"
        uow.commit()
    with demo.new_uow(read_only=True) as uow:
        assert uow.users.get("emp.asker").full_name == "Written"
