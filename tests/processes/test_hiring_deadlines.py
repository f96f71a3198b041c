"""Every deadline of hiring-procedure.md §8 at its boundary: the day before, the day, the day after.

The hiring processes run through the services (SQLite and PostgreSQL) on the engine clock: the
Player of test_scenarios moves `now` and fires due timers, nothing sleeps. Each test plays a
scenario of processes/hiring/scenarios.json up to the point it needs, then walks the clock over
the boundary. Moments are a second past midnight or a minute before it: a timer due exactly
`now` is not fired by SpiffWorkflow (it compares with `<`), see processes/hiring/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.rules.deadlines import notice_period_end
from engine.runtime import instances as runtime
from engine.services import definitions, process_settings
from engine.services.wiring import Wiring
from tests.conftest import ROOT
from tests.processes.test_scenarios import Player

SCENARIOS = {
    s["name"]: s
    for s in json.loads((ROOT / "processes" / "hiring" / "scenarios.json").read_text("utf-8"))[
        "scenarios"
    ]
}
Step = dict[str, Any]
Modify = Callable[[dict[str, Any]], None]


@pytest.fixture
def player(demo: Wiring) -> Player:
    """The demo organisation with only the hiring processes and forms deployed (faster)."""
    files = {
        path.name: path.read_bytes()
        for path in [*(ROOT / "processes" / "hiring").iterdir(), *(ROOT / "forms").glob("hiring.*")]
        if path.suffix in (".bpmn", ".dmn", ".json") and path.name != "scenarios.json"
    }
    now = datetime.fromisoformat("2026-11-01T00:00:00+01:00")
    definitions.deploy(demo.new_uow(), files, actor="test", now=now)
    return Player(demo)


def play(
    player: Player,
    name: str,
    until: Callable[[Step], bool],
    modify: Modify | None = None,
    alias: str = "h",
) -> None:
    """Play a scenario's instance `h` as `alias` (its case number `<number>-<alias>`) up to the
    first step `until` accepts.

    With `modify`, the scenario's data is changed first and its expectations are skipped.
    """
    text = json.dumps(SCENARIOS[name]).replace('"h"', json.dumps(alias))
    key = SCENARIOS[name]["start"].get("business_key")
    if key and alias != "h":  # a case number names one case: each further case gets its own
        text = text.replace(json.dumps(key), json.dumps(f"{key}-{alias}"))
    scenario = json.loads(text)
    if modify is not None:
        modify(scenario)
    player.start(scenario["start"])
    for step in scenario["steps"]:
        if until(step):
            return
        if modify is None or "expect" not in step:
            player.play(step)
    raise AssertionError(f"{name} has no such step")


def completes(task: str) -> Callable[[Step], bool]:
    return lambda step: step.get("complete", step.get("complete_each")) == task


def clock_to(moment: str) -> Callable[[Step], bool]:
    return lambda step: step.get("advance_clock_to") == moment


def step_of(scenario: dict[str, Any], task: str) -> Step:
    return next(s for s in scenario["steps"] if s.get("complete") == task)


def ready(player: Player, alias: str = "h") -> list[str]:
    return sorted(t.element_id for t in player.open_tasks(alias))


def data(player: Player, alias: str = "h") -> dict[str, Any]:
    """The instance's data, with the `<task>_errors` of its last refused or accepted forms."""
    with player.wiring.new_uow() as uow:
        return {**uow.instances.get(player.aliases[alias]).data, **player.errors(alias)}


def state(player: Player, alias: str = "h") -> str:
    with player.wiring.new_uow() as uow:
        return str(uow.instances.get(player.aliases[alias]).state)


def onboarding(player: Player, alias: str = "h") -> Iterator[Any]:
    """Yield the running hiring_onboarding subprocesses (their data is not in instance.data)."""
    with player.wiring.new_uow() as uow:
        instance = uow.instances.get(player.aliases[alias])
        built = definitions.built(uow, uow.definitions.get(instance.definition_id))
    workflow = runtime.restore(built, instance.snapshot)
    yield from (s for s in workflow.subprocesses.values() if s.spec.name == "hiring_onboarding")


def onboarding_task_data(player: Player, element_id: str, alias: str = "h") -> dict[str, Any]:
    for sub in onboarding(player, alias):
        for task in sub.get_tasks(state=TaskState.READY):
            if task.task_spec.bpmn_id == element_id:
                return dict(task.data)
    raise AssertionError(f"{element_id} is not ready")


def onboarding_outbox(player: Player) -> list[dict[str, Any]]:
    (sub,) = list(onboarding(player))
    return list(sub.data["data_objects"]["onboarding_outbox"] or [])


def apply(player: Player, alias: str, name: str) -> None:
    player.start(
        {
            "process": "hiring_application",
            "as": alias,
            "started_by": "hr.loten",
            "data": {
                "vacancy_id": "LOTEN-2026-017",
                "name": name,
                "email": f"{alias}@example.no",
            },
        }
    )


# -- D-01 vacancy assessment: no time limit, in writing (Løten 4.3) ------------------------------


def test_d01_vacancy_assessment_has_no_time_limit(player: Player) -> None:
    play(player, "happy_path", completes("assess_vacancy"))
    (task,) = player.open_tasks("h")
    assert task.element_id == "assess_vacancy" and task.due_at is None
    player.advance("2027-11-23T09:00:00+01:00")  # a year later, nothing has fired
    assert ready(player) == ["assess_vacancy"]


# -- D-02 application deadline: published + 21 days, 23:59:59 (Løten 4.5.2, H-AMB-01) ------------


def test_d02_application_deadline_is_three_weeks_after_publication(player: Player) -> None:
    play(player, "happy_path", lambda step: "start" in step)
    assert data(player)["application_deadline_on"] == "2026-12-14"
    player.advance("2026-12-13T12:00:00+01:00")  # the day before
    apply(player, "a1", "Dagen før")
    player.advance("2026-12-14T23:59:00+01:00")  # the day, one minute before it ends
    apply(player, "a2", "Samme dag")
    assert data(player)["status"] == "collecting"
    assert [a["late"] for a in data(player)["applications"]] == [False, False]
    player.advance("2026-12-15T00:00:01+01:00")  # the day after
    assert data(player)["status"] == "closed" and ready(player) == ["prepare_applicant_list"]
    apply(player, "a3", "Dagen etter")
    assert [a["late"] for a in data(player)["applications"]] == [False, False, True]
    assert data(player)["applications"][-1]["late_decision"] == "pending"


def test_d02_application_period_is_configurable(player: Player) -> None:
    def fourteen_days(scenario: dict[str, Any]) -> None:
        scenario["start"]["data"]["application_period_days"] = 14

    play(player, "happy_path", lambda step: "start" in step, fourteen_days)
    assert data(player)["application_deadline_on"] == "2026-12-07"
    player.advance("2026-12-07T23:59:00+01:00")
    assert data(player)["status"] == "collecting"
    player.advance("2026-12-08T00:00:01+01:00")
    assert data(player)["status"] == "closed"


def test_d02_application_period_comes_from_the_process_settings(
    player: Player, tmp_path: Path
) -> None:
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text("hiring:\n  application_period_days: 28\n", encoding="utf-8")
    process_settings.configure(player.wiring.configuration, process_settings.load(settings_file))
    try:  # the scenario's own expectations are for 21 days: skip them (any `modify` does)
        play(player, "happy_path", lambda step: "start" in step, lambda scenario: None)
    finally:
        process_settings.configure(
            player.wiring.configuration,
            process_settings.load(ROOT / "processes" / "settings.yaml"),
        )
    assert data(player)["application_deadline_on"] == "2026-12-21"  # 23 Nov + 28 days


def test_d02_hiring_authority_may_set_another_deadline_but_not_today(player: Player) -> None:
    def deadline_today(scenario: dict[str, Any]) -> None:
        announcement = step_of(scenario, "settle_procedure")["data"]["announcement"]
        announcement["application_deadline_on"] = "2026-11-23"
        announcement["deadline_reason"] = "Særlige forhold."

    play(player, "happy_path", lambda step: "start" in step, deadline_today)
    assert ready(player) == ["settle_procedure"]
    assert data(player)["settle_procedure_errors"] == ["application_deadline_must_be_after_today"]


# -- D-03 late applications: only if the hiring authority accepts them (Løten 4.5.2) ------------


def test_d03_late_application_waits_for_the_hiring_authority(player: Player) -> None:
    play(player, "happy_path", completes("shortlist_candidates"))
    invited = [
        {"applicant_no": 1, "interview_at": "2027-01-05T09:00:00+01:00"},
        {"applicant_no": 2, "interview_at": "2027-01-05T10:00:00+01:00"},
    ]
    shortlist: dict[str, Any] = {"late_decisions": [], "qualified": [1, 2], "shortlist": invited}
    player.complete("h", "shortlist_candidates", "vl.loten", shortlist)
    assert data(player)["shortlist_candidates_errors"] == ["late_application_not_decided"]
    shortlist["late_decisions"] = [{"applicant_no": 4, "accepted": False}]
    shortlist["qualified"] = [1, 2, 4]
    player.complete("h", "shortlist_candidates", "vl.loten", shortlist)
    assert data(player)["shortlist_candidates_errors"] == [
        "qualified_must_be_a_considered_applicant"
    ]
    shortlist["qualified"] = [1, 2]
    player.complete("h", "shortlist_candidates", "vl.loten", shortlist)
    assert data(player)["applications"][3]["late_decision"] == "refused"
    refused = [n for n in data(player)["notifications"] if n["type"] == "late_application_refused"]
    assert refused == [
        {
            "type": "late_application_refused",
            "to_email": "david.fjell@example.no",
            "applicant_no": 4,
        }
    ]


# -- D-04 confirmation of receipt: on receipt, before the deadline (Løten 4.5.3, H-AMB-02) ------


def test_d04_receipt_is_confirmed_when_the_application_arrives(player: Player) -> None:
    play(player, "happy_path", lambda step: "start" in step)
    player.advance("2026-11-24T10:00:00+01:00")
    apply(player, "a1", "Kari Nordmann")
    receipts = [n for n in data(player)["notifications"] if n["type"] == "application_receipt"]
    assert receipts == [
        {
            "type": "application_receipt",
            "to_email": "a1@example.no",
            "applicant_no": 1,
            "vacancy_id": "LOTEN-2026-017",
            "late": False,
        }
    ]
    assert data(player)["applications"][0]["received_at"] == "2026-11-24T10:00:00+01:00"


# -- D-05 hiring date fixed before the announcement (Løten 4.5.1, H-AMB-19) ---------------------


def test_d05_planned_start_is_not_before_the_planned_decision(player: Player) -> None:
    def planned(start: str) -> Modify:
        def change(scenario: dict[str, Any]) -> None:
            procedure = step_of(scenario, "settle_procedure")["data"]["procedure"]
            procedure["planned_decision_date"] = "2027-01-08"
            procedure["planned_start_date"] = start

        return change

    play(player, "happy_path", lambda step: "start" in step, planned("2027-01-07"), "day_before")
    assert data(player, "day_before")["settle_procedure_errors"] == [
        "planned_start_before_planned_decision"
    ]
    # corrected to the scenario's own dates (decision 8 January, start 1 February), it passes
    player.play({**step_of(SCENARIOS["happy_path"], "settle_procedure"), "instance": "day_before"})
    play(player, "happy_path", lambda step: "start" in step, planned("2027-01-08"), "the_day")
    play(player, "happy_path", lambda step: "start" in step, planned("2027-01-09"), "day_after")
    for alias in ("day_before", "the_day", "day_after"):
        assert data(player, alias)["settle_procedure_errors"] == []
        assert data(player, alias)["status"] == "collecting"


# -- D-06 the offer goes out immediately; D-07 answer within 10 days from the print date --------
# The short scenario: filled without announcement, decided and offered on 23 November 2026.

BLOCKED = "missing_certificate_blocks_start"


def test_d06_d07_offer_is_printed_at_once_and_lapses_after_ten_days(player: Player) -> None:
    play(player, BLOCKED, completes("record_offer_answer"))
    offer = data(player)
    assert offer["decision"]["outcome"] == "appoint" and offer["status"] == "offer_sent"
    assert offer["offer_printed_on"] == "2026-11-23"  # the day the decision was made (D-06)
    assert offer["offer_answer_deadline_on"] == "2026-12-02"  # 23rd + 9 days: the 23rd is day 1
    player.advance("2026-12-01T12:00:00+01:00")  # the day before
    assert ready(player) == ["record_offer_answer"]
    player.advance("2026-12-02T23:59:00+01:00")  # the last day
    assert ready(player) == ["record_offer_answer"]
    player.advance("2026-12-03T00:00:01+01:00")  # the day after
    assert ready(player) == ["decide_next_step"]
    assert data(player)["status"] == "offer_expired" and data(player)["remaining_candidates"] == []


def test_d07_another_answer_deadline_is_not_before_the_print_date(player: Player) -> None:
    def deadline(day: str) -> Modify:
        def change(scenario: dict[str, Any]) -> None:
            decision = step_of(scenario, "decide_hiring")["data"]["decision"]
            decision["offer_answer_deadline_on"] = day
            decision["offer_deadline_reason"] = "Kandidaten er på reise."

        return change

    approve = step_of(SCENARIOS[BLOCKED], "approve_council_decision")
    # printed on 23 November 2026: the day before is refused, the day and the day after are fine
    play(player, BLOCKED, completes("approve_council_decision"), deadline("2026-11-22"), "before")
    assert data(player, "before")["decide_hiring_errors"] == ["offer_deadline_before_print_date"]
    for alias, day in (("the_day", "2026-11-23"), ("after", "2026-11-24")):
        play(player, BLOCKED, completes("approve_council_decision"), deadline(day), alias)
        assert data(player, alias)["decide_hiring_errors"] == []
        player.play({**approve, "instance": alias})
        assert data(player, alias)["offer_answer_deadline_at"] == f"{day}T23:59:59+01:00"


def test_d07_answer_period_is_configurable(player: Player) -> None:
    def five_days(scenario: dict[str, Any]) -> None:
        scenario["start"]["data"]["offer_answer_days"] = 5

    play(player, BLOCKED, completes("record_offer_answer"), five_days)
    assert data(player)["offer_answer_deadline_on"] == "2026-11-27"


# -- D-08 probation 6 months; D-10 reminder 30 days before its end (Løten 4.5.6) ----------------
# The short scenario's employee starts on 3 February 2027, after the certificates.


def test_d08_d10_probation_reminder_and_end(player: Player) -> None:
    play(player, BLOCKED, clock_to("2027-07-03T00:00:01+02:00"))
    (sub,) = list(onboarding(player))
    assert sub.last_task.data["probation_ends_on"] == "2027-08-02"  # 3 Feb + 6 months - 1 day
    assert sub.last_task.data["probation_reminder_on"] == "2027-07-03"
    player.advance("2027-07-02T23:59:00+02:00")  # the day before the reminder
    assert ready(player) == []
    player.advance("2027-07-03T00:00:01+02:00")  # the day
    assert ready(player) == ["report_probation"]
    player.advance("2027-07-04T09:00:00+02:00")  # the day after: still waiting for the leader
    assert ready(player) == ["report_probation"]
    report = {"probation_report": {"concerns": False, "reported_on": "2027-07-04"}}
    player.complete("h", "report_probation", "vl.loten", report)
    player.advance("2027-08-01T12:00:00+02:00")  # the day before the last day
    assert state(player) == "running"
    player.advance("2027-08-02T23:59:00+02:00")  # the last day of probation
    assert state(player) == "running"
    player.advance("2027-08-03T00:00:01+02:00")  # the day after
    assert state(player) == "completed"
    assert data(player)["employment_summary"]["1"]["probation_outcome"] == "passed"


def test_d10_reminder_lead_time_is_configurable(player: Player) -> None:
    def ten_days(scenario: dict[str, Any]) -> None:
        scenario["start"]["data"]["probation_reminder_days"] = 10

    play(player, BLOCKED, clock_to("2027-07-03T00:00:01+02:00"), ten_days)
    player.advance("2027-07-22T23:59:00+02:00")
    assert ready(player) == []
    player.advance("2027-07-23T00:00:01+02:00")
    assert ready(player) == ["report_probation"]


def test_d08_waived_probation_ends_with_the_introduction(player: Player) -> None:
    def waived(scenario: dict[str, Any]) -> None:
        decision = step_of(scenario, "decide_hiring")["data"]["decision"]
        decision["probation_waived"] = True
        decision["probation_waiver_reason"] = "Har hatt samme stilling som vikar i to år."

    play(player, BLOCKED, completes("introduction_checklist"), waived)
    assert data(player)["offer_letter"]["probation"].startswith("Prøvetiden er fraveket")
    player.play(step_of(SCENARIOS[BLOCKED], "introduction_checklist"))
    assert state(player) == "completed"
    assert data(player)["employment_summary"]["1"]["probation_outcome"] == "waived"


# -- D-09 14 days' notice in probation; D-11 dismissal question at once (Løten 4.5.6, 3.12) -----


def test_d09_d11_dismissal_in_probation_gives_fourteen_days_notice(player: Player) -> None:
    play(player, BLOCKED, completes("report_probation"))
    concerns = {"concerns": True, "description": "Gjentatte avvik.", "reported_on": "2027-07-04"}
    player.complete("h", "report_probation", "vl.loten", {"probation_report": concerns})
    assert ready(player) == ["decide_dismissal"]  # D-11: at once, the same moment
    dismissal = {"dismiss": True, "notice_given_on": "2027-07-05", "reasoning": "Se rapporten."}
    player.complete("h", "decide_dismissal", "vl.loten", {"dismissal": dismissal})
    assert state(player) == "completed"
    notices = [n for n in data(player)["notifications"] if n["type"] == "dismissal_notice"]
    assert [n["employment_ends_on"] for n in notices] == ["2027-07-19"]  # 5 July + 14 days
    assert notices[0]["attachments"] == ["Arbeidsmiljøloven § 17-4"] and notices[0]["in_writing"]
    assert data(player)["employment_summary"]["1"]["probation_outcome"] == "dismissed"


# -- D-12 certificates at the start date; D-13 police certificate not older than 3 months --------


def test_d12_start_waits_for_certificates_and_tells_the_leader(player: Player) -> None:
    play(player, BLOCKED, clock_to("2027-02-01T00:00:01+01:00"))
    player.advance("2027-01-31T23:59:00+01:00")  # the day before the start date
    assert ready(player) == ["record_certificates"] and onboarding_outbox(player) == []
    player.advance("2027-02-01T00:00:01+01:00")  # the start date
    assert ready(player) == ["record_certificates"]
    assert [n["type"] for n in onboarding_outbox(player)] == [
        "start_blocked_missing_certificates"
    ] * 2
    # Mailed at once from inside the called process, not when it returns months later.
    told = player.mailed("h", "start_blocked_missing_certificates")
    assert len(told) == 2
    player.advance("2027-02-02T09:00:00+01:00")  # the day after: still blocked, told once
    assert ready(player) == ["record_certificates"] and len(onboarding_outbox(player)) == 2
    assert player.mailed("h", "start_blocked_missing_certificates") == told


def test_d13_police_certificate_at_most_three_months_old_at_the_start(player: Player) -> None:
    def present(alias: str, police_issued_on: str) -> None:
        certificates = [
            {"type": "tuberculin_certificate", "issued_on": "2026-11-20"},
            {"type": "police_certificate", "issued_on": police_issued_on},
        ]
        for item in certificates:
            item.update(presented_on="2026-11-23", seen=True, handling="seen_and_destroyed")
        player.complete(alias, "record_certificates", "vl.loten", {"certificates": certificates})

    # the start date is 1 February 2027, so the oldest accepted issue date is 1 November 2026
    play(player, BLOCKED, clock_to("2027-02-01T00:00:01+01:00"), alias="a")
    present("a", "2026-10-31")  # the day before
    assert ready(player, "a") == ["record_certificates"]
    assert data(player, "a")["record_certificates_errors"] == ["police_certificate_too_old"]
    present("a", "2026-11-01")  # the day
    assert ready(player, "a") == []  # accepted: waiting for the start date
    play(player, BLOCKED, clock_to("2027-02-01T00:00:01+01:00"), alias="b")
    present("b", "2026-11-02")  # the day after
    assert ready(player, "b") == []


# -- D-14 retention: destroyed after presentation, kept in child welfare (Løten 4.6.2) -----------


def test_d14_certificates_are_kept_only_in_child_welfare(player: Player) -> None:
    def in_unit(unit: str, group: str) -> Modify:
        def change(scenario: dict[str, Any]) -> None:
            position = step_of(scenario, "assess_vacancy")["data"]["position"]
            position.update(unit=unit, position_group=group)

        return change

    def present(alias: str, handling: str) -> None:
        required = onboarding_task_data(player, "record_certificates", alias)
        certificates = [
            {
                "type": r["type"],
                "issued_on": "2026-11-20",
                "presented_on": "2026-11-23",
                "seen": True,
                "handling": handling,
            }
            for r in required["required_certificates"]
        ]
        player.complete(alias, "record_certificates", "vl.loten", {"certificates": certificates})

    def errors(alias: str) -> list[str]:
        return list(data(player, alias)["record_certificates_errors"])

    until = clock_to("2027-02-01T00:00:01+01:00")
    play(player, BLOCKED, until, in_unit("child_welfare", "other"), "child_welfare")
    present("child_welfare", "seen_and_destroyed")
    assert errors("child_welfare") == ["certificate_handling_wrong"]
    present("child_welfare", "kept_while_in_position")
    assert ready(player, "child_welfare") == []
    play(player, BLOCKED, until, in_unit("kindergartens", "kindergarten_staff"), "kindergarten")
    present("kindergarten", "kept_while_in_position")
    assert errors("kindergarten") == ["certificate_handling_wrong"]


# -- D-15 teaching posts over 6 months are announced externally (Løten 4.4) ----------------------


def test_d15_teaching_posts_over_six_months_are_external(player: Player) -> None:
    cases = [
        (5, "none", []),
        (6, "none", []),  # 6 months: an internal announcement is allowed
        (7, "none", ["teaching_post_must_be_announced_externally"]),
        (None, "none", ["teaching_post_must_be_announced_externally"]),  # permanent
        (7, "aml_14_3", []),  # offered to part-time employees under AML 14-3
    ]
    for n, (months, aml_basis, errors) in enumerate(cases):

        def duration(scenario: dict[str, Any], months: int | None = months) -> None:
            if months is not None:
                step_of(scenario, "assess_vacancy")["data"]["position"]["duration_months"] = months

        alias = f"case{n}"
        play(player, "no_qualified_applicants", completes("settle_procedure"), duration, alias)
        internal = step_of(SCENARIOS["no_qualified_applicants"], "settle_procedure")
        internal = json.loads(json.dumps({**internal, "instance": alias}))
        internal["data"]["recruitment"]["aml_basis"] = aml_basis
        player.play(internal)
        assert data(player, alias)["settle_procedure_errors"] == errors, (months, aml_basis)


# -- D-16 acting appointment over a month, D-17 higher pay after a week, D-18 6-month contracts --


def interim(player: Player, alias: str, **cover: Any) -> dict[str, Any]:
    player.start(
        {
            "process": "hiring_interim_cover",
            "as": alias,
            "started_by": "vl.loten",
            "data": {"municipality": "loten", "hiring_authority_users": ["vl.loten"]},
        }
    )
    fields = {"person_name": "Hilde Jensen", "from_date": "2027-01-04", **cover}
    player.complete(alias, "choose_interim_cover", "vl.loten", {"interim_cover": fields})
    assert state(player, alias) == "completed"
    (record,) = data(player, alias)["interim_covers"]
    return dict(record)


def test_d16_d17_d18_interim_cover_periods(player: Player) -> None:
    """Acting appointment over a month (4.2.4), higher pay after a week (4.2.4), contracts up to
    6 months by the unit head (4.6.1); every cover starts on Monday 4 January 2027."""
    for day, over_a_month in (("2027-02-03", False), ("2027-02-04", False), ("2027-02-05", True)):
        record = interim(
            player,
            f"acting_{day}",
            kind="acting_appointment",
            to_date=day,
            full_responsibility=True,
        )
        assert record["vacant_over_one_month"] is over_a_month, day
        assert record["acting_appointment_is_main_rule"] is over_a_month, day
    for full, higher_pay_from in ((True, "2027-01-11"), (False, None)):
        record = interim(player, f"deputy_{full}", kind="deputising", full_responsibility=full)
        assert record["higher_pay_from"] == higher_pay_from  # 4-10 January is the first week
    for day, writer in (
        ("2027-07-02", "unit_head"),
        ("2027-07-03", "unit_head"),  # 6 months - 1 day
        ("2027-07-04", "hiring_authority"),
    ):
        record = interim(
            player, f"substitute_{day}", kind="substitute", to_date=day, full_responsibility=False
        )
        assert record["contract_written_by"] == writer, day


# -- D-19, D-20 notice periods "from date to date" (Løten 3.12; not part of the hiring process) --


@pytest.mark.parametrize(
    ("given", "months", "ends"),
    [
        ("2027-03-14", 3, "2027-06-14"),
        ("2027-03-15", 3, "2027-06-15"),
        ("2027-03-16", 3, "2027-06-16"),
        ("2027-11-30", 3, "2028-02-29"),  # no 30 February: the month's last day
        ("2027-01-30", 1, "2027-02-28"),
        ("2027-01-31", 1, "2027-02-28"),
        ("2027-02-01", 1, "2027-03-01"),
    ],
)
def test_d19_d20_notice_periods_run_from_date_to_date(given: str, months: int, ends: str) -> None:
    assert notice_period_end(date.fromisoformat(given), months) == date.fromisoformat(ends)


# D-21 to D-23 (older employees, age limits, retirement) are outside the hiring procedure's
# source text and are modelled nowhere; they are listed in processes/hiring/README.md.
