"""Mail people outside saksflyt (applicants) the process's messages addressed `to_email`.

Only kinds with an `applicant.<type>` template are mailed here (the interview invitation, the
offer letter, "stillingen er besatt", a refused exemption): the public vacancy page sends the
receipt itself. The text is bokmål and the link is the vacancy's public page. `params` holds
only what the applicant's own flow gives them (`access.mail_fields` with no user).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from engine.services.step import notifications
from engine.store.models import Outbox, ProcessInstance
from engine.store.uow import UnitOfWork

APPLICANT = "applicant."


def template(process_key: str, kind: str) -> str:
    """Return the process's own template of a kind (`hiring.announcement_published`) if any."""
    own = f"{process_key}.{kind}"
    return own if own in notifications.catalogue("nb") else kind


def mail_applicant(
    uow: UnitOfWork,
    instance: ProcessInstance,
    item: Mapping[str, Any],
    params: Mapping[str, Any],
    now: datetime,
) -> Outbox | None:
    """Queue the mail of one `to_email` entry, if its kind has an applicant template."""
    kind = APPLICANT + str(item.get("type"))
    texts = notifications.catalogue("nb")
    if kind not in texts:
        return None
    data = instance.data or {}
    applicant = _applicant(data, item.get("applicant_no"))
    vacancy = str(data.get("vacancy_id") or instance.business_key or "")
    path = "/".join(quote(part, safe="") for part in vacancy.split("/"))
    values = {
        **notifications.formatted(params, "nb"),
        "name": str(applicant.get("name") or ""),
        "title": str((data.get("published_announcement") or {}).get("title") or ""),
        "case": instance.business_key or texts["_no_case"],
        "link": f"{notifications.policy().public_url.rstrip('/')}/stillinger/{path}",
    }
    if isinstance(params.get("panel"), list):  # the panel's names, when the letter gives them
        values["panel"] = ", ".join(str(p) for p in params["panel"])
    subject, body = notifications.render(kind, "nb", values)
    return notifications.queue(
        uow,
        now,
        instance_id=instance.id,
        kind=str(item.get("type")),
        recipient=None,
        to_address=str(item["to_email"])[:320],
        to_name=values["name"][:200] or None,
        is_copy=False,
        locale="nb",
        subject=subject,
        body=body,
    )


def _applicant(data: Mapping[str, Any], number: Any) -> Mapping[str, Any]:
    rows = list(data.get("previous_applications") or []) + list(data.get("applications") or [])
    return next((a for a in rows if isinstance(a, dict) and a.get("applicant_no") == number), {})
