"""The rules for storable values, and a run that would store a message value breaking them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.runtime import instances as runtime
from engine.runtime import values
from engine.runtime.errors import ScriptFailed
from engine.runtime.specs import parse_deployment
from engine.runtime.values import Refused

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime.fromisoformat("2026-11-23T09:00:00+01:00")


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "where", "code"),
    [
        ({"a": [1, "ok", None, True, 2.5, {"b": "æøå😀"}]}, None, None),
        ({"a": float("nan")}, "a", "not_finite"),
        ({"a": [float("-inf")]}, "a.0", "not_finite"),
        ({"a": 10**100}, "a", "number_too_long"),
        ({"a": 10**100 - 1}, None, None),
        ({"a": "x\x00"}, "a", "nul"),
        ({"a\x00": 1}, "a\x00", "nul"),
        ({"a": "\udc00"}, "a", "surrogate"),
        ({"a": "x" * values.MAX_TEXT_CHARS}, None, None),
        ({"a": "x" * (values.MAX_TEXT_CHARS + 1)}, "a", "text_too_long"),
        (_nested(values.MAX_DEPTH), None, None),
        (_nested(values.MAX_DEPTH + 1), "0" + ".0" * (values.MAX_DEPTH - 1), "nested_too_deep"),
        ({"a": b"x"}, "a", "not_json"),
        ({(1, 2): 1}, "(1, 2)", "not_json"),
        ({"a": Refused("not_finite")}, "a", "not_finite"),
    ],
)
def test_rules(value: Any, where: str | None, code: str | None) -> None:
    found = values.first_unstorable(value)
    assert (found.where if found else None, found.code if found else None) == (where, code)


def test_the_size_limit_counts_the_whole_value() -> None:
    value = {"a": "x" * 600, "b": ["y" * 600]}
    assert values.first_unstorable(value, max_bytes=2_000) is None
    found = values.first_unstorable(value, max_bytes=1_000)
    assert found is not None and (found.code, found.limit) == ("too_large", 1_000)


def _messages(expression: str) -> Any:
    data = (FIXTURES / "messages.bpmn").read_bytes()
    data = data.replace(
        b"<bpmn:formalExpression>request_id", f"<bpmn:formalExpression>{expression}".encode()
    )
    data = data.replace(b'request_id = "r-1"', b"request_id = 1")
    return parse_deployment({"messages.bpmn": data}).built["messages"]


def test_a_correlation_that_cannot_be_stored_fails_the_step() -> None:
    built = _messages("request_id * 1e308 * 10")
    with pytest.raises(ScriptFailed) as caught:
        runtime.start(built, {}, now=NOW)
    assert caught.value.element_id == "wait_answer"
    assert "the correlation 'request_id' of 'answer' cannot be stored: the number is NaN" in str(
        caught.value
    )
    assert runtime.start(_messages("request_id * 10"), {}, now=NOW).state == "running"


THROWER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:message id="note" name="note" />
  <bpmn:process id="thrower" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:intermediateThrowEvent id="send" name="Send">
      <bpmn:messageEventDefinition messageRef="note">
        <bpmn:extensionElements>
          <spiffworkflow:messagePayload>{payload}</spiffworkflow:messagePayload>
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send" />
    <bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_thrown_message_that_cannot_be_stored_fails_the_step() -> None:
    def thrower(payload: str) -> Any:
        files = {"thrower.bpmn": THROWER.format(payload=payload).encode()}
        return parse_deployment(files).built["thrower"]

    with pytest.raises(ScriptFailed) as caught:
        runtime.start(thrower('{"x": [1e308 * 10]}'), {}, now=NOW)
    assert str(caught.value).startswith(
        "Script failed: the message 'note' carries 'x.0' a value that cannot be stored: the number"
    )
    [message] = runtime.start(thrower('{"x": [1e308]}'), {}, now=NOW).thrown
    assert message.payload == {"x": [1e308]}
