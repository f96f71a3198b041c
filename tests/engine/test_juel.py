"""The JUEL subset of Camunda 7 models, translated into the sandbox's Python."""

from __future__ import annotations

import pytest

from engine.runtime.juel import Unsupported, to_python
from engine.runtime.scripting import SandboxEnvironment

DATA = {
    "approved": True,
    "amount": 1200,
    "answer": "yes",
    "empty_list": [],
    "nothing": None,
    "order": {"total": 40},
    "business_key": "K-1",
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("${approved}", True),
        ("${!approved}", False),
        ("${not approved}", False),
        ("#{approved}", True),
        ("${amount > 1000}", True),
        ("${amount >= 1200 && amount <= 1200}", True),
        ("${amount lt 1000 || amount gt 1100}", True),
        ("${amount le 5 or amount ge 5000}", False),
        ("${amount eq 1200 and answer ne 'no'}", True),
        ("${amount != 1200}", False),
        ("${nothing == null}", True),
        ("${answer != null}", True),
        ('${answer.equals("yes")}', True),
        ("${answer.equals('no')}", False),
        ("${empty empty_list}", True),
        ("${empty nothing}", True),
        ("${not empty answer}", True),
        ("${order.total < 50}", True),
        ("${execution.businessKey == 'K-1'}", True),
        ("${execution.getVariable('amount') * 2}", 2400),
        ("${(amount - 200) / 100 == 10}", True),
        ('${approved == true && answer == "yes"}', True),
        ("${approved eq false}", False),
    ],
)
def test_the_subset_runs_as_camunda_would(expression: str, expected: object) -> None:
    assert SandboxEnvironment().evaluate(to_python(expression), dict(DATA)) == expected


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("${a ? b : c}", "?:"),
        ("${x.size()}", "size()"),
        ("${myBean.check(x)}", "check()"),
        ("${amount div 2}", "div"),
        ("${execution.processDefinitionId}", "processDefinitionId"),
        ("Hello ${name}", "text around one"),
        ("${a}${b}", "composite"),
        ("${list[0]}", "[] access"),
        ("${fn:len(x)}", "name spaces"),
        ("${}", "empty"),
    ],
)
def test_what_lies_outside_the_subset_is_refused_with_a_reason(expression: str, why: str) -> None:
    with pytest.raises(Unsupported) as refused:
        to_python(expression)
    assert why in str(refused.value)
