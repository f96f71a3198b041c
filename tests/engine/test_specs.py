"""Deploy-time parsing and validation: every rule, asserted on the problem it reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.runtime import registry
from engine.runtime.errors import InvalidProcess, Problem
from engine.runtime.specs import build_processes, parse_deployment

FIXTURES = Path(__file__).parent / "fixtures"
FORMS = {"timer.approve.schema.json", "timer.approve.uischema.json"}
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="defs" targetNamespace="http://saksflyt.no/test">\n'
)


def bpmn(body: str, key: str = "p", executable: str | None = "true", extra: str = "") -> bytes:
    """Wrap flow elements in a process; `start` -> body -> `end` is up to the caller."""
    attribute = f' isExecutable="{executable}"' if executable is not None else ""
    process = f'<bpmn:process id="{key}" name="Prosess"{attribute}>\n{body}\n</bpmn:process>\n'
    return (HEAD + extra + process + "</bpmn:definitions>\n").encode()


def straight(task: str, key: str = "p", executable: str | None = "true") -> bytes:
    """A process start -> task (id `t`) -> end."""
    return bpmn(
        '<bpmn:startEvent id="start" />\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />\n'
        f"{task}\n"
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" />\n'
        '<bpmn:endEvent id="end" />',
        key,
        executable,
    )


def rejected(files: dict[str, bytes], **kwargs: object) -> list[Problem]:
    """Deploy `files`, expecting InvalidProcess; return its problems."""
    with pytest.raises(InvalidProcess) as caught:
        parse_deployment(files, **kwargs)  # type: ignore[arg-type]
    for found in caught.value.problems:
        assert found.file, found
        assert "0x" not in found.message and "<Element" not in found.message
    return caught.value.problems


def line_of(data: bytes, text: bytes) -> int:
    """Return the 1-based line of the first line containing `text`."""
    return next(number for number, line in enumerate(data.splitlines(), 1) if text in line)


@pytest.fixture
def operator() -> Iterator[str]:
    letters = registry.Registry()
    letters.register_operator("send_letter", lambda data, **params: None)
    with registry.use(letters):
        yield "send_letter"


def fixture(name: str) -> dict[str, bytes]:
    return {name: (FIXTURES / name).read_bytes()}


# -- files that are refused before SpiffWorkflow sees them --------------------------------------


def test_xxe_is_refused_without_reading_the_file() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + HEAD.split("\n", 1)[1].encode()
        + b'<bpmn:process id="p" name="&xxe;" isExecutable="true" /></bpmn:definitions>'
    )
    [found] = rejected({"xxe.bpmn": data})
    assert found.file == "xxe.bpmn"
    assert "entity declarations are not allowed" in found.message
    assert "root:" not in found.message


def test_billion_laughs_is_refused() -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    data = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{lol}]><d>&l9;</d>'.encode()
    [found] = rejected({"lol.bpmn": data})
    assert "entity declarations are not allowed" in found.message


def test_oversize_file_is_refused() -> None:
    [found] = rejected({"big.bpmn": straight('<bpmn:task id="t" />')}, max_bytes=200)
    assert found.file == "big.bpmn"
    assert "larger than" in found.message


def test_non_xml_is_refused_with_its_line() -> None:
    [found] = rejected({"notes.bpmn": b"<?xml version='1.0'?>\n<a>\n<b>\n</a>"})
    assert found.line == 4
    assert "not well-formed XML" in found.message


def test_xml_that_is_not_bpmn_is_refused() -> None:
    [found] = rejected({"pom.bpmn": b"<project><name>x</name></project>"})
    assert "not BPMN" in found.message and "<project>" in found.message


def test_definitions_without_process_is_refused() -> None:
    [found] = rejected({"empty.bpmn": (HEAD + "</bpmn:definitions>").encode()})
    assert found.message == "No process found in the deployment."
    assert found.file == "empty.bpmn"


def test_latin1_claiming_utf8_is_read_with_a_warning() -> None:
    data = straight('<bpmn:task id="t" name="Søknad" />').replace("ø".encode(), b"\xf8")
    deployment = parse_deployment({"latin.bpmn": data})
    assert deployment.processes["p"].runnable
    [warning] = deployment.warnings
    assert warning.severity == "warning" and "Windows-1252" in warning.message
    assert warning.line == line_of(data, b"S\xf8knad")


# -- scripts, conditions and expressions -------------------------------------------------------


def test_import_in_script_is_refused_at_its_line() -> None:
    data = straight(
        '<bpmn:scriptTask id="t" name="Beregn">\n<bpmn:script>total = 1\nimport os\n'
        "</bpmn:script>\n</bpmn:scriptTask>"
    )
    [found] = rejected({"s.bpmn": data})
    assert (found.element_id, found.element_name) == ("t", "Beregn")
    assert found.line == line_of(data, b"import os")
    assert "line 2 of the script" in found.message and "import" in found.message


def test_dunder_in_condition_is_refused() -> None:
    data = bpmn(
        '<bpmn:startEvent id="start" />\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="g" />\n'
        '<bpmn:exclusiveGateway id="g" default="f3" />\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="end">\n'
        "<bpmn:conditionExpression>x.__class__</bpmn:conditionExpression>\n</bpmn:sequenceFlow>\n"
        '<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="end" />\n<bpmn:endEvent id="end" />'
    )
    [found] = rejected({"c.bpmn": data})
    assert found.element_id == "f2"
    assert found.line == line_of(data, b"__class__")
    assert "condition" in found.message and "__class__" in found.message


def test_juel_condition_is_refused_with_a_hint() -> None:
    data = bpmn(
        '<bpmn:startEvent id="start" />\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="g" />\n'
        '<bpmn:exclusiveGateway id="g" default="f3" />\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="end">\n'
        "<bpmn:conditionExpression>${approved}</bpmn:conditionExpression>\n</bpmn:sequenceFlow>\n"
        '<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="end" />\n<bpmn:endEvent id="end" />'
    )
    [found] = rejected({"c.bpmn": data})
    assert "not valid Python" in found.message and "JUEL" in found.message


def test_pre_script_and_user_task_expression_are_checked() -> None:
    task = (
        '<bpmn:userTask id="t"><bpmn:extensionElements>\n'
        "<spiffworkflow:preScript>open('x')</spiffworkflow:preScript>\n"
        "<spiffworkflow:properties>"
        '<spiffworkflow:property name="candidateUsers" value="leader of" />'
        "</spiffworkflow:properties>\n</bpmn:extensionElements></bpmn:userTask>"
    )
    problems = rejected({"u.bpmn": straight(task)})
    messages = sorted(found.message for found in problems)
    assert all(found.element_id == "t" for found in problems)
    assert "candidateUsers" in messages[0] and "not valid Python" in messages[0]
    assert "pre-script" in messages[1] and "'open' is not available" in messages[1]


# -- timers ------------------------------------------------------------------------------------


def timer(kind: str, text: str) -> bytes:
    return straight(
        '<bpmn:intermediateCatchEvent id="t" name="Vent"><bpmn:timerEventDefinition>\n'
        f"<bpmn:{kind}>{text}</bpmn:{kind}>\n</bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    )


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("timeDuration", "PT4S"),
        ("timeDuration", '"P10D"'),
        ("timeDuration", "reminder_interval"),
        ("timeDate", "2026-12-24T12:00:00+01:00"),
        ("timeDate", "interest_deadline_at"),
        ("timeCycle", "R3/PT10M"),
        ("timeCycle", '"R/PT1H"'),
    ],
)
def test_good_timers_build(kind: str, text: str) -> None:
    deployment = parse_deployment({"t.bpmn": timer(kind, text)})
    assert deployment.processes["p"].runnable
    assert set(deployment.built) == {"p"}


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("timeDuration", "PT4X", "not a valid ISO-8601 duration"),
        ("timeDuration", '"soon"', "not a valid ISO-8601 duration"),
        ("timeDate", "2026-13-45T12:00:00", "not a valid ISO-8601 date"),
        ("timeDate", "PT4S", "not a valid ISO-8601 date"),
        ("timeCycle", "R3/PT0S", "not a valid ISO-8601 cycle"),
        ("timeDuration", "", "has no time"),
        ("timeDuration", "import os", "not valid Python"),
    ],
)
def test_bad_timers_are_refused(kind: str, text: str, expected: str) -> None:
    data = timer(kind, text)
    [found] = rejected({"t.bpmn": data})
    assert found.element_id == "t"
    assert expected in found.message
    assert found.line in {line_of(data, f"<bpmn:{kind}>".encode()), line_of(data, b"timerEvent")}


def test_timer_without_definition_text_is_refused() -> None:
    data = straight(
        '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition />'
        "</bpmn:intermediateCatchEvent>"
    )
    [found] = rejected({"t.bpmn": data})
    assert "has no time" in found.message and found.element_id == "t"


# -- service tasks, user tasks, forms and lanes ------------------------------------------------


def service(name: str, value: str = "case_id") -> str:
    return (
        '<bpmn:serviceTask id="t" name="Send brev"><bpmn:extensionElements>\n'
        f'<spiffworkflow:serviceTaskOperator id="{name}" resultVariable="sent">\n'
        "<spiffworkflow:parameters>"
        f'<spiffworkflow:parameter id="case" type="str" value="{value}" />'
        "</spiffworkflow:parameters>\n</spiffworkflow:serviceTaskOperator>\n"
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


def test_registered_service_operator_builds(operator: str) -> None:
    deployment = parse_deployment({"s.bpmn": straight(service(operator))})
    assert deployment.processes["p"].runnable


def test_unknown_service_operator_is_refused(operator: str) -> None:
    data = straight(service("launch_rockets"))
    [found] = rejected({"s.bpmn": data})
    assert (found.element_id, found.line) == ("t", line_of(data, b"<bpmn:serviceTask"))
    assert "'launch_rockets'" in found.message and "send_letter" in found.message


def test_service_parameter_expression_is_checked(operator: str) -> None:
    [found] = rejected({"s.bpmn": straight(service(operator, value="__import__('os')"))})
    assert "Parameter 'case'" in found.message and "__import__" in found.message


def test_service_task_without_operator_is_refused() -> None:
    [found] = rejected({"s.bpmn": straight('<bpmn:serviceTask id="t" />')})
    assert found.element_id == "t" and "names no operator" in found.message


def test_missing_form_is_refused_and_forms_are_collected() -> None:
    files = fixture("timer_pt4s.bpmn")
    [found] = rejected(files, available_forms={"timer.approve.schema.json"})
    assert found.element_id == "approve"
    assert "'timer.approve.uischema.json'" in found.message and "missing" in found.message
    assert found.line == line_of(files["timer_pt4s.bpmn"], b'id="approve"')
    deployment = parse_deployment(files, available_forms=FORMS)
    assert deployment.forms_referenced == FORMS


def test_lane_that_is_not_a_role_warns() -> None:
    data = bpmn(
        '<bpmn:laneSet id="ls"><bpmn:lane id="saksbehandler" name="Saksbehandler">'
        "<bpmn:flowNodeRef>t</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>\n"
        '<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" '
        'targetRef="t" />\n<bpmn:userTask id="t" />\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" /><bpmn:endEvent id="end" />'
    )
    deployment = parse_deployment({"l.bpmn": data})
    [warning] = deployment.warnings
    assert (warning.severity, warning.element_id) == ("warning", "saksbehandler")
    assert "not one of the roles" in warning.message
    assert deployment.processes["p"].runnable


def gateway(condition_on_second: bool, default: str = "") -> bytes:
    second = "<bpmn:conditionExpression>not ok</bpmn:conditionExpression>"
    return bpmn(
        '<bpmn:startEvent id="start" />\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="g" />\n'
        f'<bpmn:exclusiveGateway id="g" name="OK?" {default} />\n'
        '<bpmn:sequenceFlow id="yes" sourceRef="g" targetRef="end">'
        "<bpmn:conditionExpression>ok</bpmn:conditionExpression></bpmn:sequenceFlow>\n"
        f'<bpmn:sequenceFlow id="no" sourceRef="g" targetRef="end">'
        f"{second if condition_on_second else ''}</bpmn:sequenceFlow>\n"
        '<bpmn:endEvent id="end" />'
    )


def test_gateway_without_default_warns() -> None:
    deployment = parse_deployment({"g.bpmn": gateway(condition_on_second=True)})
    [warning] = deployment.warnings
    assert warning.element_id == "g" and "no default flow" in warning.message


def test_gateway_flow_without_condition_is_refused() -> None:
    # SpiffWorkflow cannot build it, so this is an error (the gateway also gets a warning).
    problems = rejected({"g.bpmn": gateway(condition_on_second=False)})
    assert [found.element_id for found in problems] == ["no"]
    assert "without a condition" in problems[0].message
    deployment = parse_deployment({"g.bpmn": gateway(False, default='default="no"')})
    assert deployment.processes["p"].runnable and not deployment.warnings


# -- call activities, earlier deployments, decisions -------------------------------------------


def call(called: str, key: str = "p") -> bytes:
    return straight(f'<bpmn:callActivity id="t" name="Kall" calledElement="{called}" />', key)


def test_call_activity_to_missing_process_is_refused() -> None:
    data = call("missing")
    [found] = rejected({"c.bpmn": data})
    assert (found.element_id, found.line) == ("t", line_of(data, b"callActivity"))
    assert found.message == (
        "Call activity 'Kall' (t) calls process 'missing', which is not in this deployment "
        "or deployed before."
    )


def test_call_activity_resolves_in_deployment_and_earlier_files() -> None:
    child = straight('<bpmn:task id="t" />', key="child")
    deployment = parse_deployment({"p.bpmn": call("child"), "child.bpmn": child})
    assert set(deployment.built["p"].subprocess_specs) == {"child"}
    earlier = parse_deployment({"p.bpmn": call("child")}, known_files={"child.bpmn": child})
    assert set(earlier.processes) == {"p"}
    assert set(earlier.built["p"].subprocess_specs) == {"child"}


def test_redeployed_process_wins_over_its_earlier_version() -> None:
    old = straight('<bpmn:task id="t" name="Gammel" />')
    new = straight('<bpmn:userTask id="t" name="Ny" />')
    deployment = parse_deployment({"v2.bpmn": new}, known_files={"v1.bpmn": old})
    assert deployment.built["p"].spec.task_specs["t"].bpmn_name == "Ny"


def test_self_calling_call_activity_deploys_with_a_warning() -> None:
    deployment = parse_deployment(fixture("call_self.bpmn"))
    assert deployment.processes["call_self"].runnable
    [warning] = deployment.warnings
    assert (warning.element_id, warning.line) == ("again", 6)
    assert "call_self -> call_self" in warning.message and "step budget" in warning.message


def test_call_cycle_through_another_process_warns() -> None:
    files = {"a.bpmn": call("b", key="a"), "b.bpmn": call("a", key="b")}
    deployment = parse_deployment(files)
    assert {w.message.split("(")[2].split(")")[0] for w in deployment.warnings} == {
        "a -> b -> a",
        "b -> a -> b",
    }


def test_duplicate_process_ids_are_refused() -> None:
    data = straight('<bpmn:task id="t" />')
    problems = rejected({"a.bpmn": data, "b.bpmn": data})
    assert any(p.file == "b.bpmn" and "'p' is used by two processes" in p.message for p in problems)


def rule_task(decision: str) -> str:
    return (
        '<bpmn:businessRuleTask id="t" name="Sats"><bpmn:extensionElements>'
        f"<spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>"
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )


def test_business_rule_task_uses_a_decision() -> None:
    files = {"r.bpmn": straight(rule_task("rate")), **fixture("decision.dmn")}
    deployment = parse_deployment(files)
    assert deployment.decisions == ["rate"] and deployment.processes["p"].runnable
    earlier = parse_deployment(
        {"r.bpmn": straight(rule_task("rate"))}, known_files=fixture("decision.dmn")
    )
    assert earlier.processes["p"].runnable and earlier.decisions == []


def test_missing_decision_is_refused() -> None:
    [found] = rejected({"r.bpmn": straight(rule_task("nope"))})
    assert found.element_id == "t" and "decision 'nope'" in found.message


# -- executable or not, and what SpiffWorkflow itself refuses ----------------------------------


def test_non_executable_process_is_reported_not_refused() -> None:
    deployment = parse_deployment({"m.bpmn": straight('<bpmn:task id="t" />', executable="false")})
    info = deployment.processes["p"]
    assert (info.is_executable, info.runnable) == (False, False)
    assert "marked as not executable" in info.problems[0].message
    assert deployment.built == {}


def test_process_without_is_executable_that_cannot_run_is_a_model() -> None:
    data = straight('<bpmn:serviceTask id="t" />', executable=None)
    deployment = parse_deployment({"m.bpmn": data})
    info = deployment.processes["p"]
    assert (info.is_executable, info.runnable) == (True, False)
    assert info.problems[0].element_id == "t"
    assert "no isExecutable attribute" in deployment.warnings[0].message
    assert all(w.severity == "warning" for w in deployment.warnings)


def test_process_without_is_executable_that_builds_is_runnable() -> None:
    deployment = parse_deployment({"m.bpmn": straight('<bpmn:task id="t" />', executable=None)})
    assert deployment.processes["p"].runnable and set(deployment.built) == {"p"}


def test_library_errors_are_translated_with_their_element() -> None:
    data = bpmn('<bpmn:task id="lonely" name="Alene" />')
    [found] = rejected({"n.bpmn": data})
    assert (found.element_id, found.line) == ("p", line_of(data, b"<bpmn:process"))
    assert found.message == "Process 'Prosess' (p) has no start event, so it cannot be started."


def test_undefined_message_reference_is_translated() -> None:
    data = straight(
        '<bpmn:intermediateCatchEvent id="t"><bpmn:messageEventDefinition messageRef="nope" />'
        "</bpmn:intermediateCatchEvent>"
    )
    [found] = rejected({"m.bpmn": data})
    assert found.element_id == "t" and found.line == line_of(data, b"messageRef")
    assert "refers to a message" in found.message and "Error" not in found.message


def test_data_store_is_noted_where_it_is_used_and_the_process_runs() -> None:
    extra = '<bpmn:dataStore id="ds" name="Arkiv" />\n'
    data = bpmn(
        '<bpmn:dataStoreReference id="ref" dataStoreRef="ds" />\n<bpmn:startEvent id="start" />\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />\n<bpmn:task id="t">'
        '<bpmn:dataOutputAssociation id="a"><bpmn:targetRef>ref</bpmn:targetRef>'
        "</bpmn:dataOutputAssociation></bpmn:task>\n"
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" /><bpmn:endEvent id="end" />',
        extra=extra,
    )
    deployment = parse_deployment({"d.bpmn": data})
    [found] = [w for w in deployment.warnings if w.element_id == "t"]
    assert "data store" in found.message and found.severity == "warning"
    assert deployment.processes["p"].runnable


def test_unexpected_library_failure_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser

    def explode(self: object, process_id: str, required: bool = True) -> None:
        raise KeyError("bpmn:whatever")

    monkeypatch.setattr(BpmnParser, "get_spec", explode)
    [found] = rejected({"x.bpmn": straight('<bpmn:task id="t" />')})
    assert found.file == "x.bpmn" and found.element_id == "p"
    assert "could not be read" in found.message and "KeyError" not in found.message


# -- what runs ---------------------------------------------------------------------------------


def test_valid_process_with_iso_timer_builds() -> None:
    deployment = parse_deployment(fixture("timer_pt4s.bpmn"), available_forms=FORMS)
    assert deployment.warnings == []
    built = deployment.built["timer_pt4s"]
    assert built.spec.task_specs["wait"].event_definition.expression == "PT4S"
    assert built.spec.task_specs["approve"].lane == "Leder"
    assert build_processes(fixture("timer_pt4s.bpmn"))["timer_pt4s"].spec.name == "timer_pt4s"


def test_messages_with_correlation_build() -> None:
    deployment = parse_deployment(fixture("messages.bpmn"))
    spec = deployment.built["messages"].spec
    definition = spec.task_specs["wait_answer"].event_definition
    assert definition.name == "answer"
    assert [p.retrieval_expression for p in definition.correlation_properties] == ["request_id"]


def test_bad_correlation_expression_is_refused() -> None:
    data = fixture("messages.bpmn")["messages.bpmn"].replace(
        b"<bpmn:formalExpression>request_id", b"<bpmn:formalExpression>payload.__dict__"
    )
    [found] = rejected({"messages.bpmn": data})
    assert found.element_id == "request_id" and found.line == line_of(data, b"__dict__")
    assert "retrieval expression" in found.message


def test_build_processes_skips_what_cannot_build() -> None:
    files = {"ok.bpmn": call("child"), "child.bpmn": straight('<bpmn:task id="t" />', "child")}
    files["broken.bpmn"] = bpmn('<bpmn:task id="x" />', key="broken")
    assert set(build_processes(files)) == {"p", "child"}


def test_a_surprise_in_our_own_checks_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.runtime import validation

    def explode(process: object, context: object) -> list[Problem]:
        raise IndexError("list index out of range")

    monkeypatch.setattr(validation, "check_process", explode)
    [found] = rejected({"x.bpmn": straight('<bpmn:task id="t" />')})
    assert (found.file, found.element_id) == ("x.bpmn", "p")
    assert "IndexError" not in found.message and "could not be read" in found.message


def test_library_warnings_become_deployment_warnings() -> None:
    extra = (
        '<bpmn:message id="answer" name="answer"><bpmn:extensionElements>'
        "<spiffworkflow:messageVariable>answer</spiffworkflow:messageVariable>"
        "</bpmn:extensionElements></bpmn:message>\n"
    )
    data = bpmn(
        '<bpmn:startEvent id="start" />\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />\n'
        '<bpmn:intermediateCatchEvent id="t"><bpmn:messageEventDefinition messageRef="answer" />'
        "</bpmn:intermediateCatchEvent>\n"
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" /><bpmn:endEvent id="end" />',
        extra=extra,
    )
    deployment = parse_deployment({"w.bpmn": data})
    assert deployment.processes["p"].runnable
    [warning] = deployment.warnings
    assert warning.severity == "warning" and "messageVariable" in warning.message


def test_build_processes_resolves_against_earlier_files() -> None:
    child = straight('<bpmn:task id="t" />', key="child")
    old = straight('<bpmn:task id="t" />', key="p")
    built = build_processes(
        {"p2.bpmn": call("child")}, known_files={"c.bpmn": child, "p.bpmn": old}
    )
    assert set(built["p"].subprocess_specs) == {"child"}
    assert "t" in built["p"].spec.task_specs and built["p"].spec.file == "p2.bpmn"


def test_self_calling_process_is_stopped_by_a_step_budget() -> None:
    """ENGINE-NOTES 11: it would run forever; the built spec runs until the budget is spent."""
    from SpiffWorkflow.bpmn import BpmnWorkflow

    from engine.runtime.scripting import SCRIPT_ENGINE

    built = parse_deployment(fixture("call_self.bpmn")).built["call_self"]
    workflow = BpmnWorkflow(built.spec, built.subprocess_specs, script_engine=SCRIPT_ENGINE)
    steps: list[str] = []

    def count(task: object) -> None:
        steps.append("step")
        if len(steps) > 50:
            raise OverflowError("budget")

    with pytest.raises(OverflowError):
        workflow.do_engine_steps(will_complete_task=count)
