"""What runs after every step: hooks that routines register; the kernel names no routine.

A routine (engine.services.assignment, engine.services.hiring, a new one) adds its followers in
its `register()`, called by the wiring. `steps.apply` calls each, in the order of registration,
inside the step's transaction, once the instance's snapshot and data are stored. A follower
that does not recognise the instance returns without doing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine.store.models import ProcessInstance
from engine.store.uow import UnitOfWork

Follower = Callable[[UnitOfWork, ProcessInstance, datetime], object]

_followers: dict[str, Follower] = {}


def register(name: str, follower: Follower) -> None:
    """Run `follower(uow, instance, now)` after every step; a second call replaces the first."""
    _followers[name] = follower


def registered() -> tuple[str, ...]:
    """Return the names of the registered followers, in the order they run."""
    return tuple(_followers)


def follow(uow: UnitOfWork, instance: ProcessInstance, now: datetime) -> None:
    """Call every registered follower with the step's unit of work, instance and time."""
    for follower in _followers.values():
        follower(uow, instance, now)
