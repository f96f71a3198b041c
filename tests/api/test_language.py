"""A refused request body or query string is explained in bokmål, or in English on request."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from api.language import bokmal
from engine import catalogue
from engine.services import forms
from engine.services.audit import pdf as audit_pdf
from engine.services.errors import FormInvalid
from engine.services.wiring import Wiring
from engine.store.models import Outbox
from tests.api.test_vacancies import ANNE, BJORN, PublicPlayer, apply, hiring, pdf_text
from tests.services.test_audit import finished

__all__ = ["hiring"]  # the vacancy fixture, used below

FIELD_TYPES = [
    fields.Field,
    fields.String,
    fields.Integer,
    fields.Number,
    fields.Float,
    fields.Boolean,
    fields.UUID,
    fields.Date,
    fields.Dict,
    fields.List,
    fields.Email,
    fields.Nested,
    fields.Url,
]


def test_every_marshmallow_message_our_fields_can_give_has_a_bokmal_form() -> None:
    messages = {
        message
        for field_type in FIELD_TYPES
        for message in field_type.default_error_messages.values()
        if "{" not in message  # templates: their filled-in forms are checked below
    }
    messages |= {"Unknown field.", "Invalid input type.", "Not a valid datetime."}
    untranslated = sorted(m for m in messages if bokmal(m) == m)
    assert untranslated == []


def _refusal(validator: validate.Validator, value: object) -> str:
    class Probe(Schema):
        value = fields.Raw(validate=validator)

    with pytest.raises(ValidationError) as refused:
        Probe().load({"value": value})
    return str(refused.value.messages["value"][0])


@pytest.mark.parametrize(
    ("validator", "value", "expected"),
    [
        (validate.Range(min=1, max=500), 0, "Må være minst 1 og høyst 500."),
        (validate.Range(min=1), 0, "Må være minst 1."),
        (validate.Range(max=9), 10, "Må være høyst 9."),
        (validate.Range(min=0, min_inclusive=False), 0, "Må være over 0."),
        (validate.Length(min=1, max=80), "", "Lengden må være mellom 1 og 80."),
        (validate.Length(equal=4), "abc", "Lengden må være 4."),
        (validate.Length(min=3), "ab", "Kortere enn 3 tegn."),
        (validate.Length(max=2), "abc", "Lengre enn 2 tegn."),
        (validate.OneOf(["mine", "group"]), "x", "Må være en av: mine, group."),
    ],
)
def test_validator_messages_keep_their_numbers_in_bokmal(
    validator: validate.Validator, value: object, expected: str
) -> None:
    assert bokmal(_refusal(validator, value)) == expected


def test_a_message_of_our_own_passes_unchanged() -> None:
    assert bokmal("Vedlegget finnes ikke.") == "Vedlegget finnes ikke."


def test_the_api_explains_a_refused_query_and_body_in_bokmal_or_english(
    client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    headers = auth("emp.asker")
    bad_query = "/api/v1/tasks?scope=mine&limit=0&stat=open"
    norwegian = client.get(bad_query, headers=headers)
    assert norwegian.status_code == 422
    assert norwegian.get_json()["error"]["details"] == {
        "limit": ["Må være minst 1 og høyst 500."],
        "stat": ["Ukjent felt."],
    }
    english = client.get(bad_query, headers={**headers, "Accept-Language": "en"})
    assert english.get_json()["error"]["details"] == {
        "limit": ["Must be greater than or equal to 1 and less than or equal to 500."],
        "stat": ["Unknown field."],
    }
    body = client.post("/api/v1/auth/token", json={"username": "emp.asker"})
    assert body.status_code == 422
    assert body.get_json()["error"]["details"] == {"password": ["Feltet må fylles ut."]}


# A page, an e-mail, a PDF and a 422, each in bokmål by default and in English on request.
ENGLISH = {"Accept-Language": "en"}


@pytest.mark.parametrize(
    ("headers", "language", "expected"),
    [({}, "nb", "Logg inn med brukernavnet"), (ENGLISH, "en", "Sign in with your username")],
)
def test_a_page_and_its_scripts_catalogue_speak_the_language(
    client: FlaskClient, headers: dict[str, str], language: str, expected: str
) -> None:
    page = client.get("/login", headers=headers)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{language}"' in html and expected in html
    data = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert data is not None
    served = json.loads(data.group(1))
    assert served["lang"] == language
    assert served["strings"] == catalogue.page_messages(language)
    assert served["strings"]["nav_inbox"] == {"nb": "Innboks", "en": "Inbox"}[language]


def test_a_chosen_page_language_beats_the_browsers(client: FlaskClient) -> None:
    chosen = client.get("/login?lang=nb", headers=ENGLISH).get_data(as_text=True)
    assert 'lang="nb"' in chosen
    kept = client.get("/login", headers=ENGLISH).get_data(as_text=True)
    assert 'lang="nb"' in kept  # the session remembers ?lang=


def test_form_validation_422_in_bokmal_and_english(
    client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    started = client.post(
        "/api/v1/process-definitions/approval/start",
        json={"data": {"municipality": "asker"}, "business_key": "SAK-8"},
        headers=auth("emp.asker"),
    )
    [task] = started.get_json()["open_tasks"]
    bad = {"data": {"reason": "Kurs", "start_date": "1. desember", "days": "tre"}}
    url = f"/api/v1/tasks/{task['id']}/complete"
    norwegian = client.post(url, json=bad, headers=auth("emp.asker"))
    assert norwegian.status_code == 422
    assert norwegian.get_json()["error"]["message"] == (
        "Noen felter har feil. Rett feltene som er merket."
    )
    assert norwegian.get_json()["error"]["details"] == {
        "days": ["Verdien har feil type: forventet et heltall."],
        "start_date": ["Verdien er ikke en gyldig dato."],
    }
    english = client.post(url, json=bad, headers={**auth("emp.asker"), **ENGLISH})
    assert english.get_json()["error"]["message"] == (
        "Some fields have errors. Correct the marked fields."
    )
    assert english.get_json()["error"]["details"] == {
        "days": ["The value has the wrong type: expected a whole number."],
        "start_date": ["The value is not a valid date."],
    }


def test_the_audit_pdf_in_bokmal_and_english(
    client: FlaskClient, auth: Callable[[str], dict[str, str]], deployed: Wiring
) -> None:
    if not audit_pdf.is_available():
        pytest.fail("WeasyPrint is part of the pinned dependencies")
    url = f"/api/v1/audit/instances/{finished(deployed)}/export?format=pdf"
    norwegian = pdf_text(client.get(url, headers=auth("revisor")).data)
    english = pdf_text(client.get(url, headers={**auth("revisor"), **ENGLISH}).data)
    assert "Revisjonsrapport" in norwegian and "Hendelseskjeden er kontrollert" in norwegian
    assert "Oppgave fullført" in norwegian and "task_completed" not in norwegian
    assert "Audit report" in english and "The chain of events is verified" in english
    assert "Task completed" in english and "Revisjonsrapport" not in english


def test_an_e_mail_in_bokmal_and_english(hiring: PublicPlayer, deployed: Wiring) -> None:
    anne = apply(hiring.client, ANNE)
    bjorn = apply(hiring.client, BJORN, headers=ENGLISH)
    assert (anne.status_code, bjorn.status_code) == (201, 201)
    with deployed.new_uow() as uow:
        mails = {
            m.to_address: m
            for m in uow.session.scalars(select(Outbox).where(Outbox.kind == "application_receipt"))
        }
    norwegian, english = mails[ANNE["email"]], mails[BJORN["email"]]
    assert norwegian.subject == "Kvittering: søknad på Sykepleier" and norwegian.locale == "nb"
    assert "Vi har mottatt søknaden din" in norwegian.body
    assert "Sendt automatisk av saksflyt" in norwegian.body
    assert english.subject == "Receipt: application for Sykepleier" and english.locale == "en"
    assert "We have received your application" in english.body
    assert "Sent automatically by saksflyt" in english.body


def test_requests_sharing_an_app_context_keep_their_own_language(
    client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    bad_query = "/api/v1/tasks?scope=mine&limit=0"
    with client.application.app_context():
        norwegian = client.get(bad_query, headers=auth("emp.asker"))
        english = client.get(bad_query, headers={**auth("emp.asker"), **ENGLISH})
    assert norwegian.get_json()["error"]["details"] == {"limit": ["Må være minst 1 og høyst 500."]}
    assert english.get_json()["error"]["details"]["limit"][0].startswith("Must be")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nb",
            {
                "at": ["Verdien er ikke et gyldig tidspunkt."],
                "count": ["Verdien har feil type: forventet et heltall."],
                "note": ["Verdien har feil type: forventet tekst eller tom verdi."],
            },
        ),
        (
            "en",
            {
                "at": ["The value is not a valid date and time."],
                "count": ["The value has the wrong type: expected a whole number."],
                "note": ["The value has the wrong type: expected text or an empty value."],
            },
        ),
    ],
)
def test_form_messages_name_types_and_formats_in_the_language(
    language: str, expected: dict[str, list[str]]
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "count": {"type": "integer"},
            "note": {"type": ["string", "null"]},
        },
    }
    with pytest.raises(FormInvalid) as refused:
        forms.validate(
            json.dumps(schema).encode(), {"at": "5.1.2027", "count": "3", "note": 1}, language
        )
    assert refused.value.errors == expected
