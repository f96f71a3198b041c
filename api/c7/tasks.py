"""`/engine-rest/task`: query (GET and POST), read, claim, unclaim, complete, submit-form."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.c7 import convert
from api.c7.blueprint import bp, caller, no_content
from api.c7.convert import InvalidRequest
from api.language import request_locale
from api.wiring import services
from engine.services import camunda_reads, tasks
from engine.services.camunda_reads import TaskFilter
from engine.services.errors import Forbidden
from engine.store.models import HumanTask, ProcessInstance
from engine.store.states import InstanceState

SORTS = {
    "created": "created_at",
    "name": "name",
    "assignee": "assignee",
    "id": "id",
    "dueDate": "due_at",
    "instanceId": "instance_id",
    "processInstanceId": "instance_id",
}


def task_view(task: HumanTask, instance: ProcessInstance) -> dict[str, Any]:
    """Return Camunda's TaskDto."""
    return {
        "id": str(task.id),
        "name": task.name,
        "assignee": task.assignee,
        "owner": None,
        "created": convert.date(task.created_at),
        "lastUpdated": None,
        "due": convert.date(task.due_at),
        "followUp": None,
        "delegationState": None,
        "description": task.instructions,
        "executionId": str(task.id),
        "parentTaskId": None,
        "priority": 50,
        "processDefinitionId": convert.definition_id(
            instance.key, instance.version, instance.definition_id
        ),
        "processInstanceId": str(task.instance_id),
        "caseExecutionId": None,
        "caseDefinitionId": None,
        "caseInstanceId": None,
        "taskDefinitionKey": task.element_id,
        "suspended": instance.state == InstanceState.SUSPENDED,  # Camunda: the instance's
        "formKey": None,
        "camundaFormRef": None,
        "tenantId": None,
        "taskState": "Created" if task.state == "open" else "Completed",
    }


def _filter(given: dict[str, Any]) -> TaskFilter:
    def text(name: str) -> str | None:
        value = given.get(name)
        return None if value is None else str(value)

    groups = given.get("candidateGroups") or given.get("candidateGroup")
    if isinstance(groups, str):
        groups = [g for g in groups.split(",") if g]
    instance_id = text("processInstanceId")
    wanted: dict[str, Any] = {}
    for item in given.get("processVariables") or []:
        if not isinstance(item, dict) or item.get("operator", "eq") != "eq":
            raise InvalidRequest("only 'eq' process variable filters are supported")
        wanted[str(item.get("name"))] = item.get("value")
    return TaskFilter(
        instance_id=convert.uuid_of(instance_id, "process instance") if instance_id else None,
        process_key=text("processDefinitionKey"),
        element_id=text("taskDefinitionKey"),
        assignee=text("assignee"),
        candidate_groups=tuple(groups) if groups else None,
        candidate_user=text("candidateUser"),
        unassigned=convert.flag(given.get("unassigned"), "unassigned"),
        business_key=text("processInstanceBusinessKey"),
        variables=wanted,
    )


def _answer(given: dict[str, Any], sorting: Any) -> Any:
    found = camunda_reads.tasks(services().new_uow(read_only=True), caller(), _filter(given))
    rows = convert.sorted_page(found, sorting, SORTS, of=lambda pair: pair[0])
    return jsonify([task_view(task, instance) for task, instance in rows])


@bp.get("/task")
def query_tasks() -> Any:
    """Query open tasks by query parameters."""
    given: dict[str, Any] = {k: request.args.get(k) for k in request.args}
    groups = convert.arg_list("candidateGroups")
    if groups is not None:
        given["candidateGroups"] = groups
    sort = request.args.get("sortBy")
    sorting = {"sortBy": sort, "sortOrder": request.args.get("sortOrder")} if sort else None
    return _answer(given, sorting)


@bp.post("/task")
def query_tasks_by_body() -> Any:
    """Query open tasks by a JSON body (`null` means not given; sorting an object or a list)."""
    given = {k: v for k, v in convert.body().items() if v is not None}
    return _answer(given, given.get("sorting"))


@bp.get("/task/<task_id>")
def get_task(task_id: str) -> Any:
    """Return one task the caller may see."""
    task, instance = camunda_reads.task(
        services().new_uow(read_only=True), convert.uuid_of(task_id, "task"), caller()
    )
    return task_view(task, instance)


@bp.post("/task/<task_id>/claim")
def claim(task_id: str) -> Any:
    """Claim the task for the caller (`userId` must be the caller); 204."""
    user = caller()
    wanted = convert.body().get("userId")
    if wanted not in (None, user.username):
        raise Forbidden("a task can only be claimed for oneself")
    tasks.claim_task(
        services().new_uow(), convert.uuid_of(task_id, "task"), actor=user, now=services().now()
    )
    return no_content()


@bp.post("/task/<task_id>/unclaim")
def unclaim(task_id: str) -> Any:
    """Give the task back to its group (the body may be missing); 204."""
    tasks.unclaim_task(
        services().new_uow(),
        convert.uuid_of(task_id, "task"),
        actor=caller(),
        now=services().now(),
    )
    return no_content()


def _complete(task_id: str) -> Any:
    body = convert.body()
    done = tasks.complete_task(
        services().new_uow(),
        convert.uuid_of(task_id, "task"),
        convert.variables_in(body.get("variables")),
        actor=caller(),
        now=services().now(),
        locale=request_locale(),
    )
    if convert.flag(body.get("withVariablesInReturn"), "withVariablesInReturn"):
        return convert.variables_out(done.instance.data or {})
    return no_content()


@bp.post("/task/<task_id>/complete")
def complete(task_id: str) -> Any:
    """Complete the task with typed variables; 204 (200 with variables if asked)."""
    return _complete(task_id)


@bp.post("/task/<task_id>/submit-form")
def submit_form(task_id: str) -> Any:
    """Complete the task through its form (camunda-client's only way); 204."""
    return _complete(task_id)
