"""A rule that refuses a valid form answers at once, at its field, and keeps nothing (issue 17 §4).

Before, the task was "completed", the check sent it back under a new id with `<task>_errors`
in the data, and the page said "Oppgaven er fullført".
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from engine.services import refusals, tasks
from engine.services.errors import RuleRefused
from tests.conftest import ROOT, user
from tests.processes.test_hiring_deadlines import BLOCKED, clock_to, play
from tests.processes.test_hiring_deadlines import player as hiring_player
from tests.processes.test_scenarios import Player

player = hiring_player  # the fixture: the hiring processes and forms deployed

OLD_POLICE_CERTIFICATE = [
    {
        "type": "tuberculin_certificate",
        "issued_on": "2026-11-20",
        "presented_on": "2026-11-23",
        "seen": True,
        "handling": "seen_and_destroyed",
    },
    {
        "type": "police_certificate",
        "issued_on": "2026-10-31",  # the start is 1 February 2027: a day too old
        "presented_on": "2026-11-23",
        "seen": True,
        "handling": "seen_and_destroyed",
    },
]


def _complete(player: Player, element_id: str, data: dict[str, Any], locale: str) -> None:
    [task] = [t for t in player.open_tasks("h") if t.element_id == element_id]
    tasks.complete_task(
        player.wiring.new_uow(),
        task.id,
        data,
        actor=user(player.wiring, "vl.loten"),
        now=player.now,
        locale=locale,
    )


def test_a_police_certificate_too_old_is_refused_at_its_field_and_nothing_is_kept(
    player: Player,
) -> None:
    play(player, BLOCKED, clock_to("2027-02-01T00:00:01+01:00"))
    [before] = player.open_tasks("h")
    with player.wiring.new_uow() as uow:
        seq = uow.instances.get(player.aliases["h"]).history_seq
    data = {"certificates": OLD_POLICE_CERTIFICATE}
    with pytest.raises(RuleRefused) as refused:
        _complete(player, "record_certificates", data, "nb")
    assert refused.value.codes == ["police_certificate_too_old"]
    assert refused.value.errors == {
        "certificates": ["Politiattesten er eldre enn 3 måneder før tiltredelsen (Løten 4.6.2)."]
    }
    [after] = player.open_tasks("h")
    assert after.id == before.id  # the same task, still open: nothing was completed
    with player.wiring.new_uow() as uow:
        assert uow.instances.get(player.aliases["h"]).history_seq == seq
    with pytest.raises(RuleRefused) as english:
        _complete(player, "record_certificates", data, "en")
    assert english.value.errors["certificates"][0].startswith("The police certificate is older")


def test_an_undecided_exemption_request_is_refused_at_the_decisions(player: Player) -> None:
    play(player, "happy_path", lambda step: step.get("complete") == "prepare_applicant_list")
    [task] = [t for t in player.open_tasks("h") if t.element_id == "prepare_applicant_list"]
    with pytest.raises(RuleRefused) as refused:
        tasks.complete_task(
            player.wiring.new_uow(),
            task.id,
            {"exemption_decisions": []},
            actor=user(player.wiring, "hr.loten"),
            now=player.now,
        )
    assert refused.value.codes == ["exemption_request_not_decided"]
    assert list(refused.value.errors) == ["exemption_decisions"]


def test_every_check_code_of_the_routines_has_a_message_in_its_form() -> None:
    """Each `<task>_errors` code a check script can set is declared in the task's form."""
    for process, script_codes in _codes_by_task().items():
        for element_id, codes in script_codes.items():
            form = f"{process}.{element_id}.schema.json"
            content = (ROOT / "forms" / form).read_bytes()
            messages = refusals.messages(content, codes, "nb")
            assert "_form" not in messages, (form, codes)
            declared = json.loads(content)[refusals.KEYWORD]
            for code in codes:
                assert declared[code]["x-message-en"], (form, code)


def _codes_by_task() -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    for bpmn in (ROOT / "processes").glob("*/*.bpmn"):
        text = html.unescape(bpmn.read_text("utf-8"))
        routine = bpmn.parent.name
        for script in re.findall(r"<bpmn:script>(.*?)</bpmn:script>", text, re.S):
            for element_id, body in re.findall(r"(\w+)_errors = (\[[^\]]*\]|errors)", script):
                codes = re.findall(r'"([a-z_0-9]+)"', body) + re.findall(
                    r'errors \+ \["([a-z_0-9]+)"\]', script
                )
                if codes:
                    found.setdefault(routine, {}).setdefault(element_id, []).extend(codes)
    assert found["hiring"]["record_certificates"], found
    return found


def test_a_code_the_form_does_not_declare_gets_a_general_message() -> None:
    assert refusals.messages(None, ["x"], "nb") == {
        "_form": ["Innsendingen oppfyller ikke en regel i prosessen. Kontroller opplysningene."]
    }


def test_the_hiring_guidance_names_no_data_keys() -> None:
    """Issue 17: instructions said «Feilkoder står i decide_hiring_errors» and the like."""
    for bpmn in (ROOT / "processes" / "hiring").glob("*.bpmn"):
        text = html.unescape(bpmn.read_text("utf-8"))
        pattern = (
            r"<spiffworkflow:instructionsForEndUser>(.*?)</spiffworkflow:instructionsForEndUser>"
        )
        for guidance in re.findall(pattern, text, re.S):
            assert not re.findall(r"\b[a-z]+_[a-z_]+\b", guidance), (bpmn.name, guidance)
