"""SpiffArena's script conventions in the sandbox (issue 19): `*args`/`**kwargs`, `datetime`,
`time` and `timedelta` on the engine clock, the helper functions, and failures that say what
went wrong once, without the sandbox's internals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from engine.runtime import instances, registry, spiffarena
from engine.runtime.errors import InvalidProcess, ScriptFailed
from engine.runtime.specs import parse_deployment
from tests.conftest import fixture_files

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def helpers() -> Iterator[None]:
    """A registry with SpiffArena's helpers, as a wiring registers them."""
    functions = registry.Registry()
    spiffarena.register(functions, env="test", public_url="https://saksflyt.example.no/")
    with registry.use(functions):
        yield


def _script_process(script: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="http://saksflyt.no/test">
  <bpmn:process id="calc" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:scriptTask id="compute" name="Regn ut">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def _run(script: str, data: dict[str, object] | None = None) -> dict[str, object]:
    built = parse_deployment({"calc.bpmn": _script_process(script)}).built["calc"]
    return instances.start(built, data or {}, now=NOW).data


def test_a_spiffarena_script_runs_with_its_helpers_on_the_engine_clock() -> None:
    built = parse_deployment(fixture_files("arena_script.bpmn")).built["arena_script"]
    with spiffarena.acting("kari"):
        outcome = instances.start(built, {}, now=NOW)
    data = outcome.data
    [review] = outcome.ready_tasks
    assert (data["largest"], data["copied"]) == (9, {"default": 0})
    assert data["stamp"] == "2026-11-23 10:30"  # Oslo's wall time at the engine's now
    assert (data["today_text"], data["week_later"]) == ("2026-11-23", "2026-11-30")
    assert data["seconds"] == int(NOW.timestamp())
    assert (data["environment"], data["requester"]) == ("test", "kari")
    assert data["review_url"] == f"https://saksflyt.example.no/tasks/{review.id}"
    assert "time" not in data and "date" not in data  # imported names are not task data


def test_print_json_and_item_augmented_assignment_work_as_in_spiffarena() -> None:
    script = (
        'print("counting")\ncounts = {"a": 1, "l": [1, 2]}\ncounts["a"] += 2\n'
        'counts["l"][0] *= 5\ntext = json.dumps(counts, sort_keys=True)\n'
        "back = json.loads(text)"
    )
    data = _run(script)
    assert data["counts"] == {"a": 3, "l": [5, 2]} == data["back"]
    assert data["text"] == '{"a": 3, "l": [5, 2]}'
    assert "printed" not in data


def test_a_step_the_engine_runs_has_no_current_user() -> None:
    with spiffarena.acting("system:timer"):
        assert _run("user = get_current_user()")["user"] is None


def test_task_data_may_use_the_names_time_and_datetime() -> None:
    assert _run("later = time + 1", {"time": 4})["later"] == 5


def test_only_datetime_and_time_may_be_imported() -> None:
    with pytest.raises(InvalidProcess) as refused:
        _run("import os")
    [found] = refused.value.problems
    assert found.element_id == "compute" and "import statements are not allowed" in found.message


def test_a_failed_script_says_did_you_mean_once_and_names_its_line() -> None:
    with pytest.raises(ScriptFailed) as failed:
        _run("x = 1\ntotal = amount_x + x", {"amount_y": 2})
    assert failed.value.line == 2
    assert str(failed.value).count("Did you mean") == 1
    assert "amount_y" in str(failed.value) and "()" not in str(failed.value)


def test_no_sandbox_internals_reach_the_message() -> None:
    with pytest.raises(ScriptFailed) as failed:
        _run("values = [1]\nx = undefined_function(*values)")
    assert "_apply_" not in str(failed.value) and "undefined_function" in str(failed.value)


def test_a_failed_condition_says_what_is_missing_and_suggests_once() -> None:
    model = _script_process("x = 1").replace(
        b'<bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="end" />',
        b'<bpmn:exclusiveGateway id="big" name="Stor nok?" default="f3" />'
        b'<bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="big" />'
        b'<bpmn:sequenceFlow id="f4" sourceRef="big" targetRef="end">'
        b"<bpmn:conditionExpression>amount_x &gt; 1</bpmn:conditionExpression>"
        b"</bpmn:sequenceFlow>"
        b'<bpmn:sequenceFlow id="f3" sourceRef="big" targetRef="end" />',
    )
    built = parse_deployment({"calc.bpmn": model}).built["calc"]
    with pytest.raises(ScriptFailed) as failed:
        instances.start(built, {"amount": 2}, now=NOW)
    message = str(failed.value)
    assert failed.value.element_id == "big"
    assert "name 'amount_x' is not defined" in message and message.count("Did you mean") == 1
