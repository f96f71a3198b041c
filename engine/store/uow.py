"""The unit of work: one session, its repositories, one commit."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from engine.store.assignments import Announcements, Invoices
from engine.store.audit import Audit
from engine.store.external_tasks import ExternalTasks
from engine.store.instances import Instances
from engine.store.outbox import OutboxQueue
from engine.store.repositories import Attachments, Definitions, History, Users
from engine.store.tasks import Tasks
from engine.store.waits import Waits


class UnitOfWork:
    """Open a session on enter; roll back on exit unless `commit()` was called."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.users = Users(self.session)
        self.definitions = Definitions(self.session)
        self.instances = Instances(self.session)
        self.tasks = Tasks(self.session)
        self.external_tasks = ExternalTasks(self.session)
        self.waits = Waits(self.session)
        self.history = History(self.session)
        self.audit = Audit(self.session)
        self.outbox = OutboxQueue(self.session)
        self.invoices = Invoices(self.session)
        self.announcements = Announcements(self.session)
        self.attachments = Attachments(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted but, unlike rollback(), leaves loaded
        # objects readable (detached) for the caller.
        self.session.close()

    def commit(self) -> None:
        """Commit everything done in this unit."""
        self.session.commit()

    def flush(self) -> None:
        """Send pending changes without committing."""
        self.session.flush()
