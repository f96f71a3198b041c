"""A refused request body or query string is explained in bokmål, or in English on request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, ValidationError, fields, validate

from api.language import bokmal

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
