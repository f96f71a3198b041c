"""The hiring procedure's pages: HR's cases, the applicant list with CVs, the public list.

Server-rendered from the hiring services: the applicant list follows
`access.may_read_applicants` (HR of the hiring municipality, the hiring authority), the
public applicant list shows what offentleglova § 25 allows, without granted exemptions.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask.typing import ResponseReturnValue

from api.wiring import services
from engine.services.errors import Forbidden
from engine.services.hiring import applicants as hiring_applicants
from engine.store.errors import NotFound
from web.blueprint import _signed_in, _to_login, bp


@bp.get("/ansettelser")
def hiring_cases() -> ResponseReturnValue:
    """HR's and the hiring authority's hiring cases, with status and application deadline."""
    user = _signed_in()
    if user is None:
        return _to_login()
    rows = hiring_applicants.overview(services().new_uow(read_only=True), user)
    values = {"rows": rows, "moment": _moment}
    return render_template("hiring_cases.html", user=user, page="hiring", **values)


@bp.get("/soknader/<path:vacancy_id>")
def applicants(vacancy_id: str) -> ResponseReturnValue:
    """The applicant list of a vacancy, with contact details, applications and CVs."""
    user = _signed_in()
    if user is None:
        return _to_login()
    try:
        listed = hiring_applicants.applicants(
            services().new_uow(read_only=True), vacancy_id[:200], user
        )
    except Forbidden:
        return render_template("hiring_forbidden.html", user=user, page="hiring"), 403
    except NotFound:
        return render_template("hiring_not_found.html", user=user, page="hiring"), 404
    values = {"listed": listed, "moment": _moment}
    return render_template("hiring_applicants.html", user=user, page="hiring", **values)


def _moment(value: str) -> datetime:
    """Read an ISO date or time from case data (for `format_date`)."""
    return datetime.fromisoformat(str(value))


@bp.get("/sokerlister/<path:vacancy_id>")
def public_applicant_list(vacancy_id: str) -> ResponseReturnValue:
    """The public applicant list (offentleglova § 25), no sign-in."""
    user = _signed_in()
    try:
        listed = hiring_applicants.public_applicant_list(
            services().new_uow(read_only=True), vacancy_id[:200]
        )
    except NotFound:
        return render_template("hiring_not_found.html", user=user, page="vacancies"), 404
    return render_template("hiring_public_list.html", user=user, page="vacancies", listed=listed)
