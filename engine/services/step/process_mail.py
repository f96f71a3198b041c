"""Mail the process's own messages: the new entries of the instance's `notifications` lists.

Scripts and the `notify` service operator append entries like `{"type": "not_selected",
"to": "user" | [...], "cc": ..., "to_role": "finance", "cc_role": ..., "municipality": "asker",
"to_leader_of": "user", "except_municipality": "baerum", ...fields for the text}`
(`except_municipality` leaves out a role's holders in that municipality; `to_leader_of` mails
that user's leader); after every step `process_messages` queues one mail per addressee for each
entry no earlier step has mailed (`notifications.enqueue` writes the rows). Each addressee's
mail carries only the entry's fields that their part in the case reads (the configuration's
`mail_reader`, `access.mail_fields`): a field they may not read is empty.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine.runtime import mail_texts
from engine.services import configuration
from engine.services.step import applicant_mail, candidates, notifications, owner_mail
from engine.store.models import ProcessInstance, User
from engine.store.uow import UnitOfWork

_ADDRESSING = {
    "type",
    "to",
    "cc",
    "to_role",
    "cc_role",
    "municipality",
    "except_municipality",
    "to_leader_of",
}


def process_messages(
    uow: UnitOfWork,
    instance: ProcessInstance,
    sent: Mapping[str, int],
    lists: Mapping[str, list[Any]],
    now: datetime,
) -> dict[str, int]:
    """Queue a mail per recipient for each process message no earlier step has mailed.

    `lists` holds every list of messages the instance has (see `runtime.projection.mail_lists`);
    `sent` counts, per entry digest, how many copies earlier steps mailed. An entry copied
    from one list to another (a called process's messages returned to its parent) is not
    mailed again; the same entry added twice to one list is mailed twice. Returns the new counts.
    """
    current = current_counts(lists)
    if any(count > sent.get(digest, 0) for digest, (count, _) in current.items()):
        uow.session.flush()  # the step's new tasks: who reads what of the case (case views)
    reader = configuration.current().mail_reader
    with uow.session.no_autoflush:  # user lookups need none of the step's pending writes
        for digest, (count, item) in current.items():
            for _ in range(count - sent.get(digest, 0)):
                case = notifications.case_params(uow, instance)
                fields = _fields(uow, item)
                kind = applicant_mail.template(instance.key, str(item.get("type") or ""))
                kind = kind or "process_message"
                addressed = set(_names(item.get("to")))
                # The texts the owner wrote in the modeler for this type, if any (owner_mail).
                own = owner_mail.texts_for(uow, instance, str(item.get("type") or ""))
                declared = _owner_fields(own)
                for user, copy in _addressees(uow, item):
                    # Each recipient gets only the fields their part in the case reads.
                    given = reader(
                        uow, instance, user, kind, fields, user.username in addressed, declared
                    )
                    params = {**case, "type": fields["type"], **given}
                    notifications.enqueue(
                        uow, user, kind, params, now=now, instance=instance, copy=copy, texts=own
                    )
                if item.get("to_email"):  # an applicant, who has no user
                    letter = applicant_mail.APPLICANT + str(item.get("type"))
                    params = {**case, **reader(uow, instance, None, letter, fields, True)}
                    applicant_mail.mail_applicant(uow, instance, item, params, now)
    counts = dict(sent)
    for digest, (count, _) in current.items():
        counts[digest] = max(count, counts.get(digest, 0))
    return counts


def current_counts(lists: Mapping[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    """Return, per entry digest, the most copies any one list holds, with the entry."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for entries in lists.values():
        if not isinstance(entries, list):
            continue
        here = Counter(_key(e) for e in entries if isinstance(e, dict))
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            digest = _key(entry)
            if here[digest] > found.get(digest, (0, entry))[0]:
                found[digest] = (here[digest], entry)
    return found


def _key(entry: Any) -> str:
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _addressees(uow: UnitOfWork, item: Mapping[str, Any]) -> list[tuple[User, bool]]:
    municipality = item.get("municipality")
    to = notifications.found(uow, _names(item.get("to"))) + _role(
        uow, item.get("to_role"), municipality
    )
    # "to_leader_of": a username whose leader gets the mail (the organisation decides who).
    leaders = [candidates.leader_of(uow, name) for name in _names(item.get("to_leader_of"))]
    to += notifications.found(uow, [name for name in leaders if name])
    cc = notifications.found(uow, _names(item.get("cc"))) + _role(
        uow, item.get("cc_role"), municipality
    )
    left_out = item.get("except_municipality")
    if left_out:  # a role's holders elsewhere: "Nytt oppdrag" is for the other municipalities
        named = set(_names(item.get("to"))) | set(_names(item.get("cc")))
        to = [u for u in to if u.username in named or u.municipality_id != left_out]
        cc = [u for u in cc if u.username in named or u.municipality_id != left_out]
    chosen: dict[str, tuple[User, bool]] = {}
    for user, copy in [(u, False) for u in to] + [(u, True) for u in cc]:
        chosen.setdefault(user.username, (user, copy))
    return list(chosen.values())


def _role(uow: UnitOfWork, role: Any, municipality: Any) -> list[User]:
    if not role:
        return []
    return list(uow.users.with_role(str(role), str(municipality) if municipality else None))


def _names(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def _fields(uow: UnitOfWork, item: Mapping[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in item.items() if k not in _ADDRESSING}
    fields["type"] = item.get("type", "")
    if isinstance(fields.get("employee"), str) and (user := uow.users.find(fields["employee"])):
        fields["employee"] = user.full_name
    return fields


def _owner_fields(texts: Mapping[str, tuple[str, str]] | None) -> dict[str, str] | None:
    """Return what an owner's texts print besides the fixed fields, each read from the data
    key of its name (None: no owner's texts, the kind's declaration holds)."""
    if not texts:
        return None
    names = [n for pair in texts.values() for n in mail_texts.placeholders(" ".join(pair))]
    return {name: name for name in names if name not in mail_texts.FIXED}
