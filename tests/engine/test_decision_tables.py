"""A decision table is checked at deploy cell by cell, each problem at its row and column."""

from __future__ import annotations

import pytest
from lxml import etree

from engine.runtime.decision_tables import check_table
from engine.runtime.errors import InvalidProcess
from engine.runtime.specs import parse_deployment
from engine.settings import ROOT

LEAVE_RULES = (ROOT / "processes" / "leave" / "leave_rules.dmn").read_bytes()


def _decision(content: bytes) -> etree._Element:
    decision = etree.fromstring(content).find("{*}decision")
    assert decision is not None
    return decision


def _found(content: bytes) -> list[tuple[str | None, dict[str, str]]]:
    return [(p.code, dict(p.values)) for p in check_table("t.dmn", _decision(content))]


def test_the_leave_rules_table_has_no_problems() -> None:
    assert check_table("leave_rules.dmn", _decision(LEAVE_RULES)) == []


def test_a_broken_input_and_output_cell_are_named_by_row_and_column() -> None:
    broken = LEAVE_RULES.replace(b'<text>"5.7.5"</text>', b'<text>"5.7.5</text>').replace(
        b'<text>"not_granted"</text>', b'<text>"not granted</text>'
    )
    found = check_table("leave_rules.dmn", _decision(broken))
    assert [(p.code, dict(p.values)) for p in found] == [
        (
            "dmn_input_entry",
            {"row": "2", "column": "1", "label": "Permisjonsgrunn", "text": '"5.7.5'},
        ),
        ("dmn_output_entry", {"row": "3", "column": "2", "label": "Lønn", "text": '"not granted'}),
    ]
    assert found[0].element_id == "rule_union_unpaid_in_0"
    assert found[0].to_dict()["row"] == 2 and found[0].to_dict()["column"] == 1


def test_operators_question_marks_and_empty_cells_are_conditions() -> None:
    for text in (b"&lt; 10", b'in ("a", "b")', b'? not in ("a",)', b"", b"-", b"1 &lt; ? &lt; 5"):
        table = LEAVE_RULES.replace(b'<text>"5.2.3"</text>', b"<text>" + text + b"</text>")
        assert _found(table) == [], text


def test_hit_policy_output_names_and_rules() -> None:
    first = LEAVE_RULES.replace(b'hitPolicy="UNIQUE"', b'hitPolicy="FIRST"')
    assert _found(first) == [("dmn_hit_policy", {"policy": "FIRST"})]
    spaced = LEAVE_RULES.replace(b'name="max_days"', b'name="max days"')
    assert _found(spaced)[0][0] == "dmn_output_name"
    twice = LEAVE_RULES.replace(b'name="max_days"', b'name="pay_status"')
    assert _found(twice) == [
        (
            "dmn_output_twice",
            {"column": "3", "label": "Lengste varighet (dager)", "text": "pay_status"},
        )
    ]
    root = etree.fromstring(LEAVE_RULES)
    for rule in root.iterfind(".//{*}rule"):
        rule.getparent().remove(rule)
    assert _found(etree.tostring(root)) == [("dmn_no_rules", {"decision": "leave_rules"})]


def test_deploy_refuses_a_table_with_a_broken_cell() -> None:
    broken = LEAVE_RULES.replace(b'<text>"5.7.5"</text>', b'<text>"5.7.5</text>')
    with pytest.raises(InvalidProcess) as refused:
        parse_deployment({"leave_rules.dmn": broken})
    assert [p.code for p in refused.value.problems if p.file == "leave_rules.dmn"] == [
        "dmn_input_entry"
    ]
