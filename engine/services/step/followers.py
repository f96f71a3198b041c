"""What runs after every step: hooks that routines register; the kernel names no routine.

A routine (engine.services.assignment, engine.services.hiring, a new one) adds its followers to
the wiring's configuration in its `register(configuration)`. `steps.apply` calls each, in the
order of registration, inside the step's transaction, once the instance's snapshot and data are
stored. A follower that does not recognise the instance returns without doing anything.
"""

from __future__ import annotations

from datetime import datetime

from engine.services.configuration import current
from engine.store.models import ProcessInstance
from engine.store.uow import UnitOfWork


def registered() -> tuple[str, ...]:
    """Return the names of the running wiring's followers, in the order they run."""
    return tuple(current().followers)


def follow(uow: UnitOfWork, instance: ProcessInstance, now: datetime) -> None:
    """Call every follower of the running wiring with the step's unit of work, instance, time."""
    for follower in current().followers.values():
        follower(uow, instance, now)
