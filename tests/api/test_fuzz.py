"""Schemathesis over the OpenAPI document, on SQLite and PostgreSQL: no request answers 500.

The database is seeded first: two approval instances (one at `submit`, one at `approve` with
its timers), a failed timer and a failed mail (the admins' incidents), an attachment. Then:

1. Every operation on its own, EXAMPLES cases each. A path id is a real one of the seed or a
   random UUID, so handlers run on found and on unknown rows. (Schemathesis' own strings for
   `format: uuid` all ended at the router's 404: no handler ever saw an unknown id, and
   `POST /timers/{unknown}/retry` answered 500 unseen.)
2. A state machine over LINKS: ids that lists and created resources return feed the
   operations that take them (incidents → retry, start → instance → its task → complete), in
   STATEFUL_RUNS sequences of up to STEPS calls.

Both passes write: later cases meet what earlier ones left (claimed tasks, retried timers).
About 15-40 s per database on the 2-core machine; the test prints its times and reach.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.contrib.openapi.formats import uuid as uuid_format
from sqlalchemy import select, update

from engine.services.wiring import Wiring
from engine.store.models import Outbox, Timer
from tests.api.test_attachments import PDF
from tests.conftest import NOW

pytestmark = pytest.mark.slow

EXAMPLES = 10
STATEFUL_RUNS = 25
STEPS = 8
API = "/api/v1"
BODY = "$response.body#"
TASK_OPERATIONS = [
    ("GET", "/tasks/{task_id}"),
    ("POST", "/tasks/{task_id}/claim"),
    ("POST", "/tasks/{task_id}/unclaim"),
    ("POST", "/tasks/{task_id}/draft"),
    ("POST", "/tasks/{task_id}/delegate"),
    ("GET", "/tasks/{task_id}/delegates"),
    ("POST", "/tasks/{task_id}/complete"),
]
INSTANCE_OPERATIONS = [
    ("GET", "/process-instances/{instance_id}"),
    ("GET", "/process-instances/{instance_id}/history"),
    ("GET", "/audit/instances/{instance_id}"),
    ("GET", "/audit/instances/{instance_id}/export"),
]
START = ("POST", "/process-definitions/{key}/start")
REPLAY = ("GET", "/process-instances/{instance_id}/history/{seq}/state")
# (source, status, target, {parameter: a JSON pointer into the source's response, or a value}).
# Schemathesis names a link's rule by its target and status, so two sources with the same
# status must not share a target: the later one would replace the earlier.
LINKS: list[tuple[tuple[str, str], int, tuple[str, str], dict[str, Any]]] = [
    (
        ("GET", "/admin/incidents"),
        200,
        ("POST", "/timers/{timer_id}/retry"),
        {"timer_id": "/timers/0/id"},
    ),
    (
        ("GET", "/admin/incidents"),
        200,
        ("POST", "/admin/outbox/{mail_id}/retry"),
        {"mail_id": "/mails/0/id"},
    ),
    (("GET", "/process-definitions"), 200, START, {"key": "/0/key"}),
    (
        ("GET", "/process-definitions"),
        200,
        ("GET", "/process-definitions/{key}/versions/{version}/xml"),
        {"key": "/0/key", "version": "/0/version"},
    ),
    (
        ("GET", "/process-definitions"),
        200,
        ("GET", "/process-definitions/{key}/diff"),
        {"key": "/0/key"},
    ),
    (
        ("POST", "/attachments"),
        201,
        ("GET", "/attachments/{attachment_id}"),
        {"attachment_id": "/id"},
    ),
    *[(START, 201, target, {"task_id": "/open_tasks/0/id"}) for target in TASK_OPERATIONS],
    *[(("GET", "/tasks"), 200, target, {"task_id": "/items/0/id"}) for target in TASK_OPERATIONS],
    *[(START, 201, target, {"instance_id": "/id"}) for target in INSTANCE_OPERATIONS],
    (START, 201, REPLAY, {"instance_id": "/id", "seq": 2}),
    *[
        (("GET", "/process-instances"), 200, target, {"instance_id": "/items/0/id"})
        for target in INSTANCE_OPERATIONS
    ],
]
# Admins may do everything here but start approval (its startRoles: participant): these go as
# emp.asker, who starts it and works on its first task.
PARTICIPANT_PATHS = {START[1], *(path for _, path in TASK_OPERATIONS), "/tasks"}
QUIET = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,  # the same cases every run: a failure here is one to fix, not luck
)


@dataclass(frozen=True)
class Seed:
    """Real ids by path parameter name, and how to make the incidents failed again."""

    ids: dict[str, list[Any]]
    fail_again: Callable[[], None]


@pytest.fixture
def seeded(app: Flask, auth: Callable[[str], dict[str, str]], deployed: Wiring) -> Seed:
    """Real ids to put in paths: instances, tasks, a failed timer and mail, an attachment."""
    client = app.test_client()
    asker = auth("emp.asker")
    start = f"{API}/process-definitions/approval/start"
    started = [
        client.post(start, json={"data": {"municipality": "asker"}}, headers=asker).get_json()
        for _ in range(2)
    ]
    submit = started[1]["open_tasks"][0]["id"]
    done = client.post(
        f"{API}/tasks/{submit}/complete",
        json={"data": {"reason": "Kurs i saksflyt", "start_date": "2027-01-11"}},
        headers=asker,
    )
    assert done.status_code == 200, done.get_json()
    upload = client.post(
        f"{API}/attachments",
        data={"file": (io.BytesIO(PDF), "cv.pdf")},
        content_type="multipart/form-data",
        headers=asker,
    )
    assert upload.status_code == 201, upload.get_json()
    with deployed.new_uow() as uow:
        timer = uow.session.scalars(select(Timer.id).order_by(Timer.due_at)).first()
        uow.session.add(
            Outbox(
                kind="seeded",
                to_address="emp.asker@example.no",
                locale="nb",
                subject="Seeded",
                body="A failed mail.",
                state="failed",
                attempts=3,
                next_attempt_at=NOW,
                last_error="seeded",
            )
        )
        uow.commit()
        mails = [str(mail) for mail in uow.session.scalars(select(Outbox.id))]
    fail(deployed, timer, mails)
    with deployed.new_uow() as uow:
        tasks = [str(t.id) for i in started for t in uow.tasks.open_for_instance(UUID(i["id"]))]
    ids = {
        "instance_id": [i["id"] for i in started],
        "task_id": tasks,
        "timer_id": [str(timer)],
        "mail_id": mails,
        "attachment_id": [upload.get_json()["id"]],
        "key": ["approval", "waiter"],
        "version": [1],
        "name": ["approval.bpmn", "approval.submit.schema.json"],
        "seq": [1, 3],
    }
    return Seed(ids, lambda: fail(deployed, timer, mails))


def fail(wiring: Wiring, timer: UUID | None, mails: list[str]) -> None:
    """Make the timer and the mails admins' incidents (again): failed, to be retried."""
    with wiring.new_uow() as uow:
        uow.session.execute(
            update(Timer).where(Timer.id == timer).values(state="failed", last_error="seeded")
        )
        uow.session.execute(
            update(Outbox).where(Outbox.id.in_([UUID(m) for m in mails])).values(state="failed")
        )
        uow.commit()


@pytest.fixture
def uuids() -> Any:
    """Let schemathesis draw real UUIDs for `format: uuid`, for this test only."""
    uuid_format.install()
    yield
    uuid_format.uninstall()


def test_no_operation_answers_500(
    app: Flask, auth: Callable[[str], dict[str, str]], seeded: Seed, uuids: None
) -> None:
    document = app.test_client().get(f"{API}/openapi.json").get_json()
    schema = schemathesis.from_dict(document, app=app)
    headers, asker = auth("admin"), auth("emp.asker")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    failures: list[str] = []
    timings: list[tuple[float, str]] = []
    statuses: dict[str, Counter[int]] = {}  # what each operation answered, for the summary

    def call(case: schemathesis.Case) -> Any:
        participant = case.path.removeprefix(API) in PARTICIPANT_PATHS
        response = case.call_wsgi(app=app, headers=asker if participant else headers)
        statuses.setdefault(f"{case.method} {case.path}", Counter())[response.status_code] += 1
        if response.status_code >= 500:
            detail = f"{response.status_code} {response.data[:300]!r}"
            failures.append(f"{case.method} {case.formatted_path}: {detail}")
        return response

    started = time.perf_counter()
    for operation in operations:

        @given(case=operation.as_strategy(), data=st.data())
        @settings(QUIET, max_examples=EXAMPLES, phases=[Phase.explicit, Phase.generate])
        def probe(case: schemathesis.Case, data: st.DataObject) -> None:
            for name in list(case.path_parameters or {}):
                if name in seeded.ids:
                    real = st.sampled_from(seeded.ids[name])
                    case.path_parameters[name] = data.draw(real | st.just(str(uuid4())))
            call(case)

        began = time.perf_counter()
        probe()
        timings.append((time.perf_counter() - began, f"{operation.method} {operation.path}"))
    one_by_one = time.perf_counter() - started

    for source, status, target, parameters in LINKS:
        schema.add_link(
            source=schema[API + source[1]][source[0]],
            target=schema[API + target[1]][target[0]],
            status_code=str(status),
            parameters={
                name: f"{BODY}{value}" if isinstance(value, str) else value
                for name, value in parameters.items()
            },
        )

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def call(self, case: schemathesis.Case, **kwargs: Any) -> Any:
            return call(case)

        def _add_results_to_targets(self, targets: Any, results: Any) -> None:
            # Hypothesis renamed the hook schemathesis 3.39 overrides to route a response to
            # the bundle of its links (_add_result_to_targets); without this, no link is used.
            for result in results:
                target = None if result is None else self._get_target_for_result(result)
                if target is not None:
                    super()._add_results_to_targets((target,), [result])

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            """Only 5xx counts (`call` notes it); the schema's own checks are not this test's."""

    seeded.fail_again()  # the first pass retried them
    one_by_one_statuses, statuses = statuses, {}
    began = time.perf_counter()
    Workflow.run(settings=settings(QUIET, max_examples=STATEFUL_RUNS, stateful_step_count=STEPS))
    stateful = time.perf_counter() - began
    succeeded = {op for op, seen in one_by_one_statuses.items() if any(c < 300 for c in seen)}
    print(
        f"\none by one: {one_by_one:.1f} s, {len(succeeded)} of {len(operations)} operations "
        f"answered 2xx at least once; slowest: {sorted(timings, reverse=True)[:3]}",
        f"\nstateful: {stateful:.1f} s, {sum(sum(c.values()) for c in statuses.values())} calls:",
        {op: dict(seen) for op, seen in sorted(statuses.items())},
    )
    assert failures == []
