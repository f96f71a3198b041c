"""The group inbox walks `ix_task_candidate_inbox` in order and holds only claimable tasks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from bench import inbox as bench_inbox
from engine.services import inbox, instances, tasks
from engine.services.wiring import Wiring
from engine.store.tasks import Tasks
from tests.conftest import NOW, user

VIEWER = "leder.asker"  # leader and participant in Asker


@pytest.fixture
def filled(deployed: Wiring) -> Wiring:
    """Deployed demo wiring with 20,000 open tasks spread as in `make bench`."""
    with deployed.new_uow() as uow:
        definition = uow.definitions.latest("approval")
    with deployed.engine.begin() as connection:
        bench_inbox.fill(connection, definition, 20_000, 50, seed=7)
    if deployed.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk insert: statistics and the visibility map.
        with deployed.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE task_candidate"))
            c.execute(text("VACUUM ANALYZE human_task"))
    else:
        with deployed.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return deployed


def _statements(wiring: Wiring, **page: Any) -> list[tuple[str, Any]]:
    """Return the SQL (with parameters) the group page runs for VIEWER."""
    seen: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        seen.append((args[2], args[3]))

    event.listen(wiring.engine, "before_cursor_execute", capture)
    try:
        with wiring.new_uow() as uow:
            uow.tasks.group_page(VIEWER, ["leader", "participant"], "asker", **page)
    finally:
        event.remove(wiring.engine, "before_cursor_execute", capture)
    return [(sql, params) for sql, params in seen if "task_candidate" in sql]


def _sqlite_plan(engine: Engine, sql: str, params: Any) -> list[tuple[int, int, str]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
    return [(row[0], row[1], row[3]) for row in rows]


def _pg_nodes(plan: dict[str, Any], parent: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    yield parent, plan
    for child in plan.get("Plans", []):
        yield from _pg_nodes(child, plan["Node Type"])


def test_group_page_walks_the_inbox_index_and_stops_after_the_page(filled: Wiring) -> None:
    [(page_sql, page_params), (count_sql, count_params)] = _statements(filled, limit=50, offset=0)
    if filled.engine.dialect.name == "sqlite":
        plan = _sqlite_plan(filled.engine, page_sql, page_params)
        candidates = [(i, p, d) for i, p, d in plan if "task_candidate" in d]
        assert len(candidates) == 5  # by name, and two roles here and network-wide
        assert all(
            "SEARCH task_candidate USING COVERING INDEX ix_task_candidate_inbox" in d
            for _, _, d in candidates
        )
        # No range is sorted: a sort would sit beside its index search in the same subquery.
        branches = {p for _, p, _ in candidates}
        assert not [d for _, p, d in plan if p in branches and "TEMP B-TREE" in d]
        assert any("SEARCH human_task USING INDEX" in d for _, _, d in plan)
        counted = _sqlite_plan(filled.engine, count_sql, count_params)
        assert [d for _, _, d in counted if "task_candidate" in d] == [
            d for _, _, d in counted if "COVERING INDEX ix_task_candidate_inbox" in d
        ]
        assert not [d for _, _, d in counted if d.startswith("SCAN") and "CONSTANT" not in d]
        return
    with filled.engine.connect() as connection:
        explain = "EXPLAIN (ANALYZE, FORMAT JSON) "
        plan = connection.exec_driver_sql(explain + page_sql, page_params).scalar_one()[0]
        counted = connection.exec_driver_sql(explain + count_sql, count_params).scalar_one()[0]
    scans = [
        (p, n) for p, n in _pg_nodes(plan["Plan"]) if n.get("Relation Name") == "task_candidate"
    ]
    assert len(scans) == 5
    for parent, node in scans:
        assert node["Node Type"] == "Index Only Scan", node
        assert node["Index Name"] == "ix_task_candidate_inbox"
        assert parent == "Limit"  # read in index order, stopped after the window
        assert node["Actual Rows"] <= 50
    tasks = [n for _, n in _pg_nodes(plan["Plan"]) if n.get("Relation Name") == "human_task"]
    assert [(n["Node Type"], n["Actual Loops"]) for n in tasks] == [("Index Scan", 50)]
    counts = [n for _, n in _pg_nodes(counted["Plan"]) if n.get("Relation Name")]
    assert {(n["Relation Name"], n["Node Type"], n["Index Name"]) for n in counts} == {
        ("task_candidate", "Index Only Scan", "ix_task_candidate_inbox")
    }
    assert not [n for _, n in _pg_nodes(counted["Plan"]) if n["Node Type"] == "Gather"]


@pytest.mark.parametrize("newest_first", [False, True])
def test_group_page_equals_the_filtered_query_on_every_page(
    filled: Wiring, newest_first: bool
) -> None:
    viewer = user(filled, VIEWER)
    query = Tasks.refine(
        Tasks.group(viewer.username, viewer.roles, viewer.municipality_id),
        sort="-created_at" if newest_first else "created_at",
    )
    with filled.new_uow() as uow:
        expected, expected_total = uow.tasks.page(query, 100_000, 0)
        for offset in (0, 20, 1000, expected_total - 7):
            page, total = uow.tasks.group_page(
                viewer.username, viewer.roles, viewer.municipality_id, 20, offset, newest_first
            )
            assert [t.id for t in page] == [t.id for t in expected[offset : offset + 20]]
            assert total == expected_total
    assert 1000 < expected_total < 20_000
    assert all(t.assignee is None and t.state == "open" for t in expected)


def _group(wiring: Wiring, username: str) -> dict[str, Any]:
    return inbox.list_tasks(
        wiring.new_uow(), user(wiring, username), "group", now=NOW, limit=50, offset=0
    )


def test_claim_and_delegate_leave_the_group_inbox_and_unclaim_comes_back(
    deployed: Wiring,
) -> None:
    instances.start_instance(
        deployed.new_uow(),
        "approval",
        {"municipality": "asker"},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    [submit] = _group(deployed, "emp.asker")["items"]
    tasks.claim_task(deployed.new_uow(), submit["id"], actor=user(deployed, "emp.asker"), now=NOW)
    assert _group(deployed, "emp.asker")["total"] == 0
    tasks.unclaim_task(deployed.new_uow(), submit["id"], actor=user(deployed, "emp.asker"), now=NOW)
    again = _group(deployed, "emp.asker")
    assert [t["id"] for t in again["items"]] == [submit["id"]] and again["total"] == 1
    tasks.complete_task(
        deployed.new_uow(),
        submit["id"],
        {"reason": "Kurs", "start_date": "2026-12-01", "days": 2},
        actor=user(deployed, "emp.asker"),
        now=NOW,
    )
    assert _group(deployed, "emp.asker")["total"] == 0
    [approve] = _group(deployed, "leder.asker")["items"]
    assert approve["element_id"] == "approve"
    tasks.delegate_task(
        deployed.new_uow(), approve["id"], "leder.asker", actor=user(deployed, "admin"), now=NOW
    )
    assert _group(deployed, "leder.asker")["total"] == 0
    tasks.unclaim_task(deployed.new_uow(), approve["id"], actor=user(deployed, "admin"), now=NOW)
    assert [t["id"] for t in _group(deployed, "leder.asker")["items"]] == [approve["id"]]
    with deployed.new_uow() as uow:
        [row] = uow.tasks.candidates(approve["id"])
    assert (row.kind, row.value, row.municipality_id) == ("role", "leader", "asker")
