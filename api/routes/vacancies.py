"""Vacancies: the public board and applications without login; applicant lists (Løten 4.5)."""

from __future__ import annotations

import math
import time
from collections import deque
from threading import Lock
from typing import Any
from uuid import UUID

from flask import Response, current_app, jsonify, request

from api.auth import current_user
from api.blueprint import Blueprint
from api.language import reader_locale, request_locale
from api.routes.attachments import read_file
from api.schemas import (
    ApplicantListSchema,
    ApplicationReceiptSchema,
    PublicApplicantListSchema,
    VacancySchema,
)
from api.wiring import services
from engine import catalogue
from engine.services import attachments
from engine.services.errors import FormInvalid, Unauthenticated
from engine.services.hiring import applicants as hiring_applicants
from engine.services.hiring import vacancies
from engine.store.models import User

bp = Blueprint(
    "vacancies",
    __name__,
    url_prefix="/api/v1",
    description="Vacancies, public applications and applicant lists",
)
PUBLIC: list[dict[str, list[str]]] = []  # no bearer token
TEXT_FIELDS = (
    "name",
    "email",
    "phone",
    "motivation",
    "exemption_reason",
    "occupation",
    "home_municipality",
)
FIELDS = (*TEXT_FIELDS, "requests_exemption_from_public_list", "age")
TRUE = frozenset({"true", "on", "1", "yes", "ja"})
FALSE = frozenset({"false", "off", "0", "no", "nei", ""})
APPLICATION_FORM = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {
                **{name: {"type": "string"} for name in TEXT_FIELDS},
                "requests_exemption_from_public_list": {"type": "boolean"},
                "age": {"type": "integer"},
                "cv": {"type": "string", "format": "binary"},
            },
        }
    },
    "application/json": {
        "schema": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {
                **{name: {"type": "string"} for name in TEXT_FIELDS},
                "requests_exemption_from_public_list": {"type": "boolean"},
                "age": {"type": "integer"},
            },
        }
    },
}


class SlidingWindow:
    """At most `limit` hits per key within `window` seconds (in this process)."""

    def __init__(self, limit: int, window: float = 3600.0) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = Lock()

    def wait(self, key: str, now: float) -> float:
        """Return 0 if one more hit is allowed now, else the seconds until it is."""
        if self.limit <= 0:
            return 0.0
        with self._lock:
            hits = self._hits.get(key) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            return hits[0] + self.window - now if len(hits) >= self.limit else 0.0

    def hit(self, key: str, now: float) -> float:
        """Count a hit; return 0 if allowed, else the seconds until the next one is."""
        if self.limit <= 0:
            return 0.0
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window - now
            hits.append(now)
            if len(self._hits) > 10_000:  # forget addresses that went quiet
                self._hits = {
                    k: v for k, v in self._hits.items() if v and v[-1] > now - self.window
                }
            return 0.0


def _limiter() -> SlidingWindow:
    extensions = current_app.extensions
    if "saksflyt_public_rate" not in extensions:
        extensions["saksflyt_public_rate"] = SlidingWindow(services().settings.public_rate_limit)
    return extensions["saksflyt_public_rate"]  # type: ignore[no-any-return]


@bp.get("/vacancies")
@bp.doc(security=PUBLIC)
@bp.response(200, VacancySchema(many=True))
def list_vacancies() -> Any:
    """List the open vacancies announced externally, soonest deadline first (no login)."""
    return vacancies.list_vacancies(services().new_uow(), now=services().now(), user=_caller())


@bp.get("/vacancies/<path:vacancy_id>")
@bp.doc(security=PUBLIC)
@bp.response(200, VacancySchema)
def get_vacancy(vacancy_id: str) -> Any:
    """Return a vacancy's announcement and deadline (no login)."""
    return vacancies.get_vacancy(
        services().new_uow(), vacancy_id[:200], now=services().now(), user=_caller()
    )


@bp.post("/vacancies/<path:vacancy_id>/applications")
@bp.doc(security=PUBLIC, requestBody={"content": APPLICATION_FORM, "required": True})
@bp.response(201, ApplicationReceiptSchema)
def apply(vacancy_id: str) -> Any:
    """Apply (no login): multipart with an optional `cv` (PDF or Word), or JSON without one."""
    client = request.remote_addr or "unknown"
    retry = _limiter().wait(client, time.monotonic())
    if retry:
        return _too_many(retry)
    _refuse_too_large_body()
    application = _application()
    receipt = vacancies.apply(
        services().new_uow(),
        vacancy_id[:200],
        application,
        now=services().now(),
        locale=request_locale(),
        max_bytes=services().settings.max_upload_bytes,
        user=_caller(),
    )
    _limiter().hit(client, time.monotonic())  # only accepted applications count
    return receipt


def _caller() -> User | None:
    """Return the signed-in user, if any: an employee sees and applies to internal vacancies."""
    try:
        return current_user()
    except Unauthenticated:
        return None


def _refuse_too_large_body() -> None:
    """Refuse a body over the request limit at the CV field, before Werkzeug reads it (413)."""
    size = request.content_length
    if size and size > services().settings.max_upload_bytes * 4:  # MAX_CONTENT_LENGTH
        limit = services().settings.max_upload_bytes
        raise attachments.too_large(size, limit, field="cv", locale=request_locale())


def _too_many(retry: float) -> Response:
    seconds = max(1, math.ceil(retry))
    message = catalogue.text(
        request_locale(), "vacancies.too_many", minutes=max(1, math.ceil(seconds / 60))
    )
    error = {"code": "too_many_requests", "message": message, "details": None}
    response = jsonify({"error": error})
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response


def _application() -> vacancies.Application:
    """Read the application from a multipart form or a JSON body, with field messages."""
    lang = request_locale()
    errors: dict[str, list[str]] = {}
    if request.mimetype == "multipart/form-data" or request.mimetype.endswith("urlencoded"):
        raw: dict[str, Any] = request.form.to_dict()
        cv = read_file("cv", required=False)
    else:
        body = request.get_json(silent=True)
        raw = body if isinstance(body, dict) else {}
        cv = None
    values: dict[str, Any] = {}
    for key in raw:
        if key not in FIELDS:  # a nameless multipart part has the key None
            errors[str(key) if key is not None else "_form"] = [
                catalogue.text(lang, "vacancies.unknown")
            ]
    for name in TEXT_FIELDS:
        value = raw.get(name, "")
        if not isinstance(value, str):
            errors[name] = [catalogue.text(lang, "vacancies.text")]
        values[name] = str(value).strip() if isinstance(value, str) else ""
    exemption = raw.get("requests_exemption_from_public_list", False)
    if isinstance(exemption, str) and exemption.lower() in TRUE | FALSE:
        exemption = exemption.lower() in TRUE
    if not isinstance(exemption, bool):
        errors["requests_exemption_from_public_list"] = [catalogue.text(lang, "vacancies.boolean")]
        exemption = False
    age = _age(raw.get("age"))
    if age is False:
        errors["age"] = [catalogue.text(lang, "vacancies.age_number")]
    if errors:
        raise FormInvalid(errors)
    return vacancies.Application(
        **values,
        requests_exemption_from_public_list=exemption,
        cv=cv,
        age=age if isinstance(age, int) and not isinstance(age, bool) else None,
    )


def _age(value: Any) -> int | None | bool:
    """Return the age in whole years, None when not given, False when it is not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return False


@bp.get("/vacancies/<path:vacancy_id>/applicants")
@bp.response(200, ApplicantListSchema)
def applicants(vacancy_id: str) -> Any:
    """Return the applicant list with contact details (hr, the hiring authority)."""
    return hiring_applicants.applicants(services().new_uow(), vacancy_id[:200], current_user())


@bp.get("/vacancies/<path:vacancy_id>/public-applicant-list")
@bp.doc(security=PUBLIC)
@bp.response(200, PublicApplicantListSchema)
def public_applicant_list(vacancy_id: str) -> Any:
    """Return the public applicant list: names, without granted exemptions (no login)."""
    return hiring_applicants.public_applicant_list(services().new_uow(), vacancy_id[:200])


@bp.get("/process-instances/<uuid:instance_id>/offer-letter.pdf")
@bp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
def offer_letter_pdf(instance_id: UUID) -> Response:
    """Download the offer letter of a hiring case (hr, the hiring authority), in the reader's
    language (bokmål, the original, unless they chose English)."""
    name, pdf = hiring_applicants.offer_letter_pdf(
        services().new_uow(),
        instance_id,
        current_user(),
        now=services().now(),
        language=reader_locale(),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
