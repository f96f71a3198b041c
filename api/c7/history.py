"""`/engine-rest/history`: process instances, activity instances, tasks, variables."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from flask import jsonify, request

from api.c7 import convert
from api.c7.blueprint import bp, caller, caller_instance
from api.c7.convert import InvalidRequest
from api.c7.tasks import task_view
from api.wiring import services
from engine.services import camunda_reads
from engine.services.camunda_reads import TaskFilter
from engine.store.models import HistoryEvent, HumanTask, ProcessInstance

STATES = {
    "running": "ACTIVE",
    "completed": "COMPLETED",
    "cancelled": "EXTERNALLY_TERMINATED",
    "error": "INTERNALLY_TERMINATED",
}
ACTIVITY_TYPES = {
    "StartEvent": "startEvent",
    "EndEvent": "noneEndEvent",
    "UserTask": "userTask",
    "ExclusiveGateway": "exclusiveGateway",
    "ParallelGateway": "parallelGateway",
    "InclusiveGateway": "inclusiveGateway",
    "IntermediateCatchEvent": "intermediateMessageCatch",
    "BoundaryEvent": "boundaryError",
    "ScriptTask": "scriptTask",
    "ServiceTask": "serviceTask",
}

# What SpiffWorkflow adds around an activity with boundary events: no modeller's element.
ENGINE_PARTS = frozenset({"BoundaryEventSplit", "BoundaryEventJoin", "_BoundaryEventParent"})


def _millis(start: datetime | None, end: datetime | None) -> int | None:
    return None if start is None or end is None else int((end - start).total_seconds() * 1000)


def instance_view(instance: ProcessInstance) -> dict[str, Any]:
    """Return Camunda's HistoricProcessInstanceDto."""
    return {
        "id": str(instance.id),
        "businessKey": instance.business_key,
        "processDefinitionId": convert.definition_id(
            instance.key, instance.version, instance.definition_id
        ),
        "processDefinitionKey": instance.key,
        "processDefinitionName": None,
        "processDefinitionVersion": instance.version,
        "startTime": convert.date(instance.created_at),
        "endTime": convert.date(instance.ended_at),
        "removalTime": None,
        "durationInMillis": _millis(instance.created_at, instance.ended_at),
        "startUserId": instance.started_by,
        "startActivityId": None,
        "deleteReason": None,
        "rootProcessInstanceId": str(instance.id),
        "superProcessInstanceId": None,
        "superCaseInstanceId": None,
        "caseInstanceId": None,
        "tenantId": None,
        "state": STATES.get(str(instance.state), "ACTIVE"),
    }


def _given(body: dict[str, Any], name: str) -> Any:
    return body.get(name)


def _instances(given: dict[str, Any]) -> list[ProcessInstance]:
    ids = given.get("processInstanceIds")
    if isinstance(ids, str):
        ids = ids.split(",")
    if given.get("processInstanceId"):
        ids = [*(ids or []), given["processInstanceId"]]
    finished: bool | None = convert.flag(given.get("finished"), "finished") or None
    if convert.flag(given.get("unfinished"), "unfinished"):
        finished = False
    after, before = given.get("startedAfter"), given.get("startedBefore")
    return camunda_reads.instances(
        services().new_uow(read_only=True),
        caller(),
        instance_ids=[convert.uuid_of(str(i), "process instance") for i in ids]
        if ids is not None
        else None,
        key=given.get("processDefinitionKey"),
        business_key=given.get("processInstanceBusinessKey"),
        finished=finished,
        started_after=convert.parse_date(after, "startedAfter") if after else None,
        started_before=convert.parse_date(before, "startedBefore") if before else None,
    )


INSTANCE_SORTS = {
    "instanceId": "id",
    "startTime": "created_at",
    "endTime": "ended_at",
    "businessKey": "business_key",
    "definitionKey": "key",
}


@bp.get("/history/process-instance/<instance_id>")
def get_historic_instance(instance_id: str) -> Any:
    """Return one instance the caller may read, running or ended."""
    instance, _ = caller_instance(instance_id)
    return instance_view(instance)


@bp.post("/history/process-instance")
def query_historic_instances() -> Any:
    """Query instances (`null` means not given)."""
    given = {k: v for k, v in convert.body().items() if v is not None}
    rows = convert.sorted_page(_instances(given), given.get("sorting"), INSTANCE_SORTS)
    return jsonify([instance_view(i) for i in rows])


@bp.get("/history/process-instance")
def list_historic_instances() -> Any:
    """Query instances by query parameters."""
    given: dict[str, Any] = {k: request.args.get(k) for k in request.args}
    sort = given.get("sortBy")
    sorting = {"sortBy": sort, "sortOrder": given.get("sortOrder")} if sort else None
    rows = convert.sorted_page(_instances(given), sorting, INSTANCE_SORTS)
    return jsonify([instance_view(i) for i in rows])


def _activities(instance: ProcessInstance, events: list[HistoryEvent]) -> list[dict[str, Any]]:
    started = {e.task_id: e.at for e in events if e.type == "task_ready" and e.task_id}
    external = {e.element_id for e in events if e.type.startswith("external_task")}
    done = [
        e
        for e in events
        if e.type == "element_completed"
        and e.task_id
        and str((e.data or {}).get("type")) not in ENGINE_PARTS
    ]
    finished = {e.task_id for e in done}
    open_tasks = [e for e in events if e.type == "task_ready" and e.task_id not in finished]
    views = []
    for event in [*done, *open_tasks]:
        kind = str((event.data or {}).get("type") or "UserTask")
        if event.element_id in external:
            kind = "ServiceTask"
        start = started.get(str(event.task_id), event.at)
        end = event.at if event.type == "element_completed" else None
        views.append(
            {
                "id": f"{event.element_id}:{event.task_id}",
                "parentActivityInstanceId": str(instance.id),
                "activityId": event.element_id,
                "activityName": event.element_name,
                "activityType": ACTIVITY_TYPES.get(kind, kind[:1].lower() + kind[1:]),
                "processDefinitionKey": instance.key,
                "processDefinitionId": convert.definition_id(
                    instance.key, instance.version, instance.definition_id
                ),
                "processInstanceId": str(instance.id),
                "executionId": str(instance.id),
                "taskId": event.task_id if event.task_id in started else None,
                "calledProcessInstanceId": None,
                "calledCaseInstanceId": None,
                "assignee": None,
                "startTime": convert.date(start),
                "endTime": convert.date(end),
                "durationInMillis": _millis(start, end),
                "canceled": False,
                "completeScope": kind.endswith("EndEvent"),
                "tenantId": None,
                "removalTime": None,
                "rootProcessInstanceId": str(instance.id),
            }
        )
    return views


@bp.get("/history/activity-instance")
def historic_activities() -> Any:
    """List an instance's activity instances from its history, by start time."""
    given = request.args.get("processInstanceId")
    if not given:
        raise InvalidRequest("'processInstanceId' is required")
    instance, events = camunda_reads.events(
        services().new_uow(read_only=True),
        convert.uuid_of(given, "process instance"),
        caller(),
    )
    views = _activities(instance, list(events))
    for name in ("activityId", "activityType"):
        if request.args.get(name):
            views = [v for v in views if v[name] == request.args[name]]
    views.sort(
        key=lambda v: (v["startTime"] or "", v["endTime"] or "~"),
        reverse=request.args.get("sortOrder") == "desc",
    )
    return jsonify(views)


def _historic_task(task: HumanTask, instance: ProcessInstance) -> dict[str, Any]:
    view = task_view(task, instance)
    return {
        **{
            k: view[k]
            for k in (
                "id",
                "processDefinitionId",
                "processInstanceId",
                "executionId",
                "name",
                "description",
                "owner",
                "assignee",
                "taskDefinitionKey",
                "priority",
                "due",
                "parentTaskId",
                "followUp",
                "tenantId",
                "caseDefinitionId",
                "caseInstanceId",
                "caseExecutionId",
            )
        },
        "processDefinitionKey": instance.key,
        "caseDefinitionKey": None,
        "activityInstanceId": f"{task.element_id}:{task.id}",
        "deleteReason": DELETE_REASONS.get(str(task.state)),
        "startTime": convert.date(task.created_at),
        "endTime": convert.date(task.completed_at),
        "duration": _millis(task.created_at, task.completed_at),
        "removalTime": None,
        "rootProcessInstanceId": str(task.instance_id),
        "taskState": view["taskState"],
    }


DELETE_REASONS = {"completed": "completed", "cancelled": "deleted"}
TASK_SORTS = {
    "taskId": "id",
    "startTime": "created_at",
    "endTime": "completed_at",
    "taskName": "name",
    "assignee": "assignee",
    "taskDefinitionKey": "element_id",
}


def _historic_tasks(given: dict[str, Any], sorting: Any) -> Any:
    instance_id, task_id = given.get("processInstanceId"), given.get("taskId")
    found = camunda_reads.tasks(
        services().new_uow(read_only=True),
        caller(),
        TaskFilter(
            instance_id=convert.uuid_of(str(instance_id), "process instance")
            if instance_id
            else None,
            task_id=convert.uuid_of(str(task_id), "task") if task_id else None,
            element_id=given.get("taskDefinitionKey"),
            assignee=given.get("taskAssignee"),
            process_key=given.get("processDefinitionKey"),
        ),
        open_only=False,
    )
    if convert.flag(given.get("finished"), "finished"):
        found = [pair for pair in found if pair[0].completed_at is not None]
    if convert.flag(given.get("unfinished"), "unfinished"):
        found = [pair for pair in found if pair[0].state == "open"]
    tasks_only = convert.sorted_page([task for task, _ in found], sorting, TASK_SORTS)
    owners = {task.id: instance for task, instance in found}
    return jsonify([_historic_task(task, owners[task.id]) for task in tasks_only])


@bp.post("/history/task")
def query_historic_tasks() -> Any:
    """Query tasks, open and ended (`null` means not given)."""
    given = {k: v for k, v in convert.body().items() if v is not None}
    return _historic_tasks(given, given.get("sorting"))


@bp.get("/history/task")
def list_historic_tasks() -> Any:
    """Query tasks, open and ended, by query parameters."""
    given: dict[str, Any] = {k: request.args.get(k) for k in request.args}
    sort = given.get("sortBy")
    return _historic_tasks(
        given, {"sortBy": sort, "sortOrder": given.get("sortOrder")} if sort else None
    )


@bp.get("/history/variable-instance")
def historic_variables() -> Any:
    """Return the latest value of each variable of the instances the caller may read."""
    ids = convert.arg_list("processInstanceIdIn") or []
    if request.args.get("processInstanceId"):
        ids.append(request.args["processInstanceId"])
    if not ids:
        raise InvalidRequest("'processInstanceId' or 'processInstanceIdIn' is required")
    names = convert.arg_list("variableNameIn")
    if request.args.get("variableName"):
        names = [*(names or []), request.args["variableName"]]
    like = request.args.get("variableNameLike")
    views = []
    for given in ids:
        instance, data = caller_instance(given)
        for name, value in data.items():
            if names is not None and name not in names:
                continue
            if like and not _like(name, like):
                continue
            views.append(_variable(instance, name, value))
    return jsonify(views)


def _like(name: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(name, pattern.replace("%", "*").replace("_", "?"))


def _variable(instance: ProcessInstance, name: str, value: Any) -> dict[str, Any]:
    typed = convert.variable_out(value)
    return {
        "id": str(uuid5(NAMESPACE_URL, f"saksflyt:{instance.id}:{name}")),
        "name": name,
        **typed,
        "processDefinitionKey": instance.key,
        "processDefinitionId": convert.definition_id(
            instance.key, instance.version, instance.definition_id
        ),
        "processInstanceId": str(instance.id),
        "executionId": str(instance.id),
        "activityInstanceId": str(instance.id),
        "caseDefinitionKey": None,
        "caseDefinitionId": None,
        "caseInstanceId": None,
        "caseExecutionId": None,
        "taskId": None,
        "tenantId": None,
        "errorMessage": None,
        "state": "CREATED",
        "createTime": convert.date(instance.created_at),
        "removalTime": None,
        "rootProcessInstanceId": str(instance.id),
    }


__all__ = ["UUID"]
