"""The hiring procedure's letters reach applicants by e-mail, with the vacancy's link (issue 17).

Before, the interview invitations, the offer letter and "stillingen er besatt" were only records
in the case's `notifications`, and HR's mail on publishing was the assignment routine's
"Nytt oppdrag i kompetansenettverket" with a literal `$interest_deadline`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from engine.deadlines import mail
from engine.services import outbox
from engine.services.wiring import Wiring
from engine.store.models import Outbox
from tests.conftest import ROOT
from tests.deadlines.conftest import Inbox
from tests.deadlines.conftest import smtp as real_smtp
from tests.processes.test_scenarios import play

smtp = real_smtp  # the fixture: aiosmtpd on a free port
HAPPY = next(
    s
    for s in json.loads((ROOT / "processes/hiring/scenarios.json").read_text("utf-8"))["scenarios"]
    if s["name"] == "happy_path"
)
LINK = "/stillinger/LOTEN-2026-017"


def _mails(wiring: Wiring) -> list[Outbox]:
    with wiring.new_uow() as uow:
        return list(uow.session.scalars(select(Outbox).order_by(Outbox.created_at)))


def _to(mails: list[Outbox], kind: str) -> dict[str, Any]:
    return {m.to_address: m for m in mails if m.kind == kind}


def test_applicants_get_the_invitation_the_offer_and_the_filled_notice(
    demo: Wiring, smtp: Inbox
) -> None:
    player = play(demo, HAPPY)
    mails = _mails(demo)
    invited = _to(mails, "interview_invitation")
    assert sorted(invited) == [
        "anne.berg@example.no",
        "bjorn.dahl@example.no",
        "david.fjell@example.no",
    ]
    anne = invited["anne.berg@example.no"]
    assert anne.subject == "Invitasjon til intervju: Sykepleier (LOTEN-2026-017)"
    assert anne.recipient is None and anne.to_name == "Anne Berg"
    assert "5. januar 2027 kl. 09:00" in anne.body and "Løten helsetun" in anne.body
    assert "Vidar Lien, Kari Tillit" in anne.body and LINK in anne.body
    [offer] = _to(mails, "offer_letter").values()
    assert offer.to_address == "anne.berg@example.no"
    assert "Svarfristen er 14. januar 2027." in offer.body and LINK in offer.body
    filled = _to(mails, "position_filled")
    assert sorted(filled) == [
        "bjorn.dahl@example.no",
        "cecilie.eng@example.no",
        "david.fjell@example.no",
    ]
    assert filled["cecilie.eng@example.no"].subject.startswith("Stillingen er besatt")
    for row in mails:
        assert "$" not in row.subject + row.body, (row.kind, row.body)

    send = mail.transport(replace(demo.settings, smtp_host="127.0.0.1", smtp_port=smtp.port))
    sender = "saksflyt <saksflyt@loten.example>"
    outbox.deliver_due(demo.new_uow, send, sender=sender, now=player.now, worker="m1")
    received = {(tuple(to), m["Subject"]) for _, to, m in smtp.messages}
    assert (
        ("anne.berg@example.no",),
        "Tilbud om stilling: Sykepleier (LOTEN-2026-017)",
    ) in received
    assert (("cecilie.eng@example.no",), filled["cecilie.eng@example.no"].subject) in received


def test_hr_is_told_the_vacancy_is_announced_not_of_a_network_assignment(demo: Wiring) -> None:
    play(demo, {**HAPPY, "steps": HAPPY["steps"][:7]})
    [published] = [m for m in _mails(demo) if m.kind == "hiring.announcement_published"]
    assert published.recipient == "hr.loten"
    assert published.subject == "Stillingen er kunngjort (LOTEN-2026-017)"
    assert "14. desember 2026" in published.body
    assert "kompetansenettverket" not in published.subject + published.body
