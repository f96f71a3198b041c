"""The hiring DMN tables, row by row, run through our engine; and the recommendation rule.

Each decision is called from a one-task process (a business rule task) and evaluated by the
sandboxed script engine, exactly as `hiring` and `hiring_onboarding` call it. A coverage test
checks that the cases below hit every rule of both tables.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.runtime import instances as runtime
from engine.runtime import specs
from engine.services import forms
from engine.services.errors import FormInvalid
from tests.conftest import ROOT

HIRING = ROOT / "processes" / "hiring"
NOW = datetime.fromisoformat("2026-11-23T09:00:00+01:00")

CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="call_{decision}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

_built: dict[str, Any] = {}


def decide(decision: str, **data: Any) -> dict[str, Any]:
    """Run one decision of processes/hiring over `data`; return the instance data."""
    if decision not in _built:
        files = {
            "caller.bpmn": CALLER.format(decision=decision).encode(),
            f"{decision}.dmn": (HIRING / f"{decision}.dmn").read_bytes(),
        }
        _built[decision] = specs.parse_deployment(files).built[f"call_{decision}"]
    outcome = runtime.start(_built[decision], data, now=NOW)
    assert outcome.state == "completed"
    return outcome.data


def rule_ids(decision: str) -> set[str]:
    root = etree.parse(str(HIRING / f"{decision}.dmn")).getroot()
    return {str(rule.get("id")) for rule in root.iter("{*}rule")}


# -- hiring_authority.dmn (Løten 4.6, 2.7.2) ----------------------------------------------------

COUNCIL = "Stillings- og ansettelsesrådet i virksomheten"
HEAD_OF_AREA = "Stabssjef/plansjef/kommunalsjef for området"
AUTHORITY_CASES = [
    # position_type, rule, (authority, name, political, via board, union member, confer)
    (
        "council_appointed",
        "rule_council",
        ("municipal_council", "Kommunestyret", True, True, False, False),
    ),
    (
        "political_secretary",
        "rule_executive_board",
        ("executive_board", "Formannskapet", True, False, False, False),
    ),
    (
        "head_of_staff_planning_area",
        "rule_chief_executive",
        ("chief_municipal_executive", "Rådmannen", False, False, False, False),
    ),
    ("unit_head", "rule_head_of_area", ("head_of_area", HEAD_OF_AREA, False, False, False, True)),
    ("other", "rule_staffing_council", ("staffing_council", COUNCIL, False, False, True, False)),
    # a position type the table does not name is one of the "øvrige stillinger" (4.6)
    (
        "apprentice_post",
        "rule_staffing_council",
        ("staffing_council", COUNCIL, False, False, True, False),
    ),
]
OUTPUTS = (
    "hiring_authority",
    "hiring_authority_name",
    "is_political_body",
    "via_executive_board",
    "needs_union_member_approval",
    "must_confer_with_chief_executive",
)


@pytest.mark.parametrize(("position_type", "rule", "expected"), AUTHORITY_CASES)
def test_hiring_authority_row(position_type: str, rule: str, expected: tuple[Any, ...]) -> None:
    data = decide("hiring_authority", position_type=position_type)
    assert tuple(data[key] for key in OUTPUTS) == expected


def test_hiring_authority_has_exactly_one_row_per_case() -> None:
    """UNIQUE hit policy: the rows must not overlap, and the last one catches the rest."""
    assert {rule for _, rule, _ in AUTHORITY_CASES} == rule_ids("hiring_authority")


# -- certificates.dmn (Løten 4.6.2, hiring-procedure.md §7.3) -----------------------------------

T, P, S = "tuberculin_certificate", "police_certificate", "security_clearance"
CERTIFICATE_CASES = [
    # unit, position group, certificates in table order, rules that fire
    ("health_family", "health_care", [T, P], {"rule_tuberculin_health", "rule_police_health"}),
    ("health_family", "apprentice", [T], {"rule_tuberculin_health"}),
    (
        "kindergartens",
        "kindergarten_staff",
        [T, P],
        {"rule_tuberculin_kindergartens", "rule_police_kindergartens"},
    ),
    ("kindergartens", "apprentice", [T], {"rule_tuberculin_kindergartens"}),
    ("schools", "school_staff", [T, P], {"rule_tuberculin_schools", "rule_police_schools"}),
    ("kis", "culture_school_teacher", [T, P], {"rule_tuberculin_kis", "rule_police_kis"}),
    ("kis", "youth_club_worker", [P], {"rule_police_kis"}),
    ("kis", "slt_coordinator", [P], {"rule_police_kis"}),
    ("child_welfare", "other", [P], {"rule_police_child_welfare"}),
    ("child_welfare", "health_care", [P], {"rule_police_child_welfare"}),
    ("staff", "chief_executive", [S], {"rule_security_clearance_chief_executive"}),
    ("staff", "other", [], set()),
    ("health_family", "kindergarten_staff", [], set()),
    ("schools", "apprentice", [], set()),
]
NAMES = {T: "Tuberkulinattest", P: "Politiattest", S: "Sikkerhetsklarering"}


@pytest.mark.parametrize(("unit", "group", "expected", "rules"), CERTIFICATE_CASES)
def test_certificates_row(unit: str, group: str, expected: list[str], rules: set[str]) -> None:
    data = decide("certificates", unit=unit, position_group=group)
    assert data.get("certificate", []) == expected
    assert data.get("certificate_name", []) == [NAMES[c] for c in expected]
    confidence = {T: "medium", P: "high", S: "medium_high"}
    assert data.get("source_confidence", []) == [confidence[c] for c in expected]


def test_certificate_cases_cover_every_row() -> None:
    covered = set().union(*(rules for *_, rules in CERTIFICATE_CASES))
    assert covered == rule_ids("certificates")


def test_certificate_rows_carry_their_source() -> None:
    root = etree.parse(str(HIRING / "certificates.dmn")).getroot()
    for rule in root.iter("{*}rule"):
        description = rule.findtext("{*}description") or ""
        assert "Løten 4.6.2" in description, rule.get("id")


# -- the recommendation rule in the form (Løten 4.5.5) -------------------------------------------

RECOMMENDATION_FORM = (ROOT / "forms" / "hiring.write_recommendation.schema.json").read_bytes()


def recommendation(**fields: Any) -> dict[str, Any]:
    return {"recommendation": {"ranking_basis": "Utdanning, praksis og skikkethet.", **fields}}


@pytest.mark.parametrize(
    ("fields", "valid"),
    [
        ({"recommended": [1, 2, 3]}, True),  # one post + 2
        ({"recommended": [1, 2]}, False),  # fewer, no reason
        ({"recommended": [1, 2], "fewer_candidates_reason": "Bare to er kvalifisert."}, True),
        ({"recommended": [1], "fewer_candidates_reason": " "}, True),  # the process trims
        ({"recommended": [1], "fewer_candidates_reason": ""}, False),
        ({"recommended": [], "none_suitable": True}, True),
        ({"recommended": [1, 1, 2]}, False),  # the same applicant twice
    ],
)
def test_recommendation_form_needs_two_more_or_a_reason(
    fields: dict[str, Any], valid: bool
) -> None:
    if valid:
        forms.validate(RECOMMENDATION_FORM, recommendation(**fields), task_data=INTERVIEWED)
    else:
        with pytest.raises(FormInvalid):
            forms.validate(RECOMMENDATION_FORM, recommendation(**fields), task_data=INTERVIEWED)


# The ranking is chosen from the interviewed applicants (the task's recommendation_options).
INTERVIEWED = {
    "recommendation_options": [
        {"value": 1, "label": "1 - Anne Berg"},
        {"value": 2, "label": "2 - Bjørn Dahl"},
        {"value": 3, "label": "3 - Cecilie Eng"},
    ]
}


def test_a_ranked_applicant_outside_the_choices_is_refused_at_the_field() -> None:
    data = recommendation(recommended=[2, 7, 1])
    with pytest.raises(FormInvalid) as refused:
        forms.validate(RECOMMENDATION_FORM, data, task_data=INTERVIEWED)
    assert refused.value.errors == {
        "recommendation.recommended.1": ["Velg en av de tillatte verdiene."]
    }


def test_an_applicant_ranked_twice_is_refused_at_the_field_in_both_languages() -> None:
    data = recommendation(recommended=[1, 2, 1])
    with pytest.raises(FormInvalid) as refused:
        forms.validate(RECOMMENDATION_FORM, data, task_data=INTERVIEWED)
    assert refused.value.errors == {
        "recommendation.recommended": ["Den samme verdien er valgt mer enn én gang."]
    }
    with pytest.raises(FormInvalid) as refused:
        forms.validate(RECOMMENDATION_FORM, data, "en", task_data=INTERVIEWED)
    assert refused.value.errors == {
        "recommendation.recommended": ["The same value is chosen more than once."]
    }


def test_every_hiring_form_has_english_titles() -> None:
    for path in sorted(Path(ROOT / "forms").glob("hiring.*.schema.json")):
        schema = forms.load_schema(path.read_bytes())
        assert schema.get("x-title-en"), path.name
        for name, prop in schema["properties"].items():
            assert prop.get("x-title-en"), (path.name, name)
