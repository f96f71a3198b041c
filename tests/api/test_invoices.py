"""KV 5 invoices over HTTP: the preview, and list/get/PDF/XML after the happy path."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import uuid4

from flask.testing import FlaskClient
from lxml import etree

from engine.rules.ehf import CAC_NS, CBC_NS, CUSTOMIZATION_ID, INVOICE_NS, PROFILE_ID
from engine.services.wiring import Wiring
from tests.api.test_assignment_journey import HttpPlayer, start_happy_path

Auth = Callable[[str], dict[str, str]]
NS = {"inv": INVOICE_NS, "cac": CAC_NS, "cbc": CBC_NS}

# The brief's §10 worked examples: inputs, working days and the line totals.
EXAMPLES = [
    ("2026-12-14", "2027-01-08", 52000, 100, 18, "43727.27", "10931.82", "9000.00", "63659.09"),
    ("2027-03-15", "2027-04-09", 47500, 100, 17, "38863.64", "9715.91", "8500.00", "57079.55"),
    ("2027-05-03", "2027-05-28", 58000, 100, 18, "54947.37", "13736.84", "9000.00", "77684.21"),
    ("2027-09-01", "2027-11-30", 38400, 80, 65, "115200.00", "28800.00", "32500.00", "176500.00"),
]


def test_preview_gives_the_worked_examples(client: FlaskClient, auth: Auth) -> None:
    for start, end, salary, percentage, days, pay, social, fee, total in EXAMPLES:
        reply = client.post(
            "/api/v1/invoices/preview",
            json={
                "start_date": start,
                "end_date": end,
                "monthly_salary": salary,
                "position_percentage": percentage,
            },
            headers=auth("tl.baerum"),
        )
        assert reply.status_code == 200, reply.get_json()
        body = reply.get_json()
        assert body["working_days"] == days
        assert [line["amount"] for line in body["lines"]] == [pay, social, fee]
        assert body["total"] == total
        shares = Decimal(body["employee_share"]["amount"]) + Decimal(
            body["lending_unit_share"]["amount"]
        )
        assert shares == Decimal(fee)
        assert sum(Decimal(m["total"]) for m in body["months"]) == Decimal(total)


BAD_PREVIEWS: list[tuple[dict[str, Any], str, str]] = [
    ({"end_date": "2026-12-01"}, "end_date", "Sluttdatoen kan ikke være før startdatoen."),
    ({"monthly_salary": -1}, "monthly_salary", "Månedslønnen må være null eller mer."),
    ({"position_percentage": 0}, "position_percentage", "Stillingsprosenten må være fra 1"),
    ({"position_percentage": 100.5}, "position_percentage", "Stillingsprosenten må være fra 1"),
    ({"end_date": "2040-01-01"}, "end_date", "Perioden kan være høyst ti år."),
    ({"end_date": "9999-12-31"}, "end_date", ""),
    ({"end_date": "31.12.2026"}, "end_date", ""),
    ({"monthly_salary": "mye"}, "monthly_salary", ""),
    ({"monthly_salary": 1.001}, "monthly_salary", "Høyst to desimaler."),
    ({"monthly_salary": None}, "monthly_salary", ""),
    ({"extra": 1}, "extra", ""),
]


def test_preview_refuses_bad_input_with_field_messages(client: FlaskClient, auth: Auth) -> None:
    body = {"start_date": "2026-12-14", "end_date": "2027-01-08", "monthly_salary": 52000}
    for change, field, message in BAD_PREVIEWS:
        reply = client.post(
            "/api/v1/invoices/preview", json={**body, **change}, headers=auth("tl.baerum")
        )
        assert reply.status_code == 422, (change, reply.get_json())
        error = reply.get_json()["error"]
        assert error["code"] == "validation_failed"
        assert error["details"][field][0].startswith(message), (change, error)


def test_preview_speaks_english_and_needs_sign_in(client: FlaskClient, auth: Auth) -> None:
    body = {"start_date": "2026-12-14", "end_date": "2026-12-01", "monthly_salary": 52000}
    english = client.post(
        "/api/v1/invoices/preview",
        json=body,
        headers={**auth("tl.baerum"), "Accept-Language": "en"},
    )
    assert english.get_json()["error"]["details"] == {
        "end_date": ["The end date cannot be before the start date."]
    }
    assert client.post("/api/v1/invoices/preview", json=body).status_code == 401
    missing = client.post("/api/v1/invoices/preview", json={}, headers=auth("tl.baerum"))
    assert set(missing.get_json()["error"]["details"]) == {
        "start_date",
        "end_date",
        "monthly_salary",
    }


def _play_happy_path(wiring: Wiring, client: FlaskClient, auth: Auth) -> HttpPlayer:
    """Play the happy path up to (not including) send_invoice; return the player."""
    player, happy = start_happy_path(wiring, client, auth)
    for step in happy["steps"]:
        if step.get("complete") == "send_invoice":
            player.pending = step  # type: ignore[attr-defined]
            continue
        player.play(step)
    return player


def _set_party_data(wiring: Wiring, *, asker_number: str) -> None:
    addresses = {
        "asker": ("Katrineåsveien 20", "1383", "Asker"),
        "baerum": ("Arnold Haukelands plass 10", "1304", "Sandvika"),
    }
    with wiring.new_uow() as uow:
        for municipality_id, (street, postal_code, city) in addresses.items():
            municipality = uow.users.municipality(municipality_id)
            assert municipality is not None
            municipality.settings = {
                **(municipality.settings or {}),
                "address": {"street": street, "postal_code": postal_code, "city": city},
                "bank_account": "15030100000" if municipality_id == "asker" else None,
                "payment_terms_days": 20 if municipality_id == "asker" else None,
            }
        asker = uow.users.municipality("asker")
        assert asker is not None
        asker.organisation_number = asker_number
        uow.commit()


def _clear_street(wiring: Wiring, municipality_id: str) -> None:
    with wiring.new_uow() as uow:
        municipality = uow.users.municipality(municipality_id)
        assert municipality is not None
        settings = dict(municipality.settings or {})
        settings["address"] = {**settings.get("address", {}), "street": None}
        municipality.settings = settings
        uow.commit()


def test_invoice_resource_after_the_happy_path(
    deployed: Wiring, client: FlaskClient, auth: Auth
) -> None:
    player = _play_happy_path(deployed, client, auth)
    assignment_id = player.announced["OPPDRAG-1"]  # numbered by the board
    listed = client.get("/api/v1/invoices", headers=auth("fin.asker")).get_json()
    [draft] = listed["items"]
    assert listed["total"] == 1
    assert (draft["status"], draft["number"], draft["assignment_id"]) == (
        "draft",
        f"F-{assignment_id}",
        assignment_id,
    )
    assert draft["seller"]["municipality_id"] == "asker"
    assert draft["buyer"]["municipality_id"] == "baerum"
    assert draft["buyer"]["contact"]["name"] == "Tone Lie"
    assert (draft["working_days"], draft["total"]) == (18, "63659.09")
    assert (draft["period_start"], draft["period_end"]) == ("2026-12-14", "2027-01-08")
    assert [line["code"] for line in draft["lines"]] == ["salary", "social_costs", "daily_fee"]
    assert draft["instance_id"] == str(player.aliases["a"])

    # The demo organisation carries addresses and accounts: the EHF is made at once.
    demo = client.get(f"/api/v1/invoices/{draft['id']}.xml", headers=auth("fin.asker"))
    assert demo.status_code == 200, demo.get_json()
    assert b"Katrine\xc3\xa5sveien 20" in demo.data and b"15030200001" in demo.data
    # Without a street the EHF cannot be made: refused by field.
    _clear_street(deployed, "asker")
    no_street = client.get(f"/api/v1/invoices/{draft['id']}.xml", headers=auth("fin.asker"))
    assert no_street.status_code == 422
    assert "seller.street" in no_street.get_json()["error"]["details"]
    # An organisation number that fails MOD11 is refused by field.
    _set_party_data(deployed, asker_number="920657099")
    refused = client.get(f"/api/v1/invoices/{draft['id']}.xml", headers=auth("fin.asker"))
    assert refused.status_code == 422
    assert "seller.organisation_number" in refused.get_json()["error"]["details"]
    _set_party_data(deployed, asker_number="920657095")
    no_address = client.get(f"/api/v1/invoices/{draft['id']}.xml", headers=auth("fin.asker"))
    assert no_address.status_code == 200, no_address.get_json()

    pending = player.pending  # type: ignore[attr-defined]
    player.play(pending)
    sent = client.get(f"/api/v1/invoices/{draft['id']}", headers=auth("fin.baerum")).get_json()
    assert sent["status"] == "sent" and sent["dispatch"]["invoice_number"] == "ASK-2027-0012"
    assert (sent["issue_date"], sent["due_date"]) == ("2027-01-09", "2027-01-29")
    assert sent["seller"]["street"] == "Katrineåsveien 20"

    pdf = client.get(f"/api/v1/invoices/{draft['id']}.pdf", headers=auth("revisor"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-") and len(pdf.data) > 5000
    assert f"F-{assignment_id}.pdf" in pdf.headers["Content-Disposition"]

    xml = client.get(f"/api/v1/invoices/{draft['id']}.xml", headers=auth("fin.asker"))
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    _check_ubl(etree.fromstring(xml.data), sent)

    for reader, status in (("fin.drammen", 403), ("emp.asker", 403), ("admin", 200)):
        for suffix in ("", ".pdf", ".xml"):
            url = f"/api/v1/invoices/{draft['id']}{suffix}"
            assert client.get(url, headers=auth(reader)).status_code == status, (reader, suffix)
    assert client.get("/api/v1/invoices", headers=auth("fin.drammen")).get_json()["total"] == 0
    assert client.get("/api/v1/invoices", headers=auth("emp.asker")).status_code == 403
    assert client.get("/api/v1/invoices?status=draft", headers=auth("admin")).get_json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
    }
    assert client.get("/api/v1/invoices?status=paid", headers=auth("admin")).status_code == 422
    for suffix in ("", ".pdf", ".xml"):
        unknown = client.get(f"/api/v1/invoices/{uuid4()}{suffix}", headers=auth("admin"))
        assert unknown.status_code == 404

    _check_contract(client, auth, str(player.aliases["a"]))


def _check_ubl(root: Any, invoice: dict[str, Any]) -> None:
    """The Peppol BIS Billing 3.0 elements a receiver needs, and totals that add up."""
    assert root.tag == f"{{{INVOICE_NS}}}Invoice"
    assert root.nsmap == {None: INVOICE_NS, "cac": CAC_NS, "cbc": CBC_NS}

    def text(path: str) -> str:
        found = root.find(path, NS)
        assert found is not None, path
        return str(found.text)

    assert text("cbc:CustomizationID") == CUSTOMIZATION_ID
    assert text("cbc:ProfileID") == PROFILE_ID
    assert text("cbc:ID") == invoice["number"]
    assert text("cbc:IssueDate") == invoice["issue_date"]
    assert text("cbc:DueDate") == invoice["due_date"]
    assert text("cbc:InvoiceTypeCode") == "380"
    assert text("cbc:DocumentCurrencyCode") == "NOK"
    assert text("cbc:BuyerReference") == invoice["assignment_id"]
    assert text("cac:InvoicePeriod/cbc:StartDate") == "2026-12-14"
    seller = "cac:AccountingSupplierParty/cac:Party/"
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert text(seller + "cbc:EndpointID") == "920657095"
    assert root.find(seller + "cbc:EndpointID", NS).get("schemeID") == "0192"
    assert text(seller + "cac:PartyLegalEntity/cbc:RegistrationName") == "Asker kommune"
    assert text(buyer + "cbc:EndpointID") == "935478715"
    assert text(buyer + "cac:PostalAddress/cbc:CityName") == "Sandvika"
    assert text("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "15030100000"
    assert text("cac:TaxTotal/cbc:TaxAmount") == "0.00"
    assert text("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == "O"
    lines = root.findall("cac:InvoiceLine", NS)
    assert len(lines) == 3
    line_sum = sum(Decimal(str(line.find("cbc:LineExtensionAmount", NS).text)) for line in lines)
    for line in lines:
        quantity = Decimal(str(line.find("cbc:InvoicedQuantity", NS).text))
        price = Decimal(str(line.find("cac:Price/cbc:PriceAmount", NS).text))
        amount = Decimal(str(line.find("cbc:LineExtensionAmount", NS).text))
        assert quantity * price == amount  # Peppol R120
    total = "cac:LegalMonetaryTotal/cbc:"
    assert Decimal(text(total + "LineExtensionAmount")) == line_sum == Decimal("63659.09")
    assert Decimal(text(total + "TaxInclusiveAmount")) == line_sum
    assert Decimal(text(total + "PayableAmount")) == Decimal(invoice["total"])
    for amount in root.iter(f"{{{CBC_NS}}}PayableAmount", f"{{{CBC_NS}}}TaxAmount"):
        assert amount.get("currencyID") == "NOK"


def _check_contract(client: FlaskClient, auth: Auth, instance_id: str) -> None:
    url = f"/api/v1/process-instances/{instance_id}/contract.pdf"
    for reader in ("emp.asker", "leder.asker", "tl.baerum", "fin.asker", "revisor"):
        reply = client.get(url, headers=auth(reader))
        assert reply.status_code == 200, (reader, reply.get_json())
        assert reply.data.startswith(b"%PDF-") and reply.mimetype == "application/pdf"
    for outsider in ("emp.drammen", "leder.drammen", "fin.drammen"):
        assert client.get(url, headers=auth(outsider)).status_code == 403, outsider
    unknown = f"/api/v1/process-instances/{uuid4()}/contract.pdf"
    assert client.get(unknown, headers=auth("admin")).status_code == 404
    assert client.get(url).status_code == 401
