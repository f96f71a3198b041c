"""A case number names one case, whichever door starts it (issue 17, item 8).

`instances.start_in` refuses a business key another instance of the process has, so every door
gets the check: the start page and API (422 at the field), a message start (422 at the
correlation's field), a service starting a case with its number in the start data
(`businessKeyFrom`), and `/engine-rest` (400 RestException, as Camunda clients expect). A process
whose instances belong to another case (`businessKeyShared`: registrations, applications) may
repeat its case's number.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine.services import definitions, instances
from engine.services.errors import BusinessKeyInUse
from engine.services.wiring import Wiring
from tests.api.test_engine_rest import basic
from tests.conftest import NOW, deploy_processes, fixture_files, user

Auth = Callable[[str], dict[str, str]]
IN_USE = ["Saksnummeret er allerede i bruk."]

# A process a service or a Camunda client starts with its case number in a variable.
CASE_FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:process id="case_file" name="Arkivsak" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="startVariables" value="any" />
        <spiffworkflow:property name="businessKeyFrom" value="case_number" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="read" />
    <bpmn:userTask id="read" name="Les saken"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="read" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def case_file(deployed: Wiring) -> Wiring:
    definitions.deploy(deployed.new_uow(), {"case_file.bpmn": CASE_FILE}, actor="eier", now=NOW)
    return deployed


def test_the_engine_rest_door_refuses_a_used_number_as_camunda_does(
    case_file: Wiring, client: FlaskClient
) -> None:
    def start(body: dict[str, object]) -> tuple[int, dict[str, str]]:
        reply = client.post(
            "/engine-rest/process-definition/key/case_file/start", json=body, headers=basic("eier")
        )
        return reply.status_code, reply.get_json()

    variable = {"variables": {"case_number": {"value": "ARK-1", "type": "String"}}}
    status, first = start(variable)
    assert status == 200, first
    assert first["businessKey"] == "ARK-1"  # the variable is the case number
    status, again = start(variable)
    assert status == 400
    assert again["type"] == "RestException"
    assert "'ARK-1'" in again["message"] and "case_file" in again["message"]
    status, by_key = start({"businessKey": "ARK-1"})
    assert (status, by_key["type"]) == (400, "RestException")
    status, other = start({"businessKey": "ARK-2"})
    assert status == 200, other


def test_the_start_api_refuses_a_used_number_given_as_start_data_at_its_field(
    case_file: Wiring, client: FlaskClient, auth: Auth
) -> None:
    def start(data: dict[str, str], **body: str) -> tuple[int, dict]:
        reply = client.post(
            "/api/v1/process-definitions/case_file/start",
            json={"data": data, **body},
            headers=auth("eier"),
        )
        return reply.status_code, reply.get_json()

    assert start({"case_number": "ARK-7"})[0] == 201
    status, again = start({"case_number": "ARK-7"})
    assert status == 422
    assert again["error"]["details"] == {"case_number": IN_USE}
    status, twice = start({}, business_key="ARK-7")
    assert (status, twice["error"]["details"]) == (422, {"business_key": IN_USE})
    status, mismatch = start({"case_number": "ARK-8"}, business_key="ARK-9")
    assert status == 422
    assert mismatch["error"]["details"] == {
        "case_number": ["Saksnummeret må være det samme som forretningsnøkkelen."]
    }


def test_a_message_start_refuses_a_used_number_at_the_correlation(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    definitions.deploy(deployed.new_uow(), fixture_files("intake.bpmn"), actor="test", now=NOW)
    body = {
        "name": "request_received",
        "correlation": {"request_id": "H-1", "business_key": "HEN-1"},
        "data": {"municipality": "asker"},
    }
    sent = client.post("/api/v1/messages", json=body, headers=auth("emp.asker"))
    assert sent.status_code == 200, sent.get_json()
    again = client.post("/api/v1/messages", json=body, headers=auth("emp.asker"))
    assert again.status_code == 422
    assert again.get_json()["error"]["details"] == {"correlation.business_key": IN_USE}
    other = {**body, "correlation": {"request_id": "H-2", "business_key": "HEN-2"}}
    assert client.post("/api/v1/messages", json=other, headers=auth("emp.asker")).status_code == 200


def test_a_service_cannot_start_a_hiring_case_under_a_used_vacancy_number(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    deploy_processes(deployed)
    first = client.post(
        "/api/v1/process-definitions/hiring/start",
        json={"data": {}, "business_key": "2026/0412"},
        headers=auth("hr.loten"),
    )
    assert first.status_code == 201, first.get_json()
    hr = user(deployed, "hr.loten")
    with pytest.raises(BusinessKeyInUse) as used, deployed.new_uow() as uow:
        instances.start_in(uow, "hiring", {"vacancy_id": "2026/0412"}, actor=hr, now=NOW)
    assert used.value.errors == {"vacancy_id": IN_USE}
    with deployed.new_uow() as uow:  # a new vacancy number is its own case
        started = instances.start_in(uow, "hiring", {"vacancy_id": "2026/0413"}, actor=hr, now=NOW)
        uow.commit()
    assert started.business_key == "2026/0413"


def test_a_start_that_asks_for_no_case_number_refuses_one_at_its_field(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    """The leave application (`businessKeyAsked="false"`): an employee has no case number."""
    deploy_processes(deployed)

    def start(language: str = "nb", **body: str) -> tuple[int, dict]:
        reply = client.post(
            "/api/v1/process-definitions/leave/start",
            json={"data": {}, **body},
            headers={**auth("emp.asker"), "Accept-Language": language},
        )
        return reply.status_code, reply.get_json()

    status, refused = start(business_key="PERM-1")
    assert status == 422
    assert refused["error"]["details"] == {
        "business_key": ["Denne prosessen tar ikke saksnummer når den startes."]
    }
    status, english = start("en", business_key="PERM-1")
    assert english["error"]["details"] == {
        "business_key": ["This process takes no case number when it starts."]
    }
    assert start()[0] == 201
    listed = client.get("/api/v1/process-definitions", headers=auth("emp.asker")).get_json()
    asks = {d["key"]: d["asks_business_key"] for d in listed}
    assert asks["leave"] is False
    assert asks["approval"] is True
