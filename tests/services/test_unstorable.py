"""Values a database cannot store fail the step, naming the task and the variable.

On SQLite and PostgreSQL: a start or a completion is refused (422 `script_failed` over HTTP)
and stores nothing; a timer's step becomes an incident. The instance keeps its previous state.
Before, each of these was a 500 at the commit (or a snapshot no later request could read):
script results, a candidate municipality from the data, a business key from a message.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.runtime import values
from engine.runtime.errors import ScriptFailed
from engine.services import definitions, instances, messages, tasks, timers
from engine.services.errors import BadRequest
from engine.services.wiring import Wiring
from engine.store.models import HistoryEvent, ProcessInstance, Timer
from saksflyt.app import create_app
from tests.conftest import NOW, fixture_files, user

SCRIPT = """if kind == "huge":
    x = 10 ** (10 ** 6)
elif kind == "nan":
    x = {"a": [1, float("nan")]}
elif kind == "infinity":
    x = float("inf")
elif kind == "nul":
    x = "a" + chr(0)
elif kind == "surrogate":
    x = "a" + chr(55296)
elif kind == "long":
    x = "a" * 100001
elif kind == "bytes":
    x = bytes(2)
elif kind == "deep":
    x = []
    for i in range(5000):
        x = [x]
elif kind == "big":
    x = "a" * 60000
else:
    x = 1"""
TASK = (
    '<bpmn:scriptTask id="compute" name="Regn ut"><bpmn:script>{}</bpmn:script></bpmn:scriptTask>'
)
FLOWS = """
<bpmn:process id="{key}" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>
    <spiffworkflow:property name="startRoles" value="participant" />
    <spiffworkflow:property name="startFormJsonSchemaFilename" value="unstorable.schema.json" />
  </spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>
  {before}
  {task}
  <bpmn:userTask id="after" name="Etterpå" />
  <bpmn:endEvent id="end" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{first}" />
  {link}
  <bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="after" />
  <bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end" />
</bpmn:process>"""
WAITS = {
    "unstorable_start": ("", "compute", ""),
    "unstorable_task": ('<bpmn:userTask id="ask" name="Spør" />', "ask", "ask"),
    "unstorable_timer": (
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>",
        "wait",
        "wait",
    ),
}
START_FORM = (
    b'{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", '
    b'"additionalProperties": false, "properties": {"kind": {"type": "string"}}}'
)
KINDS = {
    "huge": ("x", "the integer has more than 100 digits"),
    "nan": ("x.a.1", "the number is NaN or infinite"),
    "infinity": ("x", "the number is NaN or infinite"),
    "nul": ("x", "the text contains the NUL character"),
    "surrogate": ("x", "the text contains a lone surrogate"),
    "long": ("x", "the text is longer than 100000 characters"),
    "bytes": ("x", "a bytes is not a JSON value"),
    # The script worker hands back at most 40 levels (isolation.CLIP_DEPTH): the path shows
    # where the 32 allowed end.
    "deep": ("x" + ".0" * 32, "it is nested more than 32 levels deep"),
}


def _bpmn() -> bytes:
    processes = []
    for key, (before, first, source) in WAITS.items():
        link = f'<bpmn:sequenceFlow id="f2" sourceRef="{source}" targetRef="compute" />'
        processes.append(
            FLOWS.format(
                key=key,
                before=before,
                first=first,
                task=TASK.format(SCRIPT.replace("<", "&lt;")),
                link=link if source else "",
            )
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'id="d" targetNamespace="http://saksflyt.no/test">'
        + "".join(processes)
        + "</bpmn:definitions>"
    ).encode()


@pytest.fixture
def scripts(deployed: Wiring) -> Wiring:
    """Deployed processes whose script `compute` sets `x` to what `kind` asks for."""
    files = {"unstorable.bpmn": _bpmn(), "unstorable.schema.json": START_FORM}
    definitions.deploy(deployed.new_uow(), files, actor="test", now=NOW)
    return deployed


def _start(wiring: Wiring, key: str, kind: str) -> UUID:
    instance = instances.start_instance(
        wiring.new_uow(), key, {"kind": kind}, actor=user(wiring, "emp.asker"), now=NOW
    )
    return instance.id


def _state(wiring: Wiring, instance_id: UUID) -> tuple[Any, ...]:
    with wiring.new_uow() as uow:
        instance = uow.instances.get(instance_id)
        events = [e.type for e in uow.history.of_instance(instance_id)]
        return instance.snapshot, instance.data, instance.state, events


def _auth(client: FlaskClient, username: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
    return {"Authorization": f"Bearer {reply.get_json()['access_token']}"}


def _count(wiring: Wiring, model: Any) -> int:
    with wiring.new_uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_start_whose_script_leaves_an_unstorable_value_stores_nothing(
    scripts: Wiring, kind: str
) -> None:
    events_before = _count(scripts, HistoryEvent)
    with pytest.raises(ScriptFailed) as caught:
        _start(scripts, "unstorable_start", kind)
    variable, reason = KINDS[kind]
    assert caught.value.element_id == "compute"
    assert str(caught.value).startswith(
        f"Script failed in compute: the task 'Regn ut' left '{variable}' with a value that "
        f"cannot be stored: {reason}"
    )
    assert _count(scripts, ProcessInstance) == 0
    assert _count(scripts, HistoryEvent) == events_before
    assert _start(scripts, "unstorable_start", "fine")  # the same process, with a storable x


def test_data_over_the_snapshot_limit_fails_the_step(
    scripts: Wiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(values, "MAX_SNAPSHOT_BYTES", 50_000)
    with pytest.raises(ScriptFailed) as caught:
        _start(scripts, "unstorable_start", "big")
    assert (
        "the task 'Regn ut' left 'x' with a value that cannot be stored: the instance's data"
        in (str(caught.value))
    )
    assert "more than 50000 bytes" in str(caught.value)
    assert _count(scripts, ProcessInstance) == 0


def test_a_completion_is_422_and_the_task_and_instance_stay_as_they_were(scripts: Wiring) -> None:
    client = create_app(scripts.settings, wiring=scripts).test_client()
    instance_id = _start(scripts, "unstorable_task", "fine")
    with scripts.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(instance_id)
    before = _state(scripts, instance_id)
    reply = client.post(
        f"/api/v1/tasks/{task.id}/complete",
        json={"data": {"kind": "nan"}},
        headers=_auth(client, "emp.asker"),
    )
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["error"] == {
        "code": "script_failed",
        "message": (
            "Et automatisk steg i prosessen feilet. Ingenting er lagret; si fra til prosesseieren."
        ),
        "details": {"element_id": "compute", "line": None},
        "reason": (
            "Script failed in compute: the task 'Regn ut' left 'x.a.1' with a value that cannot "
            "be stored: the number is NaN or infinite, which JSON cannot hold"
        ),
    }
    assert _state(scripts, instance_id) == before
    with scripts.new_uow() as uow:
        assert [t.id for t in uow.tasks.open_for_instance(instance_id)] == [task.id]
    done = client.post(
        f"/api/v1/tasks/{task.id}/complete",
        json={"data": {"kind": "fine"}},
        headers=_auth(client, "admin"),
    )
    assert done.status_code == 200, done.get_json()


@pytest.mark.parametrize("kind", ["huge", "nul"])
def test_a_timer_whose_script_leaves_an_unstorable_value_becomes_an_incident(
    scripts: Wiring, kind: str
) -> None:
    instance_id = _start(scripts, "unstorable_timer", kind)
    snapshot, data, state, events = _state(scripts, instance_id)
    later = NOW + timedelta(hours=2)
    assert timers.fire_due_timers(scripts.new_uow, now=later, worker="w1") == 0
    with scripts.new_uow() as uow:
        [timer] = uow.session.scalars(select(Timer).where(Timer.instance_id == instance_id))
    variable, reason = KINDS[kind]
    assert timer.state == "failed"
    assert f"the task 'Regn ut' left '{variable}' with a value that cannot be stored: {reason}" in (
        timer.last_error or ""
    )
    after = _state(scripts, instance_id)
    assert after[:3] == (snapshot, data, state)  # the instance is as the start left it
    assert after[3] == [*events, "incident"]


def test_a_candidate_municipality_no_column_holds_fails_the_step(scripts: Wiring) -> None:
    """approval offers `approve` to the municipality in the data: 300 characters name none."""
    started = instances.start_instance(
        scripts.new_uow(),
        "approval",
        {"municipality": "x" * 300},
        actor=user(scripts, "emp.asker"),
        now=NOW,
    )
    with scripts.new_uow() as uow:
        [submit] = uow.tasks.open_for_instance(started.id)
    before = _state(scripts, started.id)
    with pytest.raises(ScriptFailed) as caught:
        tasks.complete_task(
            scripts.new_uow(),
            submit.id,
            {"reason": "Kurs", "start_date": "2026-12-01"},
            actor=user(scripts, "emp.asker"),
            now=NOW,
        )
    assert caught.value.element_id == "approve"
    assert "candidateMunicipality of the task 'Godkjenn søknad' gives 300 characters" in str(
        caught.value
    )
    assert "a municipality id has at most 40" in str(caught.value)
    assert _state(scripts, started.id) == before


@pytest.mark.parametrize("key", ["x" * 201, ["SAK-1"], True, 1.5])
def test_a_message_start_with_a_business_key_no_column_holds_is_refused(
    scripts: Wiring, key: Any
) -> None:
    definitions.deploy(scripts.new_uow(), fixture_files("intake.bpmn"), actor="test", now=NOW)
    with pytest.raises(BadRequest) as caught:
        messages.deliver_message(
            scripts.new_uow(),
            "request_received",
            {"business_key": key, "request_id": "H-1"},
            {"municipality": "asker"},
            actor=user(scripts, "emp.asker"),
            now=NOW,
        )
    assert caught.value.details == {
        "correlation.business_key": ["Må være tekst på høyst 200 tegn."]
    }
    assert _count(scripts, ProcessInstance) == 0
    [started] = messages.deliver_message(
        scripts.new_uow(),
        "request_received",
        {"business_key": 2027, "request_id": "H-2"},
        {"municipality": "asker"},
        actor=user(scripts, "emp.asker"),
        now=NOW,
    )
    assert started.business_key == "2027"
