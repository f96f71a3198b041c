"""The invoice projection on SQLite and PostgreSQL, the nomination rule, the Norwegian documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from engine.rules.invoice import calculate_invoice
from engine.services import documents
from engine.services.assignment import announcements, invoice_files, invoices
from engine.services.wiring import Wiring
from engine.store.models import ProcessInstance, User

NOW = datetime(2027, 1, 9, 8, 0, tzinfo=UTC)
EXAMPLE_1 = calculate_invoice(date(2026, 12, 14), date(2027, 1, 8), Decimal(52000))


def _data(assignment_id: str = "OPPDRAG-2026-0007", **record: Any) -> dict[str, Any]:
    return {
        "assignment_id": assignment_id,
        "lending_municipality": "asker",
        "receiving_municipality": "baerum",
        "contact_persons": [{"name": "Tone Lie", "email": "tone.lie@baerum.example"}],
        "data_objects": {"invoice_record": {"invoice": EXAMPLE_1.to_dict(), **record}},
    }


def _instance(wiring: Wiring, data: dict[str, Any], key: str = "assignment") -> UUID:
    """Store an instance row with the given data (the engine is not needed to project)."""
    with wiring.new_uow() as uow:
        definition = uow.definitions.latest("approval")
        instance = ProcessInstance(
            id=uuid4(),
            definition_id=definition.id,
            key=key,
            version=1,
            state="running",
            business_key=data.get("assignment_id"),
            started_by="tl.baerum",
            data=data,
            snapshot={},
            created_at=NOW,
            updated_at=NOW,
        )
        uow.instances.add(instance)
        uow.commit()
    return instance.id


def _project(wiring: Wiring, instance_id: UUID, data: dict[str, Any] | None = None) -> Any:
    with wiring.new_uow() as uow:
        instance = uow.instances.get(instance_id)
        if data is not None:
            instance.data = data
        row = invoices.project(uow, instance, NOW)
        uow.commit()
    return row


def test_a_draft_is_projected_then_frozen_once_sent(deployed: Wiring) -> None:
    instance_id = _instance(deployed, _data())
    draft = _project(deployed, instance_id)
    assert (draft.status, draft.number, draft.assignment_id) == (
        "draft",
        "F-OPPDRAG-2026-0007",
        "OPPDRAG-2026-0007",
    )
    assert (draft.seller["name"], draft.seller["organisation_number"]) == (
        "Asker kommune",
        "920657095",
    )
    assert draft.buyer["contact"]["name"] == "Tone Lie"
    assert (draft.issue_date, draft.due_date) == (date(2027, 1, 9), date(2027, 2, 8))
    assert (draft.total_ore, draft.period_start) == (6365909, date(2026, 12, 14))

    dispatch = {"invoice_number": "ASK-1", "sent_on": "2027-01-11"}
    sent = _project(deployed, instance_id, _data(invoice_dispatch=dispatch))
    assert (sent.id, sent.status, sent.dispatch) == (draft.id, "sent", dispatch)
    assert sent.issue_date == date(2027, 1, 11)
    with deployed.new_uow() as uow:
        asker = uow.users.municipality("asker")
        assert asker is not None
        asker.name = "Asker kommune (ny)"
        uow.commit()
    frozen = _project(deployed, instance_id, _data(invoice_dispatch=dispatch))
    assert frozen.seller["name"] == "Asker kommune"


def test_catch_up_projects_what_the_steps_did_not(deployed: Wiring) -> None:
    with_invoice = _instance(deployed, _data())
    old_style = _data("OPPDRAG-2026-0008")
    old_style["invoice"] = old_style.pop("data_objects")["invoice_record"]["invoice"]
    top_level = _instance(deployed, old_style)
    _instance(deployed, {"assignment_id": "OPPDRAG-2026-0009", "lending_municipality": "asker"})
    _instance(deployed, _data("SAK-1"), key="approval")
    for _ in range(2):
        with deployed.new_uow() as uow:
            invoices.catch_up(uow, NOW)
            uow.commit()
    with deployed.new_uow() as uow:
        rows, total = uow.invoices.page(
            municipality_id="baerum", status=None, assignment_id=None, limit=10, offset=0
        )
    assert total == 2
    assert {row.instance_id for row in rows} == {with_invoice, top_level}


def test_the_stored_calculation_rebuilds_exactly(deployed: Wiring) -> None:
    row = _project(deployed, _instance(deployed, _data()))
    assert invoice_files.rebuild(invoices.invoice_view(row)) == EXAMPLE_1


def test_two_instances_with_one_assignment_id_get_two_numbers(deployed: Wiring) -> None:
    first = _project(deployed, _instance(deployed, _data()))
    second = _project(deployed, _instance(deployed, _data()))
    assert (first.number, second.number) == ("F-OPPDRAG-2026-0007", "F-OPPDRAG-2026-0007-2")


def test_data_the_projection_does_not_understand_is_left_alone(deployed: Wiring) -> None:
    broken = _data()
    del broken["data_objects"]["invoice_record"]["invoice"]["period_start"]
    assert _project(deployed, _instance(deployed, broken)) is None
    assert _project(deployed, _instance(deployed, _data(), key="approval")) is None
    missing = _data()
    del missing["lending_municipality"]
    assert _project(deployed, _instance(deployed, missing)) is None


def _user(username: str, unit_id: str | None) -> User:
    return User(username=username, unit_id=unit_id, roles=["participant"])


def test_nomination_is_needed_when_another_of_the_unit_is_still_in_play() -> None:
    employee = _user("emp2.asker", "asker.it")
    colleague = {"employee_username": "emp.asker", "employee_unit_id": "asker.it"}
    assert announcements.needs_nomination([{**colleague, "outcome": "pending"}], employee)
    assert announcements.needs_nomination([{**colleague, "outcome": "registered"}], employee)
    assert not announcements.needs_nomination([{**colleague, "outcome": "refused"}], employee)
    assert not announcements.needs_nomination([{**colleague, "outcome": "not_nominated"}], employee)
    other_unit = {"employee_username": "x", "employee_unit_id": "asker.okonomi"}
    assert not announcements.needs_nomination([other_unit], employee)
    assert not announcements.needs_nomination([colleague], _user("emp.asker", "asker.it"))
    assert not announcements.needs_nomination([colleague], _user("y", None))


def test_documents_speak_norwegian() -> None:
    assert documents.kroner("63659.09") == "63\xa0659,09\xa0kr"
    assert documents.long_date("2026-05-17") == "17. mai 2026"
    assert documents.month_name("2026-12") == "desember 2026"
    assert documents.percent("0.25") == "25 %"
    party = dict.fromkeys(("organisation_number", "street", "postal_code", "city", "bank_account"))
    view = {
        **EXAMPLE_1.to_dict(),
        "number": "F-OPPDRAG-1",
        "status": "draft",
        "assignment_id": "OPPDRAG-1",
        "seller": {**party, "name": "Asker kommune", "organisation_number": "920657095"},
        "buyer": {**party, "name": "Bærum <kommune>", "contact": None},
        "issue_date": date(2027, 1, 9),
        "due_date": date(2027, 2, 8),
        "dispatch": None,
    }
    html = documents.render_html("invoice.html", {"invoice": view})
    assert "63\xa0659,09\xa0kr" in html and "14. desember 2026" in html
    assert "UTKAST" in html and "Bærum &lt;kommune&gt;" in html
    assert "januar 2027" in html
    english = documents.render_html("invoice.html", {"invoice": view}, "en")
    assert "DRAFT" in english and "not sent" in english and "Invoice F-OPPDRAG-1" in english
    assert "63\xa0659,09\xa0kr" in english  # amounts the Norwegian way in both
    pdf = documents.invoice_pdf(view)
    assert pdf.startswith(b"%PDF-")
