"""The assignment routine's own messages reach a real SMTP server once, in Norwegian, in time.

KV 3 «de øvrige interessentene informeres på vanlig måte» and the report reminder (T3,
AMB-P10) are process messages: they are mailed when the step that writes them runs (even
from a parallel branch's data object), not when the instance closes, and never twice.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from engine.deadlines import mail
from engine.services import outbox
from engine.services.wiring import Wiring
from tests.conftest import ROOT, deploy_processes
from tests.deadlines.conftest import Inbox, smtp  # noqa: F401  (the SMTP server fixture)
from tests.processes.test_scenarios import Player

SENDER = "saksflyt <saksflyt@kommune.example>"


def _scenario(name: str) -> dict[str, Any]:
    document = json.loads((ROOT / "processes/assignment/scenarios.json").read_text("utf-8"))
    return next(s for s in document["scenarios"] if s["name"] == name)


def _player(demo: Wiring, scenario: dict[str, Any]) -> Player:
    deploy_processes(demo)
    player = Player(demo)
    player.start(scenario["start"])
    return player


def _deliver(player: Player, inbox: Inbox) -> list[tuple[list[str], Any]]:
    """Send what is due now over SMTP; return what the server received in this round."""
    before = len(inbox.messages)
    send = mail.transport(
        replace(player.wiring.settings, smtp_host="127.0.0.1", smtp_port=inbox.port)
    )
    outbox.deliver_due(player.wiring.new_uow, send, sender=SENDER, now=player.now, worker="t")
    return [(rcpt, message) for _from, rcpt, message in inbox.messages[before:]]


def _subjects(received: list[tuple[list[str], Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rcpt, message in received:
        found.setdefault(str(message["Subject"]), []).extend(rcpt)
    return {k: sorted(v) for k, v in found.items()}


def test_report_reminder_is_mailed_when_it_fires_and_only_once(
    demo: Wiring,
    smtp: Inbox,  # noqa: F811
) -> None:
    scenario = _scenario("report_late_with_reminder")
    player = _player(demo, scenario)
    steps = scenario["steps"]
    reminder_due = steps.index({"advance_clock_to": "2027-06-12T08:00:00+02:00"})
    for step in steps[:reminder_due]:
        player.play(step)
    _deliver(player, smtp)  # everything before the reminder

    player.play(steps[reminder_due])
    received = _deliver(player, smtp)
    reminders = [(r, m) for r, m in received if "påminnelse" in str(m["Subject"]).lower()]
    assert [r for r, _m in reminders] == [["ingrid.moe@drammen.example"]], _subjects(received)
    text = reminders[0][1].get_content()
    assert text.startswith("Hei Ingrid Moe,") and "11. juni 2027" in text

    for step in steps[reminder_due + 1 :]:
        player.play(step)
    player.expect("a", scenario["expect"]["a"])
    later = _deliver(player, smtp)
    assert not [m for _r, m in later if "påminnelse" in str(m["Subject"]).lower()]
    every = [str(m["Message-ID"]) for _f, _r, m in smtp.messages]
    assert len(every) == len(set(every))


@pytest.mark.parametrize(
    ("notice_at", "moment"),
    [("selection", "select_candidate"), ("signature", "sign_contract_receiving")],
)
def test_the_others_who_registered_are_told_once(
    demo: Wiring,
    smtp: Inbox,  # noqa: F811
    notice_at: str,
    moment: str,
) -> None:
    """AMB-P08: at the selection by default; at the signature when the municipality says so."""
    scenario = _scenario("happy_path")
    if notice_at != "selection":
        start = scenario["start"]
        scenario["start"] = {
            **start,
            "data": {**start["data"], "not_selected_notice_at": notice_at},
        }
        for step in scenario["steps"]:  # the scenario's mail expectations are for the default
            step.get("expect", {}).pop("mails", None)
    player = _player(demo, scenario)
    steps = scenario["steps"]
    at = next(i for i, s in enumerate(steps) if s.get("complete") == moment)
    for step in steps[:at]:
        player.play(step)
    before = _deliver(player, smtp)
    assert not [m for _r, m in before if "gikk til en annen" in str(m["Subject"])]

    player.play(steps[at])
    received = _deliver(player, smtp)
    told = {rcpt[0]: m for rcpt, m in received if "gikk til en annen" in str(m["Subject"])}
    # The registrant who was not chosen, with a copy to her leader; not the chosen one.
    assert set(told) == {"ingrid.moe@drammen.example", "dag.dahl@drammen.example"}, _subjects(
        received
    )
    assert str(told["dag.dahl@drammen.example"]["Subject"]).startswith("Kopi: ")
    assert told["ingrid.moe@drammen.example"]["Content-Language"] == "nb"

    for step in steps[at + 1 :]:
        player.play(step)
    rest = _deliver(player, smtp)
    assert not [m for _r, m in rest if "gikk til en annen" in str(m["Subject"])]


def test_a_new_assignment_is_mailed_to_the_other_municipalities_with_links(
    demo: Wiring,
    smtp: Inbox,  # noqa: F811
) -> None:
    """'Nytt oppdrag' is for employees elsewhere (KV 2), and links the board; the others
    who registered are sent to the case page (issue 17 §5)."""
    scenario = _scenario("happy_path")
    player = _player(demo, scenario)
    steps = scenario["steps"]
    at = next(i for i, s in enumerate(steps) if s.get("complete") == "describe_need")
    for step in steps[: at + 1]:
        player.play(step)
    received = _deliver(player, smtp)
    new = [(r, m) for r, m in received if "Nytt oppdrag" in str(m["Subject"])]
    addressees = {a for rcpt, _m in new for a in rcpt}
    assert "eva.holm@asker.example" in addressees and "ingrid.moe@drammen.example" in addressees
    assert not [a for a in addressees if a.endswith("@baerum.example")], addressees
    body = new[0][1].get_body(("plain",)).get_content()
    assert "/announcements" in body
    for step in steps[at + 1 :]:
        player.play(step)
        if step.get("complete") == "select_candidate":
            break
    told = [m for _r, m in _deliver(player, smtp) if "gikk til en annen" in str(m["Subject"])]
    assert told and f"/cases/{player.aliases['a']}" in told[0].get_body(("plain",)).get_content()


def test_the_leaders_and_the_admin_group_get_the_report_itself(
    demo: Wiring,
    smtp: Inbox,  # noqa: F811
) -> None:
    """KV 3: the written account goes to both leaders; the mail carries it, not just a notice."""
    scenario = _scenario("happy_path")
    player = _player(demo, scenario)
    for step in scenario["steps"]:
        player.play(step)
    received = _deliver(player, smtp)
    reports = {
        rcpt[0]: m.get_body(("plain",)).get_content()
        for rcpt, m in received
        if "Redegjørelse levert" in str(m["Subject"])
    }
    assert {"lars.aas@asker.example", "anne@vestregionen.example"} <= set(reports), reports
    assert any(a.endswith("@baerum.example") for a in reports)
    for body in reports.values():
        assert "Jeg har lært en ny triagemodell" in body
        assert f"/cases/{player.aliases['a']}" in body
