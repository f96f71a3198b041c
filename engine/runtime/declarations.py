"""What a process declares about who may start it and who may send it messages.

Read from the BPMN (docs/bpmn-conventions.md, "Who may start a process"):

- on the process's none start event, `spiffworkflow:properties`: `startRoles` (roles, space- or
  comma-separated), `startMunicipalities` (municipality ids), `startFormJsonSchemaFilename` and
  `startFormUiSchemaFilename` (the start data form), `startedBy="service"` (only a saksflyt
  service starts it, e.g. the board or the public vacancy page) and `startDescription` /
  `startDescriptionEn` (the one line the start page shows, in bokmål and English),
  `businessKeyFrom` (the start data key that holds the case number when no business key is
  given, e.g. the hiring case's `vacancy_id`) and `businessKeyShared="true"` (its instances
  carry the number of the case they belong to, one per registration or application, so
  several share it; otherwise a business key names one instance of the process for good) and
  `businessKeyAsked="false"` (its start asks for no case number: an employee's leave
  application has none; a given one is refused);
- on a catching message event (message start, intermediate catch, boundary, receive task):
  `messageSenderRoles`, the roles that may send that message from outside (`POST /messages`);
- on a user task: `contextFields`, the instance data keys (space-separated) its participants
  read beside their form, the read-only case context of that step (docs/access.md).

Deploy checks them (`validation.check_declarations`); the services decide with them
(`engine/services/access.py`). Nothing here knows users.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from engine.runtime import events
from engine.runtime.xmlsafe import NS, local_name, read_xml

if TYPE_CHECKING:  # specs imports validation, which imports this module
    from engine.runtime.specs import BuiltProcess

START_ROLES = "startRoles"
START_MUNICIPALITIES = "startMunicipalities"
START_FORM = "startFormJsonSchemaFilename"
START_UI_FORM = "startFormUiSchemaFilename"
STARTED_BY = "startedBy"
# "any": start data needs no start form (Camunda 7 models: starts carry any variables)
START_VARIABLES = "startVariables"
# the one line "Start en prosess" shows under the process's name (bokmål; English beside it)
START_DESCRIPTION = "startDescription"
START_DESCRIPTION_EN = "startDescriptionEn"
BUSINESS_KEY_FROM = "businessKeyFrom"  # the start data key holding the case number
BUSINESS_KEY_SHARED = "businessKeyShared"  # "true": instances share the key of their case
BUSINESS_KEY_ASKED = "businessKeyAsked"  # "false": the start asks for no case number
START_PROPERTIES = (
    START_ROLES,
    START_MUNICIPALITIES,
    START_FORM,
    START_UI_FORM,
    STARTED_BY,
    START_VARIABLES,
    START_DESCRIPTION,
    START_DESCRIPTION_EN,
    BUSINESS_KEY_FROM,
    BUSINESS_KEY_SHARED,
    BUSINESS_KEY_ASKED,
)
SENDER_ROLES = "messageSenderRoles"
CONTEXT_FIELDS = "contextFields"
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # one instance data key
SERVICE = "service"  # the one value of startedBy
CATCHERS = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent", "receiveTask"})
_PROPERTY = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"


@dataclass(frozen=True)
class Declarations:
    """One process's declarations; None means "not declared"."""

    key: str
    start_roles: frozenset[str] | None = None
    start_municipalities: frozenset[str] | None = None
    start_form: str | None = None
    start_ui_form: str | None = None
    started_by_service: bool = False
    any_start_data: bool = False  # startVariables="any": no start form limits the start data
    has_none_start: bool = False  # a user can start it only at a none start event
    description: str | None = None  # one line for the start page (bokmål)
    description_en: str | None = None
    business_key_from: str | None = None  # the start data key holding the case number
    business_key_shared: bool = False  # instances carry the key of the case they belong to
    business_key_asked: bool = True  # false: its start takes no case number
    calls: frozenset[str] = frozenset()  # processes its call activities call
    message_senders: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # user task id -> the data keys it shows its participants read-only (`contextFields`)
    context_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def tokens(value: str | None) -> frozenset[str]:
    """Split a property value on commas and white space."""
    return frozenset(part for part in re.split(r"[\s,]+", value or "") if part)


def read(file: str, content: bytes) -> dict[str, Declarations]:
    """Return the declarations of every process in a BPMN file (none if it cannot be read)."""
    root = read_xml(file, content, max_bytes=2**62, max_elements=2**62).root
    if root is None:
        return {}
    messages = root.iter(_tag("message"))
    names = {str(m.get("id")): str(m.get("name") or m.get("id")) for m in messages}
    processes = root.iterfind("bpmn:process", NS)
    return {str(p.get("id")): of_process(p, names) for p in processes}


def of_process(process: etree._Element, message_names: Mapping[str, str]) -> Declarations:
    """Return what one bpmn:process declares (message ids mapped to names by `message_names`)."""
    starts = list(process.iterfind("bpmn:startEvent", NS))
    declared = [event for event in starts if properties(event, START_PROPERTIES)]
    values = properties(declared[0], START_PROPERTIES) if declared else {}
    senders: dict[str, frozenset[str]] = {}
    for element, message in message_catchers(process, message_names):
        roles = tokens(properties(element, (SENDER_ROLES,)).get(SENDER_ROLES))
        senders[message] = senders.get(message, frozenset()) | roles
    calls = {str(c.get("calledElement")) for c in process.iterfind(".//bpmn:callActivity", NS)}
    context = {
        str(task.get("id")): field_names(properties(task, (CONTEXT_FIELDS,))[CONTEXT_FIELDS])
        for task in process.iterfind(".//bpmn:userTask", NS)
        if CONTEXT_FIELDS in properties(task, (CONTEXT_FIELDS,))
    }
    key = str(process.get("id"))
    return Declarations(
        key=key,
        start_roles=tokens(values[START_ROLES]) if START_ROLES in values else None,
        start_municipalities=(
            tokens(values[START_MUNICIPALITIES]) if START_MUNICIPALITIES in values else None
        ),
        start_form=values.get(START_FORM),
        start_ui_form=values.get(START_UI_FORM),
        started_by_service=values.get(STARTED_BY) == SERVICE,
        any_start_data=values.get(START_VARIABLES) == "any",
        has_none_start=any(is_none_start(event) for event in starts),
        description=values.get(START_DESCRIPTION, "").strip() or None,
        description_en=values.get(START_DESCRIPTION_EN, "").strip() or None,
        business_key_from=values.get(BUSINESS_KEY_FROM, "").strip() or None,
        business_key_shared=values.get(BUSINESS_KEY_SHARED, "").strip() == "true",
        business_key_asked=values.get(BUSINESS_KEY_ASKED, "").strip() != "false",
        calls=frozenset(calls - {key, "None"}),
        message_senders=senders,
        context_fields=context,
    )


def field_names(value: str | None) -> tuple[str, ...]:
    """Split a `contextFields` value on white space, keeping its order, each name once."""
    return tuple(dict.fromkeys((value or "").split()))


def bad_field_names(value: str | None) -> list[str]:
    """Return the parts of a `contextFields` value that are not data keys (a comma, a dot...)."""
    return [name for name in field_names(value) if not FIELD_NAME.match(name)]


def properties(element: etree._Element, names: tuple[str, ...]) -> dict[str, str]:
    """Return the named `spiffworkflow:property` values of an element (empty ones included)."""
    found = {}
    for prop in element.iterfind(_PROPERTY, NS):
        name = prop.get("name")
        if name in names:
            found[str(name)] = str(prop.get("value") or "")
    return found


def is_none_start(event: etree._Element) -> bool:
    """Tell whether a start event has no trigger (message, timer, signal, ...)."""
    return not any(local_name(child).endswith("EventDefinition") for child in event)


def message_catchers(
    process: etree._Element, message_names: Mapping[str, str]
) -> Iterator[tuple[etree._Element, str]]:
    """Yield every element of the process that catches a message, with the message's name."""
    for element in process.iter():
        if local_name(element) not in CATCHERS:
            continue
        ref = element.get("messageRef") if local_name(element) == "receiveTask" else None
        found = element.findall("bpmn:messageEventDefinition", NS)
        if ref is not None and not found:
            yield element, message_names.get(str(ref), str(ref))
        for definition in found:  # a multiple event catches each of its messages
            name = definition.get("messageRef") or ref
            yield element, message_names.get(str(name), str(name))


def sender_roles(built: BuiltProcess, element_id: str) -> frozenset[str]:
    """Return the roles that may send the message an element of a built process catches."""
    for spec in (built.spec, *built.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == element_id:
                values = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
                return tokens(values.get(SENDER_ROLES))
    return frozenset()


def context_fields(built: BuiltProcess, element_id: str) -> tuple[str, ...]:
    """Return the `contextFields` of a user task of a built process (its called ones too)."""
    for spec in (built.spec, *built.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == element_id:
                values = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
                if CONTEXT_FIELDS in values:
                    return field_names(values[CONTEXT_FIELDS])
    return ()


def message_start_senders(built: BuiltProcess, name: str) -> frozenset[str]:
    """Return the roles that may start a built process by sending it message `name`."""
    for task_spec in built.spec.task_specs.values():
        is_start = type(task_spec).__name__.endswith("StartEvent")
        if is_start and any(
            getattr(d, "name", None) == name for d, _ in events.triggers(task_spec)
        ):
            return sender_roles(built, str(task_spec.bpmn_id))
    return frozenset()


def _tag(name: str) -> str:
    return f"{{{NS['bpmn']}}}{name}"
