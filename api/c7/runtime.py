"""`/engine-rest`: deployment, process definitions, start, process instances, messages."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.auth import require_roles
from api.c7 import convert
from api.c7.blueprint import bp, caller, caller_instance, no_content
from api.c7.convert import InvalidRequest
from api.language import request_locale
from api.wiring import services
from engine.services import camunda_reads, definitions, instances, messages
from engine.store.models import ProcessDefinition, ProcessInstance
from engine.store.states import InstanceState

SORTS = {"id", "key", "name", "version", "deploymentId", "category", "tenantId", "versionTag"}
SORT_COLUMNS = {
    "id": "id",
    "key": "key",
    "name": "name",
    "version": "version",
    "deploymentId": "deployment_id",
}


def definition_view(definition: ProcessDefinition) -> dict[str, Any]:
    """Return Camunda's ProcessDefinitionDto: every one of its 14 keys."""
    return {
        "id": convert.definition_id(definition.key, definition.version, definition.id),
        "key": definition.key,
        "category": "http://bpmn.io/schema/bpmn",
        "description": None,
        "name": definition.name,
        "version": definition.version,
        "resource": definition.file_name,
        "deploymentId": str(definition.deployment_id),
        "diagram": None,
        "suspended": definition.retired_at is not None,  # retired: Camunda's suspended
        "tenantId": None,
        "versionTag": None,
        "historyTimeToLive": None,
        "startableInTasklist": True,
    }


def instance_view(instance: ProcessInstance) -> dict[str, Any]:
    """Return Camunda's ProcessInstanceDto."""
    return {
        "links": [],
        "id": str(instance.id),
        "definitionId": convert.definition_id(
            instance.key, instance.version, instance.definition_id
        ),
        "businessKey": instance.business_key,
        "caseInstanceId": None,
        "ended": instance.ended_at is not None,
        "suspended": instance.state == InstanceState.SUSPENDED,
        "tenantId": None,
    }


def _resource_name(name: str) -> str:
    """Camunda reads `.bpmn20.xml` as BPMN; saksflyt files end in `.bpmn`."""
    lowered = name.lower()
    return name[: -len(".bpmn20.xml")] + ".bpmn" if lowered.endswith(".bpmn20.xml") else name


@bp.post("/deployment/create")
def create_deployment() -> Any:
    """Deploy the multipart resources (process owners); answer DeploymentWithDefinitionsDto."""
    caller()
    user = require_roles("process_owner")
    for name in ("enable-duplicate-filtering", "deploy-changed-only"):
        convert.flag(request.form.get(name), name)  # "False" / "True" from str(bool)
    files = {
        _resource_name(upload.filename or key): upload.read()
        for key, upload in request.files.items(multi=True)
    }
    if not files:
        raise InvalidRequest("the deployment has no resources")
    now = services().now()
    result = definitions.deploy(services().new_uow(), files, actor=user.username, now=now)
    created = {
        convert.definition_id(d.key, d.version, d.id): definition_view(d) for d in result.created
    }
    return {
        "links": [],
        "id": str(result.deployment_id),
        "name": request.form.get("deployment-name"),
        "source": request.form.get("deployment-source"),
        "deploymentTime": convert.date(now),
        "tenantId": None,
        "deployedProcessDefinitions": created or None,
        "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": None,
        "deployedDecisionRequirementsDefinitions": None,
    }


@bp.get("/process-definition")
def list_definitions() -> Any:
    """List definitions: `key`, `latestVersion`, sort and paging honoured."""
    caller()
    sort, order = request.args.get("sortBy"), request.args.get("sortOrder", "asc")
    if (sort is not None and sort not in SORTS) or order not in ("asc", "desc"):
        raise InvalidRequest(f"Cannot sort by '{sort}' {order}")
    found = camunda_reads.definitions(
        services().new_uow(read_only=True),
        key=request.args.get("key"),
        latest=bool(convert.arg_bool("latestVersion")),
    )
    rows = sorted(found, key=lambda d: (d.key, d.version))
    if sort in SORT_COLUMNS:
        rows = sorted(
            rows,
            key=lambda d: str(getattr(d, SORT_COLUMNS[sort])) if sort != "version" else d.version,
            reverse=order == "desc",
        )
    rows = convert.page(rows, convert.arg_int("firstResult"), convert.arg_int("maxResults"))
    return jsonify([definition_view(d) for d in rows])


@bp.get("/process-definition/<definition_id>")
def get_definition(definition_id: str) -> Any:
    """Return one definition by its `key:version:uuid` id."""
    caller()
    uuid = convert.definition_uuid(definition_id)
    return definition_view(camunda_reads.definition(services().new_uow(read_only=True), uuid))


@bp.post("/process-definition/key/<key>/start")
def start_by_key(key: str) -> Any:
    """Start the latest version with typed variables and a business key."""
    user = caller()
    body = convert.body()
    business_key = body.get("businessKey")
    if business_key is not None and not isinstance(business_key, str):
        raise InvalidRequest("'businessKey' must be text")
    instance = instances.start_instance(
        services().new_uow(),
        key,
        convert.variables_in(body.get("variables")),
        actor=user,
        now=services().now(),
        business_key=business_key,
        locale=request_locale(),
    )
    view = instance_view(instance)
    if convert.flag(body.get("withVariablesInReturn"), "withVariablesInReturn"):
        view["variables"] = convert.variables_out(instance.data or {})
    return view


@bp.get("/process-instance/<instance_id>")
def get_instance(instance_id: str) -> Any:
    """Return a running instance (404 once it has ended, as Camunda's runtime view)."""
    instance, _ = caller_instance(instance_id, running=True)
    return instance_view(instance)


@bp.get("/process-instance/<instance_id>/variables")
def instance_variables(instance_id: str) -> Any:
    """Return a running instance's variables, typed."""
    _, data = caller_instance(instance_id, running=True)
    return convert.variables_out(data)


@bp.post("/message")
def correlate() -> Any:
    """Correlate a message by business key (or an instance's); 204, or results when asked."""
    user = caller()
    body = convert.body()
    name = body.get("messageName")
    if not isinstance(name, str) or not name:
        raise InvalidRequest("'messageName' is required")
    business_key = body.get("businessKey")
    if body.get("processInstanceId"):
        instance, _ = caller_instance(str(body["processInstanceId"]), running=True)
        business_key = instance.business_key
    correlation = {"business_key": business_key} if business_key is not None else {}
    reached = messages.deliver_message(
        services().new_uow(),
        name,
        correlation,
        convert.variables_in(body.get("processVariables"), "processVariables"),
        actor=user,
        now=services().now(),
    )
    if not convert.flag(body.get("resultEnabled"), "resultEnabled"):
        return no_content()
    return jsonify([_result(instance) for instance in reached])


def _result(instance: ProcessInstance) -> dict[str, Any]:
    return {
        "resultType": "Execution",
        "execution": {
            "id": str(instance.id),
            "processInstanceId": str(instance.id),
            "ended": instance.ended_at is not None,
            "tenantId": None,
        },
        "processInstance": None,
    }
