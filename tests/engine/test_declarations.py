"""Who may start a process and send it messages: read from the BPMN, checked at deploy."""

from __future__ import annotations

import pytest
from lxml import etree

from engine.runtime import declarations, validation
from engine.runtime.specs import build_processes, parse_deployment
from engine.runtime.xmlsafe import NS
from engine.settings import ROOT
from tests.engine.test_specs import bpmn, rejected

FORMS = {"p.start.schema.json", "p.start.uischema.json"}
MESSAGE = (
    '<bpmn:message id="ping_id" name="ping" />\n'
    '<bpmn:correlationProperty id="case_id" name="case_id">'
    '<bpmn:correlationPropertyRetrievalExpression messageRef="ping_id">'
    "<bpmn:formalExpression>case_id</bpmn:formalExpression>"
    "</bpmn:correlationPropertyRetrievalExpression></bpmn:correlationProperty>\n"
)


def properties(**values: str) -> str:
    rows = "".join(
        f'<spiffworkflow:property name="{name}" value="{value}" />'
        for name, value in values.items()
    )
    return (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        f"{rows}</spiffworkflow:properties></bpmn:extensionElements>"
    )


def started(start: str, rest: str = "") -> bytes:
    """A process whose start event is `start` (with id `start`), then a user task and the end."""
    return bpmn(
        f"{start}\n"
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />\n'
        '<bpmn:userTask id="t" name="Oppgave" />\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" />\n'
        f'<bpmn:endEvent id="end" />\n{rest}',
        extra=MESSAGE,
    )


def start_event(**values: str) -> str:
    return f'<bpmn:startEvent id="start">{properties(**values)}</bpmn:startEvent>'


def messages(problems: list) -> list[tuple[str | None, str]]:
    return [(p.element_id, p.message) for p in problems]


def test_the_start_declarations_are_read_from_the_none_start_event() -> None:
    content = started(
        start_event(
            startRoles="hr, service_leader",
            startMunicipalities="loten",
            startFormJsonSchemaFilename="p.start.schema.json",
            startFormUiSchemaFilename="p.start.uischema.json",
        ),
        '<bpmn:intermediateCatchEvent id="wait">'
        f"{properties(messageSenderRoles='participant leader')}"
        '<bpmn:messageEventDefinition messageRef="ping_id" /></bpmn:intermediateCatchEvent>',
    )
    parse_deployment({"p.bpmn": content}, available_forms=FORMS)
    [found] = declarations.read("p.bpmn", content).values()
    assert found == declarations.Declarations(
        key="p",
        start_roles=frozenset({"hr", "service_leader"}),
        start_municipalities=frozenset({"loten"}),
        start_form="p.start.schema.json",
        start_ui_form="p.start.uischema.json",
        has_none_start=True,
        message_senders={"ping": frozenset({"participant", "leader"})},
    )


def test_the_real_processes_declare_who_starts_them() -> None:
    found = {
        key: value
        for path in sorted((ROOT / "processes").glob("*/*.bpmn"))
        for key, value in declarations.read(path.name, path.read_bytes()).items()
    }
    hiring = found["hiring"]
    assert (hiring.start_roles, hiring.start_municipalities) == (
        {"hr", "service_leader"},
        {"loten"},
    )
    assert hiring.start_form == "hiring.start.schema.json"
    assert hiring.calls == {"hiring_onboarding", "hiring_interim_cover"}
    assert hiring.message_senders == {"application_received": frozenset()}
    for key in ("assignment", "assignment_interest", "hiring_application"):
        assert found[key].started_by_service, key
    assert found["assignment"].start_roles == {"service_leader"}
    assert found["assignment"].message_senders == {"interest_registered": frozenset()}


def test_nothing_declared_reads_as_not_declared() -> None:
    content = started('<bpmn:startEvent id="start" />')
    [found] = declarations.read("p.bpmn", content).values()
    assert found == declarations.Declarations(key="p", has_none_start=True)


def test_a_process_started_only_by_a_message_has_no_none_start() -> None:
    content = started(
        '<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="ping_id" />'
        "</bpmn:startEvent>"
    )
    [found] = declarations.read("p.bpmn", content).values()
    assert found.has_none_start is False and found.message_senders == {"ping": frozenset()}


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (
            start_event(startRoles="hr chief"),
            "The startRoles of Start event 'start' names the unknown role 'chief' (roles: ",
        ),
        (start_event(startRoles=""), "The startRoles of Start event 'start' is empty."),
        (
            start_event(startedBy="anyone"),
            "The startedBy of Start event 'start' is 'anyone'; the only value is 'service'",
        ),
        (
            start_event(startFormJsonSchemaFilename="missing.schema.json"),
            "Start event 'start' uses the form file 'missing.schema.json' "
            "(startFormJsonSchemaFilename), which is missing.",
        ),
        (
            start_event(startFormUiSchemaFilename="p.start.uischema.json"),
            "Start event 'start' has a startFormUiSchemaFilename but no "
            "startFormJsonSchemaFilename",
        ),
        (
            '<bpmn:startEvent id="start">'
            f"{properties(startRoles='hr')}"
            '<bpmn:messageEventDefinition messageRef="ping_id" /></bpmn:startEvent>',
            "Start event 'start' declares startRoles; start properties belong on the "
            "process's none start event",
        ),
    ],
)
def test_bad_start_declarations_are_refused_naming_the_element(start: str, expected: str) -> None:
    found = messages(rejected({"p.bpmn": started(start)}, available_forms=FORMS))
    assert any(element == "start" and message.startswith(expected) for element, message in found), (
        found
    )


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        (
            '<bpmn:intermediateCatchEvent id="wait">'
            f"{properties(messageSenderRoles='participant mayor')}"
            '<bpmn:messageEventDefinition messageRef="ping_id" /></bpmn:intermediateCatchEvent>',
            "The messageSenderRoles of Intermediate catch event 'wait' names the unknown role "
            "'mayor'",
        ),
        (
            f'<bpmn:manualTask id="wait">{properties(messageSenderRoles="participant")}'
            "</bpmn:manualTask>",
            "Manual task 'wait' declares messageSenderRoles, but only an event or receive task "
            "that catches a message can say who may send it.",
        ),
        (
            f'<bpmn:userTask id="wait">{properties(startRoles="hr")}</bpmn:userTask>',
            "User task 'wait' declares startRoles; start properties belong on the process's "
            "none start event",
        ),
    ],
)
def test_declarations_in_the_wrong_place_are_refused(element: str, expected: str) -> None:
    found = messages(rejected({"p.bpmn": started('<bpmn:startEvent id="start" />', element)}))
    assert any(e == "wait" and message.startswith(expected) for e, message in found), found


def test_start_forms_are_collected_with_the_task_forms() -> None:
    content = started(start_event(startFormJsonSchemaFilename="p.start.schema.json"))
    parsed = parse_deployment({"p.bpmn": content}, available_forms=FORMS)
    assert "p.start.schema.json" in parsed.forms_referenced


def test_sender_roles_are_read_from_the_built_spec() -> None:
    content = started(
        start_event(startRoles="participant"),
        '<bpmn:boundaryEvent id="poke" attachedToRef="t">'
        f"{properties(messageSenderRoles='leader')}"
        '<bpmn:messageEventDefinition messageRef="ping_id" /></bpmn:boundaryEvent>'
        '<bpmn:sequenceFlow id="f3" sourceRef="poke" targetRef="poked" />'
        '<bpmn:endEvent id="poked" />',
    )
    built = build_processes({"p.bpmn": content})["p"]
    assert declarations.sender_roles(built, "poke") == {"leader"}
    assert declarations.sender_roles(built, "t") == frozenset()


def with_task(task_properties: str) -> bytes:
    """A process whose one user task `t` carries the given extension elements."""
    return bpmn(
        '<bpmn:startEvent id="start" />\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />\n'
        f'<bpmn:userTask id="t" name="Oppgave">{task_properties}</bpmn:userTask>\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" />\n'
        '<bpmn:endEvent id="end" />\n',
        extra=MESSAGE,
    )


def test_context_fields_are_read_at_deploy_and_from_the_built_spec() -> None:
    content = with_task(properties(contextFields="employee_name  announcement motivation"))
    assert declarations.read("p.bpmn", content)["p"].context_fields == {
        "t": ("employee_name", "announcement", "motivation")
    }
    built = build_processes({"p.bpmn": content})["p"]
    expected = ("employee_name", "announcement", "motivation")
    assert declarations.context_fields(built, "t") == expected
    plain = build_processes({"p.bpmn": with_task("")})["p"]
    assert declarations.context_fields(plain, "t") == ()


@pytest.mark.parametrize(
    ("content", "element", "expected"),
    [
        (
            with_task(properties(contextFields="")),
            "t",
            "The contextFields of User task 'Oppgave' (t) is empty.",
        ),
        (
            with_task(properties(contextFields="employee_name,motivation")),
            "t",
            "The contextFields of User task 'Oppgave' (t) has 'employee_name,motivation', which "
            "is not a data key",
        ),
        (
            with_task(properties(contextFields="announcement.title")),
            "t",
            "The contextFields of User task 'Oppgave' (t) has 'announcement.title'",
        ),
        (
            started(
                '<bpmn:startEvent id="start" />',
                f'<bpmn:manualTask id="wait">{properties(contextFields="motivation")}'
                "</bpmn:manualTask>",
            ),
            "wait",
            "Manual task 'wait' declares contextFields, but only a user task shows its "
            "participants read-only case data.",
        ),
    ],
)
def test_bad_context_fields_are_refused_naming_the_element(
    content: bytes, element: str, expected: str
) -> None:
    found = messages(rejected({"p.bpmn": content}))
    assert any(e == element and m.startswith(expected) for e, m in found), found


def test_a_property_declared_twice_on_one_element_is_refused_naming_it_and_its_line() -> None:
    # Only the last declaration counts (SpiffWorkflow and `declarations.properties` alike), so
    # a first one left behind says something the process does not do.
    rows = (
        '<spiffworkflow:property name="contextFields" value="position" />\n'
        '<spiffworkflow:property name="taskTitle" value="Vurder" />\n'
        '<spiffworkflow:property name="contextFields" value="position answers" />\n'
    )
    task = f"<bpmn:extensionElements><spiffworkflow:properties>\n{rows}</spiffworkflow:properties>"
    content = with_task(f"{task}</bpmn:extensionElements>")
    found = [p for p in rejected({"p.bpmn": content}) if "more than once" in p.message]
    assert len(found) == 1, found
    lines = content.decode().split("\n")
    first, last = (i + 1 for i, line in enumerate(lines) if '"contextFields"' in line)
    assert (found[0].element_id, found[0].element_name, found[0].line) == ("t", "Oppgave", last)
    assert found[0].message == (
        f"User task 'Oppgave' (t) declares contextFields more than once (lines {first} and "
        f"{last}); only the last one counts. Keep one contextFields."
    )
    parse_deployment({"p.bpmn": with_task(properties(contextFields="position answers"))})


def test_the_real_processes_declare_each_property_once() -> None:
    paths = sorted((ROOT / "processes").rglob("*.bpmn"))
    assert paths
    for path in paths:
        root = etree.fromstring(path.read_bytes())
        for process in root.iterfind("bpmn:process", NS):
            context = validation.Context(path.name, {}, frozenset(), None)
            found = validation.check_process(process, context)
            assert not [p for p in found if "more than once" in p.message], path.name


def test_every_user_task_of_both_routines_declares_its_context() -> None:
    # The routines' tasks decide on what others wrote; the leave process (built in the modeler)
    # shows the application read-only in the leader's own form, as a process owner would.
    paths = [
        *(ROOT / "processes/assignment").glob("*.bpmn"),
        *(ROOT / "processes/hiring").glob("*.bpmn"),
    ]
    assert paths
    for path in sorted(paths):
        for key, declared in declarations.read(path.name, path.read_bytes()).items():
            content = path.read_text(encoding="utf-8")
            tasks = content.count("<bpmn:userTask ")
            assert len(declared.context_fields) == tasks, (path.name, key)


def test_the_start_page_line_is_read_from_the_start_event_in_both_languages() -> None:
    content = started(
        start_event(
            startRoles="participant",
            startDescription=" Søk om noe. ",
            startDescriptionEn="Apply for something.",
        )
    )
    parse_deployment({"p.bpmn": content})  # deploy accepts the properties
    [found] = declarations.read("p.bpmn", content).values()
    assert (found.description, found.description_en) == ("Søk om noe.", "Apply for something.")
    [bare] = declarations.read("p.bpmn", started(start_event(startRoles="hr"))).values()
    assert (bare.description, bare.description_en) == (None, None)


def test_the_main_processes_describe_themselves_for_the_start_page() -> None:
    found = {
        key: value
        for path in sorted((ROOT / "processes").glob("*/*.bpmn"))
        for key, value in declarations.read(path.name, path.read_bytes()).items()
    }
    for key in ("assignment", "hiring", "leave"):
        line = found[key]
        assert line.description and line.description_en, key
        assert "\n" not in line.description and len(line.description) < 160, key
