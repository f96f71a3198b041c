"""Messages to a case on hold: refused as Camunda 7 refuses to correlate a suspended execution
(409 `instance_suspended` in bokmål on our API, Camunda's 400 at its door); nothing is changed
or lost, and the same message is delivered once the case is resumed."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from flask.testing import FlaskClient

from engine.services import cases, definitions, instances, tasks
from engine.services.wiring import Wiring
from engine.store.errors import Conflict
from tests.api.test_engine_rest import basic
from tests.conftest import NOW, user

Auth = Callable[[str], dict[str, str]]
PING = {"name": "ping", "correlation": {"case_id": "K1"}}

# A case that sends `ping` to the waiter of its case id when its one task is done.
PINGER = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_pinger"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:message id="ping" name="ping" />
  <bpmn:correlationKey id="case_key" name="case_key">
    <bpmn:correlationPropertyRef>case_id</bpmn:correlationPropertyRef></bpmn:correlationKey>
  <bpmn:correlationProperty id="case_id" name="case_id">
    <bpmn:correlationPropertyRetrievalExpression messageRef="ping">
      <bpmn:formalExpression>case_id</bpmn:formalExpression>
    </bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
  <bpmn:process id="pinger" name="Pinger" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="note" />
    <bpmn:scriptTask id="note" scriptFormat="python"><bpmn:script>case_id = "K1"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="note" targetRef="confirm" />
    <bpmn:userTask id="confirm" name="Bekreft" />
    <bpmn:sequenceFlow id="f3" sourceRef="confirm" targetRef="send" />
    <bpmn:intermediateThrowEvent id="send" name="Send ping">
      <bpmn:messageEventDefinition messageRef="ping"><bpmn:extensionElements>
        <spiffworkflow:messagePayload>{"case_id": case_id}</spiffworkflow:messagePayload>
      </bpmn:extensionElements></bpmn:messageEventDefinition>
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="send" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


# A Camunda 7 model: its messages correlate by business key, as at Camunda's door.
PAID = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_c7_paid"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:message id="msg_paid" name="paid" />
  <bpmn:process id="c7_paid" name="Betaling" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="startRoles" value="participant" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_paid" />
    <bpmn:intermediateCatchEvent id="wait_paid" name="Betalt">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="messageSenderRoles" value="participant" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:messageEventDefinition messageRef="msg_paid" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait_paid" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _waiting_on_hold(deployed: Wiring) -> UUID:
    waiter = instances.start_instance(
        deployed.new_uow(), "waiter", {"case_id": "K1"}, actor=user(deployed, "emp.asker"), now=NOW
    )
    cases.suspend_case(
        deployed.new_uow(), waiter.id, "Venter på svar", actor=user(deployed, "admin"), now=NOW
    )
    return waiter.id


def _state(deployed: Wiring, instance_id: UUID) -> str:
    with deployed.new_uow() as uow:
        return str(uow.instances.get(instance_id).state)


def test_a_message_to_a_case_on_hold_is_refused_and_delivered_after_resume(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    waiter = _waiting_on_hold(deployed)
    sender = auth("emp.asker")
    refused = client.post("/api/v1/messages", json=PING, headers=sender)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert (error["code"], error["message"]) == (
        "instance_suspended",
        "Saken som venter på meldingen, er satt på vent og tar ikke imot meldinger nå. "
        "Ingenting er endret: send meldingen på nytt når saken er tatt opp igjen.",
    )
    english = client.post(
        "/api/v1/messages", json=PING, headers={**sender, "Accept-Language": "en"}
    )
    assert english.get_json()["error"]["message"].startswith("The case waiting for the message")
    # Nothing was delivered, nothing started by the message, and the case still waits for it.
    assert _state(deployed, waiter) == "suspended"
    with deployed.new_uow() as uow:
        assert [s.instance_id for s in uow.waits.subscriptions("ping")] == [waiter]
        assert "message_received" not in [e.type for e in uow.history.of_instance(waiter)]

    cases.resume_case(
        deployed.new_uow(), waiter, "Svar kom", actor=user(deployed, "admin"), now=NOW
    )
    delivered = client.post("/api/v1/messages", json=PING, headers=sender)
    assert delivered.status_code == 200, delivered.get_json()
    assert delivered.get_json()["delivered_to"] == [str(waiter)]
    assert _state(deployed, waiter) == "completed"


def test_a_case_whose_step_sends_to_a_case_on_hold_keeps_its_task(deployed: Wiring) -> None:
    definitions.deploy(deployed.new_uow(), {"pinger.bpmn": PINGER}, actor="test", now=NOW)
    waiter = _waiting_on_hold(deployed)
    admin = user(deployed, "admin")
    pinger = instances.start_instance(deployed.new_uow(), "pinger", {}, actor=admin, now=NOW)
    with deployed.new_uow() as uow:
        [task] = uow.tasks.open_for_instance(pinger.id)
    try:
        tasks.complete_task(deployed.new_uow(), task.id, {}, actor=admin, now=NOW)
    except Conflict as refused:
        assert (refused.code, refused.variant) == ("instance_suspended", "message")
    else:
        raise AssertionError("the step that sends to a case on hold must be refused")
    # The sender's step rolled back whole: its task is still open to do again after resume.
    with deployed.new_uow() as uow:
        assert [t.id for t in uow.tasks.open_for_instance(pinger.id)] == [task.id]
    cases.resume_case(deployed.new_uow(), waiter, "Svar kom", actor=admin, now=NOW)
    tasks.complete_task(deployed.new_uow(), task.id, {}, actor=admin, now=NOW)
    assert _state(deployed, waiter) == "completed"


def test_the_camunda_door_answers_as_for_a_message_nothing_waits_for(
    deployed: Wiring, client: FlaskClient
) -> None:
    definitions.deploy(deployed.new_uow(), {"c7_paid.bpmn": PAID}, actor="test", now=NOW)
    admin = user(deployed, "admin")
    paid = instances.start_instance(
        deployed.new_uow(),
        "c7_paid",
        {},
        actor=user(deployed, "emp.asker"),
        now=NOW,
        business_key="F-1",
    )
    cases.suspend_case(deployed.new_uow(), paid.id, "Purring stanset", actor=admin, now=NOW)
    body = {"messageName": "paid", "businessKey": "F-1", "resultEnabled": True}
    door = client.post("/engine-rest/message", json=body, headers=basic("emp.asker"))
    assert door.status_code == 400
    assert door.get_json()["type"] == "RestException"
    assert door.get_json()["message"].startswith(
        "Cannot correlate message 'paid': No process definition or execution matches"
    )
    listed = client.get(f"/engine-rest/process-instance/{paid.id}", headers=basic("admin"))
    assert listed.get_json()["suspended"] is True, listed.get_json()
    cases.resume_case(deployed.new_uow(), paid.id, "Purring igjen", actor=admin, now=NOW)
    again = client.post("/engine-rest/message", json=body, headers=basic("emp.asker"))
    assert again.status_code == 200, again.get_json()
    assert [r["execution"]["processInstanceId"] for r in again.get_json()] == [str(paid.id)]
