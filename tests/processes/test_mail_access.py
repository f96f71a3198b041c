"""E-mails go through the access model: a field reaches only recipients who may read it.

A mail template names the case's name, number and links, and fields its kind declares with the
data key a recipient must read (`access.declare_mail`); each recipient's mail is filled from
their own view of the case (`access.mail_fields`). Here the routines' real mails go over a
real SMTP server, and so do entries a careless model could write (a report to finance, a
rejection reason copied to a leader, a template printing a motivation): the readers get the
field, the others (attackers) never do. A template that names an undeclared field is refused
when the wiring is built, so it never mails anyone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from uuid import UUID

import pytest

from engine.deadlines import mail
from engine.services import definitions, instances, outbox, wiring
from engine.services.errors import MailTemplateRefused
from engine.services.step import notifications, process_mail
from engine.services.wiring import Wiring
from tests.conftest import NOW, ROOT, user
from tests.deadlines.conftest import Inbox, smtp  # noqa: F401  (the SMTP server fixture)
from tests.processes.test_scenarios import Player, play

REPORT = "Jeg har lært en ny triagemodell"  # the scenario's report (KV 3: to both leaders)
MOTIVATION = "Jeg vil gjerne bruke erfaringen min fra legevakt."  # a registration's
REASON = "Avvist: meldt etter fristen, privat begrunnelse 4711."
SECRET_NOTE = "Intervjunotat: svak på samarbeid 0815."
ADDRESSES = {
    "tl.baerum": "tone.lie@baerum.example",
    "tl.lier": "siri.lund@lier.example",
    "fin.asker": "fatima.ali@asker.example",
    "emp.drammen": "ingrid.moe@drammen.example",
    "leder.drammen": "dag.dahl@drammen.example",
    "leder.asker": "lars.aas@asker.example",
    "adm.nettverk": "anne@vestregionen.example",
    "hr.loten": "hege.rud@loten.example",
    "vl.loten": "vidar.lien@loten.example",
    "tv.loten": "kari.tillit@loten.example",
}


def _scenario(process: str, name: str = "happy_path") -> dict[str, Any]:
    document = json.loads((ROOT / f"processes/{process}/scenarios.json").read_text("utf-8"))
    return dict(next(s for s in document["scenarios"] if s["name"] == name))


def _deliver(player: Player, inbox: Inbox) -> dict[str, list[str]]:
    """Send what is due over SMTP; return this round's texts (subject and body) by address."""
    before = len(inbox.messages)
    send = mail.transport(
        replace(player.wiring.settings, smtp_host="127.0.0.1", smtp_port=inbox.port)
    )
    outbox.deliver_due(
        player.wiring.new_uow, send, sender="saksflyt <s@k.example>", now=player.now, worker="t"
    )
    received: dict[str, list[str]] = {}
    for _from, rcpt, message in inbox.messages[before:]:
        text = f"{message['Subject']}\n{message.get_body(('plain',)).get_content()}"
        for address in rcpt:
            received.setdefault(address, []).append(text)
    return received


def _write(player: Player, alias: str, *entries: dict[str, Any]) -> None:
    """Have the case's step mail these entries (as a script's `notifications` would)."""
    with player.wiring.new_uow() as uow:
        instance = uow.instances.get(UUID(str(player.aliases[alias])))
        process_mail.process_messages(
            uow, instance, {}, {"notifications": list(entries)}, player.now
        )
        uow.commit()


@pytest.fixture
def templates(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str, str], None]]:
    """Change one mail template in both languages (a careless translator or modeller)."""
    changed: dict[tuple[str, str], str] = {}
    real = notifications.catalogue

    def catalogue(locale: str) -> dict[str, Any]:
        texts = {k: dict(v) if isinstance(v, dict) else v for k, v in real(locale).items()}
        for (kind, part), text in changed.items():
            texts.setdefault(kind, {"subject": kind})[part] = text
        return texts

    def change(kind: str, part: str, text: str) -> None:
        changed[(kind, part)] = text

    monkeypatch.setattr(notifications, "catalogue", catalogue)
    yield change


def test_a_template_naming_an_undeclared_field_is_refused_when_the_wiring_is_built(
    demo: Wiring, templates: Callable[[str, str, str], None]
) -> None:
    wiring.configure(demo.settings)  # the real templates name only what their kinds declare
    templates("not_selected", "body", "Hei $name, en annen skrev: $motivation\n")
    templates(
        "applicant.offer_letter",
        "body",
        "Hei $name, lønn $salary, svar innen $answer_deadline_on\n",
    )
    with pytest.raises(MailTemplateRefused) as refused:
        wiring.configure(demo.settings)
    problems = "\n".join(refused.value.problems)
    for locale in ("nb", "en"):
        assert f"{locale}: mail.not_selected.body: $motivation is not declared" in problems
        assert f"{locale}: mail.applicant.offer_letter.body: $salary is not declared" in problems
    assert "$answer_deadline_on" not in problems  # declared for the applicant's own letter


def test_the_assignment_report_and_a_rejection_reach_only_their_readers(
    demo: Wiring,
    smtp: Inbox,  # noqa: F811
) -> None:
    player = play(demo, _scenario("assignment"))
    received = _deliver(player, smtp)
    # KV 3: the report itself goes to both leaders and the admin group, who read it.
    for reader in ("leder.asker", "tl.baerum", "adm.nettverk"):
        reports = [t for t in received[ADDRESSES[reader]] if "Redegjørelse levert" in t]
        assert reports and all(REPORT in t and "Eva Holm har levert" in t for t in reports)
    # A model that also sends it to finance, a competitor and an outsider leaks nothing.
    _write(
        player,
        "a",
        {
            "type": "report_submitted",
            "to": ["tl.baerum", "fin.asker", "emp.drammen", "tl.lier"],
            "employee": "emp.asker",
            "text": f"{REPORT} (kopi)",
        },
        {
            "type": "registration_rejected",
            "to": "emp.drammen",
            "cc": "leder.drammen",
            "reason": REASON,
        },
    )
    received = _deliver(player, smtp)
    assert f"{REPORT} (kopi)" in received[ADDRESSES["tl.baerum"]][0]
    for attacker in ("fin.asker", "emp.drammen", "tl.lier"):
        [copy] = [t for t in received[ADDRESSES[attacker]] if "Redegjørelse" in t]
        assert REPORT not in copy, attacker
    # Finance reads the contract, so the employee's name; the others do not even get that.
    assert "Eva Holm har levert" in received[ADDRESSES["fin.asker"]][0]
    for attacker in ("emp.drammen", "tl.lier"):
        assert "Eva Holm" not in "".join(received[ADDRESSES[attacker]]), attacker
    # The reason is for the person it concerns; the copy to her leader has none.
    [own] = [t for t in received[ADDRESSES["emp.drammen"]] if "ble avvist" in t]
    assert REASON in own
    [leader] = received[ADDRESSES["leder.drammen"]]
    assert leader.startswith("Kopi: ") and REASON not in leader


def test_a_bad_template_shows_a_motivation_only_to_who_reads_the_registrations(
    demo: Wiring,
    smtp: Inbox,  # noqa: F811
    templates: Callable[[str, str, str], None],
) -> None:
    """A template declared carelessly (it prints the registrations' motivations) still mails
    them only to the case's readers of `registrations`, not to the candidates or leaders."""
    player = play(demo, _scenario("assignment"))
    _deliver(player, smtp)
    templates("not_selected", "body", "Hei $name,\n\nMotivasjonen: «$motivation».\n")
    demo.configuration.mails["not_selected"] = {"motivation": "registrations"}
    _write(
        player,
        "a",
        {
            "type": "not_selected",
            "to": ["emp.drammen", "tl.baerum", "leder.asker"],
            "cc": "leder.drammen",
            "motivation": MOTIVATION,
        },
    )
    received = _deliver(player, smtp)
    # The receiving service leader reviewed the registrations (their task's contextFields).
    assert f"«{MOTIVATION}»" in received[ADDRESSES["tl.baerum"]][0]
    for attacker in ("emp.drammen", "leder.drammen", "leder.asker"):
        [text] = received[ADDRESSES[attacker]]
        assert MOTIVATION not in text and "Motivasjonen: «»." in text, attacker


def test_hiring_mails_name_the_hire_to_its_readers_and_applicants_get_their_own_letter(
    demo: Wiring,
    smtp: Inbox,  # noqa: F811
    templates: Callable[[str, str, str], None],
) -> None:
    player = play(demo, _scenario("hiring"))
    received = _deliver(player, smtp)
    assert any("Anne Berg har bestått prøvetiden" in t for t in received[ADDRESSES["hr.loten"]])
    assert any("Prøvetiden for Anne Berg" in t for t in received[ADDRESSES["vl.loten"]])
    [invitation] = [t for t in received["anne.berg@example.no"] if "Invitasjon" in t]
    assert "5. januar 2027 kl. 09:00" in invitation and "Løten helsetun" in invitation
    # The unit head reads the hire; the union representative and another leader do not.
    _write(
        player,
        "h",
        {
            "type": "probation_passed",
            "to": ["vl.loten", "tv.loten", "tl.lier"],
            "employee": "Anne Berg",
        },
    )
    # An applicant's letter carries what their own flow gives them, never other fields.
    templates(
        "applicant.offer_letter", "body", "Hei $name, svar innen $answer_deadline_on. $note\n"
    )
    _write(
        player,
        "h",
        {
            "type": "offer_letter",
            "to_email": "anne.berg@example.no",
            "applicant_no": 1,
            "answer_deadline_on": "2027-01-14",
            "note": SECRET_NOTE,
        },
    )
    received = _deliver(player, smtp)
    assert "Anne Berg har bestått" in received[ADDRESSES["vl.loten"]][0]
    for attacker in ("tv.loten", "tl.lier"):
        [text] = received[ADDRESSES[attacker]]
        assert "Anne Berg" not in text, attacker
    [letter] = received["anne.berg@example.no"]
    assert "svar innen 14. januar 2027" in letter and SECRET_NOTE not in letter


OWNER_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:process id="owner_note" name="Eiers melding" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="startRoles" value="participant" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="set_salary" />
    <bpmn:scriptTask id="set_salary" name="Sett lønn"><bpmn:script>salary = "61 000"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="set_salary" targetRef="send_note" />
    <bpmn:serviceTask id="send_note" name="Send melding">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="notify">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="type" type="any" value="'owner_note'" />
            <spiffworkflow:parameter id="to" type="any" value="started_by" />
            <spiffworkflow:parameter id="cc" type="any" value="['leder.asker', 'admin']" />
            <spiffworkflow:parameter id="salary" type="any" value="salary" />
            <spiffworkflow:parameter id="note" type="any" value="'Husk møtet kl. 10.'" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
        <spiffworkflow:mailText type="owner_note" language="nb" subject="Melding ($case)">Hei $name,
lønn: [$salary] notat: [$note]
$link</spiffworkflow:mailText>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="send_note" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_an_owners_text_prints_case_data_only_to_its_readers(
    demo: Wiring,
    smtp: Inbox,  # noqa: F811
) -> None:
    """A text written in the modeler: a field named after a case key reaches that key's
    readers; a field the case does not hold (the model's constant) reaches the entry's `to`."""
    definitions.deploy(
        demo.new_uow(), {"owner_note.bpmn": OWNER_PROCESS.encode()}, actor="eier", now=NOW
    )
    instances.start_instance(
        demo.new_uow(), "owner_note", {}, actor=user(demo, "emp.asker"), now=NOW
    )
    player = Player(demo)
    player.now = NOW
    received = _deliver(player, smtp)
    [starter] = received["eva.holm@asker.example"]
    [leader] = received[ADDRESSES["leder.asker"]]
    [admin] = received["ada@vestregionen.example"]
    assert "notat: [Husk møtet kl. 10.]" in starter and "lønn: []" in starter
    assert "notat: []" in leader and "lønn: []" in leader  # a copy: neither
    assert "lønn: [61 000]" in admin  # the admin reads every key of the case
