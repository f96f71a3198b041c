"""Issue 16's findings, each reproduced over HTTP: who read more than their part of a case.

Each test failed on the code before the access model (case_view, docs/access.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.services.wiring import Wiring
from engine.store.models import Outbox
from tests.api.access_world import (
    APPLICANT_EMAIL,
    APPROVAL_REASON,
    ASKER_INTERVIEW_NOTE,
    DRAMMEN_MOTIVATION,
    EXEMPTION_REASON,
    PDF,
    SALARY,
    TEST_CASE_ID,
    Auth,
    build_world,
)


def body(reply: Any) -> str:
    """The reply as text, JSON without escapes (so "på" reads as written)."""
    if reply.is_json:
        return json.dumps(reply.get_json(), ensure_ascii=False)
    return str(reply.get_data(as_text=True))


def test_a_scoped_auditor_reads_no_task_of_another_municipality(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "hiring")
    task = world.path("/api/v1/tasks/{H_write_recommendation}")
    everyone = client.get(task, headers=auth("revisor"))
    assert everyone.status_code == 200 and "Anne Berg" in body(everyone)
    outside = client.get(task, headers=auth("revisor.asker"))
    assert outside.status_code == 404
    for secret in ("Anne Berg", APPLICANT_EMAIL, EXEMPTION_REASON):
        assert secret not in body(outside)
    # The instance and its tasks answer alike: the case does not exist for them.
    case = world.path("/api/v1/process-instances/{H}")
    assert client.get(case, headers=auth("revisor.asker")).status_code == 404

    listed = client.get("/api/v1/tasks?scope=all&limit=500", headers=auth("revisor.asker"))
    assert listed.status_code == 200 and "LOTEN-2026-017" not in body(listed)
    every = client.get("/api/v1/tasks?scope=all&limit=500", headers=auth("revisor"))
    assert "LOTEN-2026-017" in body(every)


def test_a_scoped_auditor_reads_no_invoice_or_contract_outside_the_scope(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "drammen_assignment")
    for path in (
        "/api/v1/invoices/{D_invoice}",
        "/api/v1/invoices/{D_invoice}.pdf",
        "/api/v1/invoices/{D_invoice}.xml",
        "/api/v1/process-instances/{D}/contract.pdf",
        "/api/v1/tasks/{D_draw_up_contract}",
    ):
        assert client.get(world.path(path), headers=auth("revisor")).status_code == 200, path
        outside = client.get(world.path(path), headers=auth("revisor.asker"))
        assert outside.status_code in (403, 404), path
        assert SALARY not in body(outside), path
    listed = client.get("/api/v1/invoices", headers=auth("revisor.asker"))
    assert listed.status_code == 200 and world.ids["D_invoice_number"] not in body(listed)
    every = client.get("/api/v1/invoices", headers=auth("revisor"))
    assert world.ids["D_invoice_number"] in body(every)


def test_participants_read_only_their_part_of_an_assignment(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "assignment")
    case, history = (
        world.path("/api/v1/process-instances/{A}"),
        world.path("/api/v1/process-instances/{A}/history"),
    )
    owner = client.get(case, headers=auth("tl.baerum"))
    assert DRAMMEN_MOTIVATION in body(owner) and ASKER_INTERVIEW_NOTE in body(owner)
    # The chosen employee and her leader read their steps (the contract), not the competitor.
    for username in ("emp.asker", "leder.asker"):
        for path in (case, history):
            reply = client.get(path, headers=auth(username))
            assert reply.status_code == 200, (username, path)
            assert DRAMMEN_MOTIVATION not in body(reply), (username, path)
            assert ASKER_INTERVIEW_NOTE not in body(reply), (username, path)
        assert SALARY in body(client.get(case, headers=auth(username)))
    # The leader who approved only his own employee's interest reads nothing of the case.
    for path in (case, history, world.path("/api/v1/tasks/{A_interview}")):
        reply = client.get(path, headers=auth("leder.drammen"))
        assert reply.status_code == 404, path
        assert SALARY not in body(reply) and ASKER_INTERVIEW_NOTE not in body(reply)
    # The candidate who was not chosen reads the announcement, not the others' data.
    mine = client.get(case, headers=auth("emp.drammen"))
    assert mine.status_code == 200 and "nature_of_work" in mine.get_json()["data"]
    assert SALARY not in body(mine) and ASKER_INTERVIEW_NOTE not in body(mine)
    assert "candidate" in mine.get_json()["my_part"]


def test_process_owners_read_their_test_cases_not_every_case_and_cv(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "hiring", "test_case")
    for path in (
        "/api/v1/process-instances/{H}",
        "/api/v1/process-instances/{H_application}",
        "/api/v1/attachments/{H_cv}/content",
        "/api/v1/tasks/{H_write_recommendation}",
    ):
        reply = client.get(world.path(path), headers=auth("eier"))
        assert reply.status_code == 404, path
        assert APPLICANT_EMAIL not in body(reply)
    listed = client.get("/api/v1/process-instances?limit=500", headers=auth("eier")).get_json()
    assert [item["id"] for item in listed["items"]] == [world.ids["T"]]
    own = client.get(world.path("/api/v1/process-instances/{T}"), headers=auth("eier"))
    assert own.status_code == 200 and own.get_json()["data"]["applicant"] == TEST_CASE_ID


def test_hr_of_another_municipality_downloads_no_cv(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "hiring")
    cv = world.path("/api/v1/attachments/{H_cv}/content")
    assert client.get(cv, headers=auth("hr.loten")).data == PDF
    assert client.get(cv, headers=auth("vl.loten")).data == PDF  # the hiring authority
    for path in (cv, world.path("/api/v1/attachments/{H_cv}")):
        assert client.get(path, headers=auth("hr.lier")).status_code == 404
    applicants = world.path("/api/v1/vacancies/{vacancy}/applicants")
    assert client.get(applicants, headers=auth("hr.lier")).status_code == 403
    application = world.path("/api/v1/process-instances/{H_application}")
    assert client.get(application, headers=auth("hr.lier")).status_code == 404
    assert client.get(application, headers=auth("hr.loten")).status_code == 200


def test_without_context_fields_the_approver_reads_only_the_own_form(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "approval")
    task = client.get(world.path("/api/v1/tasks/{P_approve}"), headers=auth("leder.drammen"))
    assert task.status_code == 200 and task.get_json()["may_work"] is True
    assert APPROVAL_REASON not in body(task) and task.get_json()["context"] == {}
    case = client.get(world.path("/api/v1/process-instances/{P}"), headers=auth("leder.drammen"))
    assert case.status_code == 200 and APPROVAL_REASON not in body(case)
    own = client.get(world.path("/api/v1/process-instances/{P}"), headers=auth("emp.drammen"))
    assert own.get_json()["data"]["reason"] == APPROVAL_REASON


def test_no_mail_carries_what_its_recipient_may_not_read(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    build_world(deployed, client, auth, tmp_path, "assignment", "hiring", "approval")
    with deployed.new_uow() as uow:
        mails = list(uow.session.scalars(select(Outbox)))
    assert len(mails) > 20  # tasks offered, the selection, receipts, reminders...
    secrets = (
        DRAMMEN_MOTIVATION,
        ASKER_INTERVIEW_NOTE,
        SALARY,
        "52 000",
        EXEMPTION_REASON,
        APPROVAL_REASON,
    )
    for mail in mails:
        for secret in secrets:
            assert secret not in f"{mail.subject}\n{mail.body}", (mail.kind, mail.recipient)
