"""Mail texts a process owner writes in the modeler (issue 18): declared on the element that
sends the mail, checked at deploy (an unknown placeholder names the element), kept with the
version, and used for the recipient's language instead of the raw type key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.runtime.errors import InvalidProcess
from engine.services import definitions, instances
from engine.services.wiring import Wiring
from engine.store.models import Outbox
from tests.conftest import NOW, user

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:process id="owner_mail" name="Eiers e-post" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="startRoles" value="participant" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send_reminder" />
    <bpmn:serviceTask id="send_reminder" name="Send påminnelse">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="notify">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="type" type="any" value="'leave_reminder'" />
            <spiffworkflow:parameter id="to" type="any" value="started_by" />
            <spiffworkflow:parameter id="from_date" type="any" value="'2026-12-07'" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
        {texts}
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="send_reminder" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""
NB = (
    '<spiffworkflow:mailText type="leave_reminder" language="nb" '
    'subject="Påminnelse: søknaden fra $from_date">Hei $name,\n\nsøknaden i $case venter.\n'
    "$link</spiffworkflow:mailText>"
)
EN = (
    '<spiffworkflow:mailText type="leave_reminder" language="en" '
    'subject="Reminder: the request from $from_date">Hi $name, $link</spiffworkflow:mailText>'
)


def _files(texts: str) -> dict[str, bytes]:
    return {"owner_mail.bpmn": PROCESS.replace("{texts}", texts).encode()}


def _mails(wiring: Wiring) -> dict[str, Outbox]:
    with wiring.new_uow() as uow:
        return {m.recipient or "": m for m in uow.session.scalars(select(Outbox))}


def test_the_owners_text_is_mailed_in_the_recipients_language(demo: Wiring) -> None:
    definitions.deploy(demo.new_uow(), _files(NB + EN), actor="eier", now=NOW)
    for username in ("emp.asker", "leder.asker"):
        instances.start_instance(
            demo.new_uow(),
            "owner_mail",
            {},
            actor=user(demo, username),
            now=NOW,
            business_key=f"PERM-{username}",
        )
    with demo.new_uow() as uow:
        uow.users.get("leder.asker").locale = "en"
        uow.commit()
    mails = _mails(demo)
    nb = mails["emp.asker"]
    assert nb.subject == "Påminnelse: søknaden fra 7. desember 2026"
    assert "søknaden i PERM-emp.asker venter." in nb.body and "leave_reminder" not in nb.body
    assert mails["leder.asker"].subject.startswith("Påminnelse")  # bokmål when it was sent


def test_english_recipients_get_the_english_text(demo: Wiring) -> None:
    with demo.new_uow() as uow:
        uow.users.get("emp.asker").locale = "en"
        uow.commit()
    definitions.deploy(demo.new_uow(), _files(NB + EN), actor="eier", now=NOW)
    instances.start_instance(
        demo.new_uow(), "owner_mail", {}, actor=user(demo, "emp.asker"), now=NOW
    )
    assert _mails(demo)["emp.asker"].subject == "Reminder: the request from 7 December 2026"


def test_without_texts_the_old_message_stays(demo: Wiring) -> None:
    definitions.deploy(demo.new_uow(), _files(""), actor="eier", now=NOW)
    instances.start_instance(
        demo.new_uow(), "owner_mail", {}, actor=user(demo, "emp.asker"), now=NOW
    )
    assert _mails(demo)["emp.asker"].kind in ("leave_reminder", "process_message")


@pytest.mark.parametrize(
    ("texts", "code", "values"),
    [
        (
            NB.replace("$case", "$deadline"),
            "mail_placeholder",
            {"element": "Send påminnelse", "placeholder": "deadline"},
        ),
        (
            NB.replace('type="leave_reminder"', 'type="leave_answer"'),
            "mail_not_sent",
            {"element": "Send påminnelse", "type": "leave_answer"},
        ),
        (EN, "mail_no_nb", {"type": "leave_reminder"}),
        (NB.replace('subject="Påminnelse: søknaden fra $from_date"', ""), "mail_empty", {}),
    ],
)
def test_deploy_refuses_a_text_it_cannot_send(
    demo: Wiring, texts: str, code: str, values: dict[str, str]
) -> None:
    with pytest.raises(InvalidProcess) as refused:
        definitions.deploy(demo.new_uow(), _files(texts), actor="eier", now=NOW)
    [problem] = refused.value.problems
    assert problem.code == code and problem.element_id == "send_reminder"
    assert values.items() <= dict(problem.values).items()
