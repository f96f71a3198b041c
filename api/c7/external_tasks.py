"""`/engine-rest/external-task`: fetch and lock (long polling), complete, fail, error, unlock."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.c7 import convert
from api.c7.blueprint import bp, caller, no_content
from api.c7.convert import InvalidRequest
from api.wiring import services
from engine.deadlines import long_poll
from engine.services import external_tasks
from engine.services.external_tasks import Locked, Topic
from engine.store.models import ExternalTask

MAX_TIMEOUT_MS = 1_800_000  # Camunda's own cap on asyncResponseTimeout (30 minutes)


def task_view(task: ExternalTask) -> dict[str, Any]:
    """Return Camunda's ExternalTaskDto of a row."""
    return {
        "activityId": task.element_id,
        "activityInstanceId": f"{task.element_id}:{task.id}",
        "errorMessage": task.error_message,
        "executionId": str(task.id),
        "id": str(task.id),
        "lockExpirationTime": convert.date(task.locked_until if task.worker_id else None),
        "createTime": convert.date(task.created_at),
        "processDefinitionId": convert.definition_id(
            task.process_key, task.version, task.definition_id
        ),
        "processDefinitionKey": task.process_key,
        "processDefinitionVersionTag": None,
        "processInstanceId": str(task.instance_id),
        "tenantId": None,
        "retries": task.retries,
        "suspended": False,
        "workerId": task.worker_id,
        "priority": task.priority,
        "topicName": task.topic,
        "businessKey": task.business_key,
    }


def _locked_view(locked: Locked) -> dict[str, Any]:
    view = task_view(locked.task)
    view.pop("suspended")
    view["errorDetails"] = locked.task.error_details
    view["variables"] = convert.variables_out(locked.variables)
    view["extensionProperties"] = {}
    return view


def _topics(given: Any) -> list[Topic]:
    if not isinstance(given, list):
        raise InvalidRequest("'topics' must be a list")
    topics = []
    for item in given:
        if not isinstance(item, dict) or not isinstance(item.get("topicName"), str):
            raise InvalidRequest("every topic needs a 'topicName'")
        duration = item.get("lockDuration")
        if not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0:
            raise InvalidRequest(f"topic '{item['topicName']}' needs a positive 'lockDuration'")
        names = item.get("variables")
        wanted = item.get("processVariables")
        topics.append(
            Topic(
                item["topicName"],
                duration,
                variables=tuple(str(n) for n in names) if isinstance(names, list) else None,
                business_key=item.get("businessKey"),
                process_variables=wanted if isinstance(wanted, dict) and wanted else None,
            )
        )
    return topics


@bp.post("/external-task/fetchAndLock")
def fetch_and_lock() -> Any:
    """Lock tasks of the topics for the worker; hold the request up to asyncResponseTimeout."""
    user = caller()
    body = convert.body()
    worker, most = body.get("workerId"), body.get("maxTasks")
    if not isinstance(worker, str) or not worker:
        raise InvalidRequest("'workerId' is required")
    if not isinstance(most, int) or isinstance(most, bool) or most < 0:
        raise InvalidRequest("'maxTasks' is required and must be a number")
    timeout = body.get("asyncResponseTimeout") or 0
    if not isinstance(timeout, int) or timeout < 0:
        raise InvalidRequest("'asyncResponseTimeout' must be a number of milliseconds")
    locked = long_poll.fetch_and_lock(
        services(),
        worker,
        most,
        _topics(body.get("topics") or []),
        actor=user,
        timeout_ms=min(timeout, MAX_TIMEOUT_MS),
        by_priority=convert.flag(body.get("usePriority"), "usePriority"),
    )
    return jsonify([_locked_view(item) for item in locked])


@bp.get("/external-task/<task_id>")
def get_external_task(task_id: str) -> Any:
    """Return one external task."""
    task = external_tasks.get(
        services().new_uow(read_only=True),
        convert.uuid_of(task_id, "external task"),
        actor=caller(),
    )
    return task_view(task)


def _worker(body: dict[str, Any]) -> str:
    worker = body.get("workerId")
    if not isinstance(worker, str) or not worker:
        raise InvalidRequest("'workerId' is required")
    return worker


@bp.post("/external-task/<task_id>/complete")
def complete_external_task(task_id: str) -> Any:
    """Complete a task the worker holds; 204."""
    body = convert.body()
    variables = {
        **convert.variables_in(body.get("variables")),
        **convert.variables_in(body.get("localVariables"), "localVariables"),
    }
    external_tasks.complete(
        services().new_uow(),
        convert.uuid_of(task_id, "external task"),
        _worker(body),
        variables,
        actor=caller(),
        now=services().now(),
    )
    return no_content()


@bp.post("/external-task/<task_id>/failure")
def failure(task_id: str) -> Any:
    """Record a failure: retries left → lockable after retryTimeout; 0 → an incident; 204."""
    body = convert.body()
    retries, timeout = body.get("retries"), body.get("retryTimeout") or 0
    if not isinstance(retries, int) or isinstance(retries, bool):
        raise InvalidRequest("'retries' is required and must be a number")
    if not isinstance(timeout, int) or timeout < 0:
        raise InvalidRequest("'retryTimeout' must be a number of milliseconds")
    message, details = body.get("errorMessage"), body.get("errorDetails")
    external_tasks.failure(
        services().new_uow(),
        convert.uuid_of(task_id, "external task"),
        _worker(body),
        message=None if message is None else str(message)[:4000],
        details=None if details is None else str(details),
        retries=retries,
        retry_timeout_ms=timeout,
        actor=caller(),
        now=services().now(),
    )
    return no_content()


@bp.post("/external-task/<task_id>/bpmnError")
def bpmn_error(task_id: str) -> Any:
    """End a held task with a BPMN error that its error boundary event catches; 204."""
    body = convert.body()
    code = body.get("errorCode")
    if not isinstance(code, str) or not code:
        raise InvalidRequest("'errorCode' is required")
    message = body.get("errorMessage")
    external_tasks.bpmn_error(
        services().new_uow(),
        convert.uuid_of(task_id, "external task"),
        _worker(body),
        code,
        None if message is None else str(message),
        convert.variables_in(body.get("variables")),
        actor=caller(),
        now=services().now(),
    )
    return no_content()


@bp.post("/external-task/<task_id>/extendLock")
def extend_lock(task_id: str) -> Any:
    """Keep the lock `newDuration` ms from now; 204."""
    body = convert.body()
    duration = body.get("newDuration")
    if not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0:
        raise InvalidRequest("'newDuration' must be a positive number of milliseconds")
    external_tasks.extend_lock(
        services().new_uow(),
        convert.uuid_of(task_id, "external task"),
        _worker(body),
        duration,
        actor=caller(),
        now=services().now(),
    )
    return no_content()


@bp.post("/external-task/<task_id>/unlock")
def unlock(task_id: str) -> Any:
    """Release the lock (the body may be missing); 204."""
    external_tasks.unlock(
        services().new_uow(),
        convert.uuid_of(task_id, "external task"),
        actor=caller(),
        now=services().now(),
    )
    return no_content()
