"""What one wiring configures, held by that wiring and active while its work runs.

`Configuration` holds the script registry (functions and operators), the process settings
(processes/settings.yaml) and the invoice rates they give, the mail policy, the step followers
routines register, what routines declare about reading their cases (`access.declare_case`)
and about what their mails print (`access.declare_mail`, read per recipient by `mail_reader`)
and the wake-up listeners. The wiring builds one (`wiring.configure`) and makes it active for
each of its units of work and requests (`active`); the code that needs it reads `current()`.
Two wirings in one process each see their own: nothing here is a module-wide setting that a
later wiring could take over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from engine.rules.invoice import InvoiceRates
from engine.runtime import registry
from engine.runtime.registry import Registry
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork

# Run after every step with the step's unit of work, instance and time (see step/followers.py).
Follower = Callable[[UnitOfWork, ProcessInstance, datetime], object]
# Hears (channel, due time) after a commit that added due work (see step/wakeups.py).
Listener = Callable[[str, datetime | None], None]
# A routine's rule for one of its processes: the roles a user holds in one of its cases, each
# with the data keys it reads (None: every key). See services/access.py, `declare_case`.
CaseRoles = Callable[[UnitOfWork, ProcessInstance, User], Mapping[str, frozenset[str] | None]]
# A routine's title of one of its cases, from the data its reader may see ("Sykepleier 80 %").
CaseTitle = Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class CaseDeclaration:
    """What a routine declares about reading one of its processes' cases."""

    shared: frozenset[str] = frozenset()  # keys everyone with a part reads
    roles: CaseRoles | None = None
    title: CaseTitle | None = None  # set: its cases are listed in the role overviews


class MailReader(Protocol):
    """What one recipient of a process mail may read of the fields of its entry (the wiring
    sets `access.mail_fields`): the user, or None for an applicant; whether the entry names
    them in `to`; `declared`, an owner's texts' fields (else the kind's declaration)."""

    def __call__(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        user: User | None,
        kind: str,
        fields: Mapping[str, Any],
        addressee: bool,
        declared: Mapping[str, str] | None = None,
    ) -> dict[str, Any]: ...


def _no_fields(*_: Any, **__: Any) -> dict[str, Any]:
    """Give a recipient no field of a mail entry (until a wiring says who reads what)."""
    return {}


# Lists a case's documents a reader may open, as {"kind", "title", "url"} (see cases.py).
DocumentSource = Callable[..., list[dict[str, str]]]


@dataclass(frozen=True)
class Policy:
    """What the wiring decides for every process's mail: links, grace period, reminder hour."""

    public_url: str = "http://127.0.0.1:5000"
    escalation_grace_working_days: int = 2
    reminder_hour: int = 8


@dataclass
class Configuration:
    """One wiring's script registry, process settings, mail policy, followers and listeners."""

    registry: Registry = field(default_factory=Registry)
    settings: dict[str, Any] = field(default_factory=dict)  # dotted names, see process_settings
    rates: InvoiceRates = field(default_factory=InvoiceRates)
    policy: Policy = field(default_factory=Policy)
    followers: dict[str, Follower] = field(default_factory=dict)  # in the order they run
    listeners: list[Listener] = field(default_factory=list)
    cases: dict[str, CaseDeclaration] = field(default_factory=dict)  # process key -> readers
    documents: dict[str, DocumentSource] = field(default_factory=dict)  # a routine's, case page
    # Mail kind -> {placeholder: the data key a recipient must read to get it} (access.declare_mail)
    mails: dict[str, dict[str, str]] = field(default_factory=dict)
    mail_reader: MailReader = _no_fields


class NotConfigured(RuntimeError):
    """Code that needs a wiring's configuration ran outside the wiring's work."""


_active: ContextVar[Configuration | None] = ContextVar("saksflyt_configuration", default=None)


@contextmanager
def active(configuration: Configuration) -> Iterator[Configuration]:
    """Make `configuration` (and its script registry) current until the block ends."""
    token = _active.set(configuration)
    try:
        with registry.use(configuration.registry):
            yield configuration
    finally:
        _active.reset(token)


def current() -> Configuration:
    """Return the configuration of the wiring whose work is running."""
    configuration = _active.get()
    if configuration is None:
        raise NotConfigured("no wiring is active: use wiring.new_uow() or wiring.active()")
    return configuration
