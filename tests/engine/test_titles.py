"""A user task's title from case data (`taskTitle`): filled at run time, checked at deploy."""

from __future__ import annotations

import pytest

from engine.runtime import titles
from engine.runtime.specs import parse_deployment
from tests.engine.test_declarations import messages, properties, started, with_task
from tests.engine.test_specs import rejected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"candidate": {"name": "Kari  Nordmann\n"}}, "Intervju: Kari Nordmann"),
        ({"candidate": {"name": ""}}, None),  # nothing to name: the element's name
        ({"candidate": {}}, None),
        ({"candidate": "Kari"}, None),  # not an object
        ({}, None),
        ({"candidate": {"name": ["Kari"]}}, None),  # a list names nobody
        ({"candidate": {"name": 7}}, "Intervju: 7"),
    ],
)
def test_a_title_is_filled_from_the_task_data_or_left_to_the_name(
    data: dict[str, object], expected: str | None
) -> None:
    assert titles.render("Intervju: {candidate.name}", data) == expected


def test_a_long_title_is_cut_to_what_the_task_table_holds() -> None:
    title = titles.render("{who}", {"who": "x" * 400})
    assert title is not None and len(title) == titles.MAX_TITLE


def test_a_title_names_the_keys_it_reads() -> None:
    template = "{candidate.name} ({candidate.unit}) - {round}"
    assert titles.keys(template) == ["candidate", "round"]
    assert titles.bad_placeholders("{a b} {ok.x} {}") == ["a b", ""]


def test_a_title_whose_key_the_task_shows_is_deployed() -> None:
    content = with_task(
        properties(contextFields="candidate", taskTitle="Intervju: {candidate.name}")
    )
    assert "p" in parse_deployment({"p.bpmn": content}).processes


@pytest.mark.parametrize(
    ("content", "element", "expected"),
    [
        (
            with_task(properties(taskTitle="Intervju: {candidate.name}")),
            "t",
            "The taskTitle of User task 'Oppgave' (t) reads 'candidate', which its "
            "contextFields do not show its participants",
        ),
        (
            with_task(
                properties(contextFields="candidate", taskTitle="Intervju: {candidate name}")
            ),
            "t",
            "The taskTitle of User task 'Oppgave' (t) has '{candidate name}', which is not a "
            "data key",
        ),
        (
            with_task(properties(taskTitle=" ")),
            "t",
            "The taskTitle of User task 'Oppgave' (t) is empty.",
        ),
        (
            started(
                '<bpmn:startEvent id="start" />',
                f'<bpmn:manualTask id="wait">{properties(taskTitle="Vent")}</bpmn:manualTask>',
            ),
            "wait",
            "Manual task 'wait' declares taskTitle, but only a user task has a title.",
        ),
    ],
)
def test_a_bad_title_is_refused_at_deploy_naming_the_element(
    content: bytes, element: str, expected: str
) -> None:
    found = messages(rejected({"p.bpmn": content}))
    assert any(e == element and m.startswith(expected) for e, m in found), found
