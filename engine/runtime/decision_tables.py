"""Deploy-time checks of a DMN decision table, each problem at its row and column.

SpiffWorkflow runs a table's cells as Python: an input entry is compared with `==` unless it
starts with an operator (`< 5`, `in ("a", "b")`) or uses `?` for the input's value
(`? not in ("a", "b")`); an empty entry matches anything; an output entry is an expression. The
engine supports the hit policies UNIQUE and COLLECT. Every problem carries a message code
(`problems.dmn_*`), so the process owner reads it in bokmål or English, with row and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from engine.runtime.errors import Problem
from engine.runtime.expressions import script_problem

HIT_POLICIES = ("UNIQUE", "COLLECT")
_QUESTION = re.compile(r"\?(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # a ? outside quotes


def check_table(file: str, decision: etree._Element) -> list[Problem]:
    """Return the problems of the first decision table of a DMN decision."""
    table = decision.find("{*}decisionTable")
    if table is None:
        return []
    return list(_check(file, decision, table))


def _check(file: str, decision: etree._Element, table: etree._Element) -> Iterator[Problem]:
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    if policy not in HIT_POLICIES:
        yield _problem(file, table, "dmn_hit_policy", policy=policy)
    inputs = table.findall("{*}input")
    outputs = table.findall("{*}output")
    for column, entry in enumerate(inputs, start=1):
        text = (entry.findtext("{*}inputExpression/{*}text") or "").strip()
        label = entry.get("label") or text
        if not text:
            yield _problem(file, entry, "dmn_input_missing", column=column, label=label)
        elif script_problem(text, expression=True):
            yield _cell(file, entry, "dmn_input_invalid", 0, column, label, text)
    names = [output.get("name") or "" for output in outputs]
    for index, output in enumerate(outputs):
        column = len(inputs) + index + 1
        label = output.get("label") or output.get("name") or ""
        name = output.get("name") or ""
        if not name.isidentifier():
            yield _problem(file, output, "dmn_output_name", column=column, label=label, text=name)
        elif name in names[:index]:
            yield _problem(file, output, "dmn_output_twice", column=column, label=label, text=name)
    rules = table.findall("{*}rule")
    if not rules:
        yield _problem(file, table, "dmn_no_rules", decision=str(decision.get("id")))
    labels = [e.get("label") or "" for e in inputs] + [o.get("label") or "" for o in outputs]
    for row, rule in enumerate(rules, start=1):
        cells = [*rule.findall("{*}inputEntry"), *rule.findall("{*}outputEntry")]
        if len(cells) != len(inputs) + len(outputs):
            yield _problem(file, rule, "dmn_row_cells", row=row)
            continue
        for column, cell in enumerate(cells, start=1):
            text = (cell.findtext("{*}text") or "").strip()
            is_input = column <= len(inputs)
            if text and text != "-" and not _valid(text, is_input):
                code = "dmn_input_entry" if is_input else "dmn_output_entry"
                yield _cell(file, cell, code, row, column, labels[column - 1], text)


def _valid(text: str, is_input: bool) -> bool:
    """Say whether SpiffWorkflow can run a cell: an expression, or an operator and a value."""
    if not is_input:
        return script_problem(text, expression=True) is None
    source = _QUESTION.sub("dmninputexpr", text)
    if script_problem(source, expression=True) is None:
        return True
    return "dmninputexpr" not in source and script_problem(f"v {text}", expression=True) is None


def _cell(
    file: str, node: etree._Element, code: str, row: int, column: int, label: str, text: str
) -> Problem:
    return _problem(file, node, code, row=row, column=column, label=label, text=text)


def _problem(file: str, node: etree._Element, code: str, **values: object) -> Problem:
    pairs = tuple((k, str(v)) for k, v in values.items())
    english = f"{code.removeprefix('dmn_').replace('_', ' ')}: " + ", ".join(
        f"{k} {v}" for k, v in pairs
    )
    return Problem(file, node.get("id"), None, node.sourceline, english, code=code, values=pairs)
