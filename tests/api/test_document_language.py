"""The contract, invoice and offer-letter PDFs in the reader's language (issue 17 §7), on SQLite
and PostgreSQL.

Bokmål by default; English when the reader chose it on the pages (`?lang=en`, kept in their
session) or asks with `Accept-Language: en`, marked as a translation of the bokmål original.
The documents are rendered from the stored data each time, so the record never changes: the
bokmål PDF is the same before and after an English one was read. The EHF stays as the standard
demands, whatever the language.
"""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from tests.api.access_world import Auth, build_world
from tests.api.test_vacancies import (
    ANNE,
    BJORN,
    PublicPlayer,
    _two_applicant_steps,
    apply,
    hiring,
    pdf_text,
)

__all__ = ["hiring"]  # the vacancy fixture, used below

ENGLISH = {"Accept-Language": "en"}
NORWEGIAN_NOTE = "Oversettelse."
ENGLISH_NOTE = "Translation. The document is issued in Norwegian (bokmål)"


def _pdf(client: FlaskClient, url: str, headers: dict[str, str]) -> str:
    reply = client.get(url, headers=headers)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    assert reply.mimetype == "application/pdf"
    return pdf_text(reply.data)


def test_the_contract_and_invoice_in_bokmal_and_english(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path, "assignment")
    contract = world.path("/api/v1/process-instances/{A}/contract.pdf")
    invoice = world.path("/api/v1/invoices/{A_invoice}.pdf")
    ehf = world.path("/api/v1/invoices/{A_invoice}.xml")
    norwegian_ehf = client.get(ehf, headers=auth("fin.asker")).data

    norwegian = _pdf(client, contract, auth("leder.asker"))
    english = _pdf(client, contract, {**auth("leder.asker"), **ENGLISH})
    assert "Kontrakt om oppdrag" in norwegian and NORWEGIAN_NOTE not in norwegian
    assert "Contract for an assignment" in english and "Kontrakt om oppdrag" not in english
    assert ENGLISH_NOTE in english
    assert "52 000,00 kr" in norwegian and "52 000,00 kr" in english  # amounts as issued

    number = world.ids["A_invoice_number"]
    norwegian = _pdf(client, invoice, auth("fin.asker"))
    english = _pdf(client, invoice, {**auth("fin.asker"), **ENGLISH})
    assert f"Faktura {number}" in norwegian and f"Invoice {number}" not in norwegian
    assert f"Invoice {number}" in english and f"Faktura {number}" not in english
    assert ENGLISH_NOTE in english
    # The record is the stored data: reading English changes neither the bokmål PDF nor the EHF.
    assert _pdf(client, invoice, auth("fin.asker")) == norwegian
    assert client.get(ehf, headers={**auth("fin.asker"), **ENGLISH}).data == norwegian_ehf
    # The language never opens a door: a municipality that is no party reads nothing.
    attacker = {**auth("fin.drammen"), **ENGLISH}
    assert client.get(invoice, headers=attacker).status_code in (403, 404)
    assert client.get(contract, headers={**auth("leder.drammen"), **ENGLISH}).status_code in (
        403,
        404,
    )


def test_the_offer_letter_follows_the_language_chosen_on_the_pages(
    hiring: PublicPlayer, client: FlaskClient, auth: Auth
) -> None:
    assert apply(client, ANNE).status_code == 201
    assert apply(client, BJORN).status_code == 201
    for step in _two_applicant_steps():
        hiring.play(step)
        if step.get("complete") == "approve_council_decision":
            break
    url = f"/api/v1/process-instances/{hiring.aliases['h']}/offer-letter.pdf"
    norwegian = _pdf(client, url, auth("hr.loten"))
    assert "Tilbud om ansettelse" in norwegian and "Offer of employment" not in norwegian
    assert "Anne Berg" in norwegian

    client.get("/login?lang=en")  # the reader picks English on the pages (kept in the session)
    english = _pdf(client, url, auth("hr.loten"))  # the browser asks for no language
    assert "Offer of employment" in english and "Tilbud om ansettelse" not in english
    assert "Anne Berg" in english and ENGLISH_NOTE in english
    client.get("/login?lang=nb")
    assert _pdf(client, url, {**auth("hr.loten"), **ENGLISH}) == norwegian  # the choice wins
    assert client.get(url, headers={**auth("tv.loten"), **ENGLISH}).status_code in (403, 404)
