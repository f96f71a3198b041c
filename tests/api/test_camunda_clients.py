"""The three Camunda 7 Python clients from PyPI against running `saksflyt serve` processes.

pycamunda 0.6.1 (P), camunda-external-task-client-python3 4.5.0 (E) and camunda-client
0.15.0 (C), unchanged, on SQLite and PostgreSQL, with two server processes on one database
for the locking and long-polling cases (docs/camunda7.md).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pycamunda.deployment
import pycamunda.externaltask
import pycamunda.message
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pytest
import requests
from camunda.client.engine_client import EngineClient
from camunda.client.external_task_client import ExternalTaskClient
from camunda.external_task.external_task import ExternalTask
from camunda.external_task.external_task_worker import ExternalTaskWorker
from camunda_client import CamundaEngineClient, ExternalTaskConfig
from camunda_client import ExternalTaskClient as AsyncTaskClient
from camunda_client.clients.dto import AuthData
from camunda_client.clients.engine.schemas.body import (
    GetHistoryTasksFilterSchema,
    GetTasksFilterSchema,
    HistoricProcessInstanceFilterSchema,
    SendCorrelationMessageSchema,
)
from camunda_client.clients.engine.schemas.query import HistoryVariableInstanceFilterParamsSchema
from camunda_client.exceptions import CamundaClientError
from camunda_client.utils import deserialize
from requests.auth import HTTPBasicAuth

from tests.api.camunda_servers import PASSWORD, Servers, model, next_suffix, running

WORKER = "eier"  # a process owner: saksflyt's external-task workers are process owners' accounts


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    with running(request.param, tmp_path_factory.mktemp(request.param)) as started:
        yield started


@pytest.fixture(autouse=True)
def timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """pycamunda sets no timeout anywhere: give `requests` one."""
    original = requests.sessions.Session.request

    def request(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", 60)
        return original(self, method, url, **kwargs)

    monkeypatch.setattr(requests.sessions.Session, "request", request)


def auth(username: str = WORKER) -> HTTPBasicAuth:
    return HTTPBasicAuth(username, PASSWORD)


def call(request: Any, username: str = WORKER) -> Any:
    """Send a pycamunda request as a user."""
    request.auth = auth(username)
    return request()


def deploy(url: str) -> tuple[str, str]:
    """Deploy a fresh copy of the C7 invoice model with pycamunda; return (key, topic)."""
    key, topic, content = model(next_suffix())
    create = pycamunda.deployment.Create(url, name="faktura")
    create.add_resource((f"{key}.bpmn", content))
    deployed = call(create)
    assert [d.key for d in deployed.deployed_process_definitions.values()] == [key]
    return key, topic


def start(url: str, key: str, business_key: str, amount: int = 120) -> str:
    starting = pycamunda.processdef.StartInstance(url, key=key, business_key=business_key)
    starting.add_variable("amount", amount, "Integer")
    return str(call(starting).id_)


def fetch(url: str, topic: str, worker: str, timeout_ms: int = 0, lock_ms: int = 30_000) -> Any:
    fetching = pycamunda.externaltask.FetchAndLock(
        url, worker_id=worker, max_tasks=1, async_response_timeout=timeout_ms
    )
    fetching.add_topic(topic, lock_duration=lock_ms)
    return call(fetching)


def test_pycamunda_deploys_starts_works_the_user_task_and_correlates(servers: Servers) -> None:
    url = servers.url
    key, topic = deploy(url)
    (definition,) = call(pycamunda.processdef.GetList(url, key=key, latest_version=True))
    assert definition.key == key and definition.version == 1
    instance_id = start(url, key, "P-1")
    assert call(pycamunda.processinst.Get(url, instance_id)).business_key == "P-1"
    variables = call(pycamunda.processinst.VariablesGetList(url, instance_id))
    assert variables["amount"].value == 120 and variables["amount"].type_ == "Integer"
    (task,) = fetch(url, topic, "p-worker")
    assert task.variables["limit"].value == 240  # ${amount * 2}, an input mapping
    completing = pycamunda.externaltask.Complete(url, task.id_, worker_id="p-worker")
    completing.add_variable("approved", True, "Boolean")
    call(completing)

    (user_task,) = call(pycamunda.task.GetList(url, process_instance_id=instance_id), "fin.asker")
    assert user_task.task_definition_key == "approve" and user_task.created is not None
    call(pycamunda.task.Claim(url, user_task.id_, user_id="fin.asker"), "fin.asker")
    # Someone else holds it: 409 (Camunda: 500), which pycamunda raises as NoSuccess.
    with pytest.raises(pycamunda.NoSuccess, match="TaskAlreadyClaimedException"):
        call(pycamunda.task.Claim(url, user_task.id_, user_id="fin.drammen"), "fin.drammen")
    call(pycamunda.task.Unclaim(url, user_task.id_), "fin.asker")
    call(pycamunda.task.Claim(url, user_task.id_, user_id="fin.drammen"), "fin.drammen")
    done = pycamunda.task.Complete(url, user_task.id_)
    done.add_variable("paid_by", "fin.drammen", "String")
    call(done, "fin.drammen")

    correlating = pycamunda.message.CorrelateSingle(
        url, "invoice_paid", business_key="P-1", result_enabled=True
    )
    (result,) = call(correlating)
    assert str(result.execution.process_instance_id) == instance_id
    with pytest.raises(pycamunda.NotFound):  # ended: the runtime view no longer has it
        call(pycamunda.processinst.Get(url, instance_id))
    activities = requests.get(
        f"{url}/history/activity-instance",
        params={"processInstanceId": instance_id},
        auth=auth(),
    ).json()
    assert activities[-1]["activityId"] == "paid_end"
    assert {"check_invoice", "approve", "wait_paid"} <= {a["activityId"] for a in activities}


def _execute(worker: ExternalTaskWorker, topic: str, action: Any) -> None:
    worker.fetch_and_execute([topic], action)


def test_external_task_client_fails_retries_extends_and_completes(servers: Servers) -> None:
    url = servers.url
    key, topic = deploy(url)
    instance_id = start(url, key, "E-1")
    config = {
        "auth_basic": {"username": WORKER, "password": PASSWORD},
        "asyncResponseTimeout": 5000,
        "lockDuration": 10000,
        "retries": 2,
        "retryTimeout": 1000,
    }
    worker = ExternalTaskWorker("e-worker", url, config)
    seen: list[dict[str, Any]] = []

    def failing(task: ExternalTask) -> Any:
        seen.append(
            {"retries": task._context.get("retries"), "error": task._context.get("errorMessage")}
        )
        return task.failure("the archive is down", "stack trace", max_retries=2, retry_timeout=1000)

    _execute(worker, topic, failing)  # executor insists on 204
    started = time.monotonic()

    def completing(task: ExternalTask) -> Any:
        seen.append(
            {"retries": task._context.get("retries"), "error": task._context.get("errorMessage")}
        )
        extend = pycamunda.externaltask.ExtendLock(url, task.get_task_id(), 60_000, "e-worker")
        call(extend)  # E has no extendLock; P's request on E's lock
        return task.complete({"approved": False})

    _execute(worker, topic, completing)  # long polls until the retry timeout has passed
    assert time.monotonic() - started >= 0.5
    assert seen == [
        {"retries": None, "error": None},
        {"retries": 2, "error": "the archive is down"},
    ]  # E sends max_retries first
    states = requests.get(f"{url}/history/process-instance/{instance_id}", auth=auth()).json()
    assert states["state"] == "COMPLETED"  # approved false: the rejected end


def test_a_bpmn_error_from_a_worker_is_caught_by_the_boundary_event(servers: Servers) -> None:
    url = servers.url
    key, topic = deploy(url)
    instance_id = start(url, key, "E-2")
    worker = ExternalTaskWorker(
        "e-worker", url, {"auth_basic": {"username": WORKER, "password": PASSWORD}}
    )
    _execute(
        worker, topic, lambda task: task.bpmn_error("INVALID", "no order number", {"why": "x"})
    )
    activities = requests.get(
        f"{url}/history/activity-instance", params={"processInstanceId": instance_id}, auth=auth()
    ).json()
    assert activities[-1]["activityId"] == "invalid_end"
    variables = requests.get(
        f"{url}/history/variable-instance",
        params={"processInstanceId": instance_id, "variableName": "why"},
        auth=auth(),
    ).json()
    assert [(v["name"], v["value"]) for v in variables] == [("why", "x")]


def test_failure_without_retries_is_an_incident_an_admin_retries(servers: Servers) -> None:
    url = servers.url
    key, topic = deploy(url)
    start(url, key, "E-3")
    client = ExternalTaskClient(
        "e-worker", url, {"auth_basic": {"username": WORKER, "password": PASSWORD}}
    )
    (task,) = client.fetch_and_lock([topic])
    # Completing without `approved`: the gateway cannot decide. 422 (Camunda: 500); E raises.
    with pytest.raises(Exception, match=r"received 422 : ProcessEngineException : .*approved"):
        client.complete(task["id"], {})
    assert client.failure(task["id"], "broken", "details", retries=0, retry_timeout=0) is True
    assert client.fetch_and_lock([topic]) == []
    token = requests.post(
        f"{servers.root}/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}
    ).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    incidents = requests.get(f"{servers.root}/api/v1/admin/incidents", headers=bearer).json()
    assert task["id"] in [i["id"] for i in incidents["external_tasks"]]
    retried = requests.post(
        f"{servers.root}/api/v1/admin/external-tasks/{task['id']}/retry", headers=bearer
    )
    assert retried.status_code == 200
    (again,) = client.fetch_and_lock([topic])
    assert again["id"] == task["id"] and again["retries"] == 1


def test_engine_client_starts_and_correlates_with_a_result(servers: Servers) -> None:
    url = servers.url
    key, topic = deploy(url)
    engine = EngineClient(url, {"auth_basic": {"username": WORKER, "password": PASSWORD}})
    started = engine.start_process(key, {"amount": 50}, business_key="E-4")
    (task,) = fetch(url, topic, "p-worker")
    assert task.variables["amount"].value == 50  # untyped {"value": 50} read as an Integer
    assert str(task.process_instance_id) == started["id"]


def test_camunda_client_runs_a_case_and_reads_its_history(servers: Servers) -> None:
    asyncio.run(_camunda_client_case(servers.url))


async def _camunda_client_case(url: str) -> None:
    transport = httpx.AsyncHTTPTransport()
    try:
        await _camunda_client_steps(url, transport)
    finally:
        await transport.aclose()


async def _camunda_client_steps(url: str, transport: httpx.AsyncHTTPTransport) -> None:
    key, topic = deploy(url)
    worker_auth = AuthData(username=WORKER, password=PASSWORD)
    engine = CamundaEngineClient(url, worker_auth, transport)
    started = await engine.start_process(
        key, business_key="C-1", variables={"amount": deserialize(75)}
    )
    config = ExternalTaskConfig(async_response_timeout=timedelta(seconds=2))
    worker = AsyncTaskClient("c-worker", url, worker_auth, transport, config)
    (task,) = await worker.fetch_and_lock([topic], business_key="C-1")
    await worker.extend_lock(task.id, new_duration=120_000)
    fetched = await engine.get_external_task(task.id)
    assert fetched is not None and fetched.worker_id == "c-worker"
    await worker.unlock(task.id)  # a bodiless POST with a JSON content type
    (task,) = await worker.fetch_and_lock([topic], business_key="C-1")
    await worker.complete(task.id, global_variables={"approved": deserialize(True)})

    finance = CamundaEngineClient(url, AuthData(username="fin.asker", password=PASSWORD), transport)
    (user_task,) = await finance.get_tasks(
        GetTasksFilterSchema(process_instance_id=started.id, candidate_group="finance")
    )
    await finance.claim_task(user_task.id, "fin.asker")  # type: ignore[arg-type]
    colleague = CamundaEngineClient(
        url, AuthData(username="fin.drammen", password=PASSWORD), transport
    )
    with pytest.raises(CamundaClientError) as taken:  # fin.asker holds it: 409 (Camunda: 500)
        await colleague.claim_task(user_task.id, "fin.drammen")  # type: ignore[arg-type]
    assert taken.value.status_code == 409
    assert b"TaskAlreadyClaimedException" in taken.value.response_data
    await finance.unclaim_task(user_task.id)
    assert (await finance.get_task(user_task.id)).assignee is None  # type: ignore[union-attr]
    await finance.submit_task_form(user_task.id, {"note": deserialize("ok")})
    answer = await engine.send_correlation_message(
        SendCorrelationMessageSchema(message_name="invoice_paid", business_key="C-1")
    )
    assert answer is None  # without resultEnabled: 204

    history = await engine.get_history_process_instance(started.id)
    assert history is not None and history.state.value == "COMPLETED"
    (listed,) = await engine.get_history_process_instances(
        HistoricProcessInstanceFilterSchema(process_instance_id=str(started.id))
    )
    assert listed.id == started.id
    tasks = await engine.get_history_tasks(
        GetHistoryTasksFilterSchema(process_instance_id=started.id)
    )
    assert [t.task_definition_key for t in tasks] == ["approve"]
    variables = await engine.get_history_variable_instances(
        HistoryVariableInstanceFilterParamsSchema(process_instance_id=started.id)
    )
    assert {v.name: v.value for v in variables}["note"] == "ok"


def test_two_processes_lock_a_task_once_and_a_long_poll_hears_the_other(servers: Servers) -> None:
    first, second = servers.urls
    key, topic = deploy(first)
    answers: list[Any] = []
    asked_at = time.monotonic()
    waiting = threading.Thread(
        target=lambda: answers.append((fetch(second, topic, "w-b", 20_000, 5000), time.monotonic()))
    )
    waiting.start()
    time.sleep(1.0)  # the long poll on the second server waits
    started_at = time.monotonic()
    start(first, key, "L-1")  # readied in the first process
    waiting.join(timeout=25)
    found, answered_at = answers[0]
    waited = (answered_at - asked_at, answered_at - started_at)
    assert len(found) == 1, f"the long poll answered {found} after {waited[0]:.1f} s"
    (task,) = found
    # Woken, not the 20 s timeout: PostgreSQL's NOTIFY (its safety poll is 5 s), SQLite's 1 s poll.
    assert waited[1] < 3.0, waited
    assert fetch(first, topic, "w-a") == ()  # held by w-b
    late = pycamunda.externaltask.Complete(first, task.id_, worker_id="w-a")
    with pytest.raises(pycamunda.BadRequest):
        call(late)
    # w-b "crashed": a long poll on the first server answers once w-b's lock has expired (the
    # processes' test clocks may differ by a second or two, so the poll, not the test, judges).
    (again,) = fetch(first, topic, "w-a", 15_000)
    assert again.id_ == task.id_
    stale = pycamunda.externaltask.Complete(second, task.id_, worker_id="w-b")
    with pytest.raises(pycamunda.BadRequest):  # taken by w-a after the lock expired
        call(stale)
    finished = pycamunda.externaltask.Complete(first, again.id_, worker_id="w-a")
    finished.add_variable("approved", False, "Boolean")
    call(finished)


def test_two_workers_fetching_at_once_never_get_the_same_task(servers: Servers) -> None:
    first, second = servers.urls
    key, topic = deploy(first)
    for number in range(6):
        start(first, key, f"R-{number}")
    got: list[str] = []
    lock = threading.Lock()

    def drain(url: str, worker: str) -> None:
        while True:
            found = fetch(url, topic, worker)
            if not found:
                return
            with lock:
                got.append(str(found[0].id_))

    threads = [
        threading.Thread(target=drain, args=(url, f"w{n}"))
        for n, url in enumerate((first, second, first, second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(got) == 6 and len(set(got)) == 6


assert Path
