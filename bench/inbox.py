"""Group inbox at scale: GET /api/v1/tasks?scope=group over 100,000 open tasks.

Rows are bulk-inserted with SQLAlchemy core: a few hundred running instances of the ten-task
definition (deployed normally), and open tasks spread like a Vestregionen network's would be:
municipalities weighted by size, about two thirds offered to a role in a municipality, a few
to a role network-wide, the rest to one named person; about one in seven already claimed.
Then a demo leader (leder.asker: leader in Asker) asks for the first page of the group inbox.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, insert, select, text

from bench import apps
from engine.store.models import (
    EVERY_MUNICIPALITY,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
)

VIEWER = "leder.asker"
MUNICIPALITIES = {"baerum": 30, "drammen": 25, "asker": 22, "lier": 12, "loten": 8, "nettverket": 3}
ROLES = {
    "leader": 30,
    "service_leader": 20,
    "finance": 15,
    "hr": 10,
    "union_rep": 10,
    "admin_group": 10,
    "participant": 5,
}
ELEMENTS = {
    "role": [
        ("approve", "Godkjenn søknad"),
        ("review", "Vurder saken"),
        ("attest", "Attester faktura"),
    ],
    "user": [("submit", "Send søknad"), ("correct", "Rett opp søknaden")],
}
CHUNK = 5_000


def _instances(
    definition: ProcessDefinition, count: int, rnd: random.Random, now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "id": uuid4(),
            "definition_id": definition.id,
            "key": definition.key,
            "version": definition.version,
            "state": "running",
            "business_key": f"SAK-{n:05d}",
            "started_by": f"ansatt{rnd.randrange(3000):04d}",
            "data": {},
            "snapshot": {},
            "created_at": now - timedelta(days=rnd.uniform(0, 365)),
            "updated_at": now,
            "history_seq": 0,
            "history_head": "",
        }
        for n in range(count)
    ]


def _pick(rnd: random.Random, weights: dict[str, int]) -> str:
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


def _task(
    rnd: random.Random, instance: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    task_id = uuid4()
    municipality = _pick(rnd, MUNICIPALITIES)
    draw = rnd.random()
    kind = "user" if draw >= 0.65 else "role"
    element, name = rnd.choice(ELEMENTS[kind])
    created = now - timedelta(days=rnd.uniform(0, 180))
    if kind == "role":
        role = _pick(rnd, ROLES)
        where = None if draw < 0.05 else municipality  # None: the role anywhere
        roles, users = [role], []
        candidate = {
            "task_id": task_id,
            "kind": "role",
            "value": role,
            "municipality_id": where or EVERY_MUNICIPALITY,
            "created_at": created,
        }
    else:
        where = municipality
        person = f"ansatt{rnd.randrange(3000):04d}.{municipality}"
        roles, users = [], [person]
        candidate = {
            "task_id": task_id,
            "kind": "user",
            "value": person,
            "municipality_id": EVERY_MUNICIPALITY,
            "created_at": created,
        }
    claimed = rnd.random() < 0.15
    task = {
        "id": task_id,
        "instance_id": instance["id"],
        "process_key": instance["key"],
        "business_key": instance["business_key"],
        "element_id": element,
        "name": name,
        "lane": roles[0] if roles else None,
        "candidate_roles": roles,
        "candidate_users": users,
        "municipality_id": where,
        "assignee": f"ansatt{rnd.randrange(3000):04d}.{municipality}" if claimed else None,
        "state": "open",
        "form_schema": None,
        "form_uischema": None,
        "instructions": None,
        "created_at": created,
        "due_at": created + timedelta(days=rnd.choice([3, 5, 10, 30])),
        "completed_at": None,
        "completed_by": None,
        "draft": None,
    }
    return task, None if claimed else candidate  # claimed tasks leave the group inbox


def fill(
    connection: Connection,
    definition: ProcessDefinition,
    tasks: int,
    instances: int,
    seed: int = 2026,
) -> None:
    """Insert `instances` running instances and `tasks` open tasks with their candidate rows.

    As in `Tasks.offer`, only unclaimed tasks have candidate rows.
    """
    rnd, now = random.Random(seed), datetime.now(UTC)
    parents = _instances(definition, instances, rnd, now)
    connection.execute(insert(ProcessInstance), parents)
    for start in range(0, tasks, CHUNK):
        pairs = [_task(rnd, rnd.choice(parents), now) for _ in range(min(CHUNK, tasks - start))]
        connection.execute(insert(HumanTask), [task for task, _ in pairs])
        offered = [candidate for _, candidate in pairs if candidate is not None]
        connection.execute(insert(TaskCandidate), offered)


def run(
    database_url: str, tasks: int, instances: int, repeat: int, *, analyze: bool
) -> dict[str, Any]:
    """Fill the database, then time the group inbox of VIEWER `repeat` times."""
    bench = apps.new_app(database_url, apps.TEN_TASKS)
    try:
        with bench.wiring.new_uow() as uow:
            definition = uow.definitions.latest("ten_tasks")
        started = time.perf_counter()
        with bench.wiring.engine.begin() as connection:
            fill(connection, definition, tasks, instances)
        if analyze:
            with bench.wiring.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        fill_seconds = time.perf_counter() - started
        headers = bench.token(VIEWER)
        samples, total = [], 0
        for round_ in range(repeat + 5):
            wall = time.perf_counter()
            page = apps.json_of(bench.client.get("/api/v1/tasks?scope=group", headers=headers))
            if round_ >= 5:  # the first few warm caches and connections
                samples.append(time.perf_counter() - wall)
            total = page["total"]
        return {
            "tasks": tasks,
            "instances": instances,
            "visible": total,
            "page": len(page["items"]),
            "fill_seconds": fill_seconds,
            "samples": samples,
            "open_tasks_in_db": _count_open(bench),
        }
    finally:
        apps.dispose(bench)


def _count_open(bench: apps.BenchApp) -> int:
    with bench.wiring.engine.connect() as connection:
        query = (
            select(text("count(*)"))
            .select_from(HumanTask.__table__)
            .where(HumanTask.__table__.c.state == "open")
        )
        return int(connection.scalar(query) or 0)
