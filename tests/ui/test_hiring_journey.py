"""The Løten hiring procedure end to end through the pages only (issue 17).

Every step is done by its demo user (engine/services/demo_organisation.yaml) on the pages:
HR starts the case, the unit head assesses, the union representative reads the assessment and
agrees, the unit head settles the procedure (external: no direct candidate asked for),
applicants apply on the public vacancy page with a case number holding "/", HR reads the
applicant list and CVs, decides the exemption (refused first at its field), the panel
interviews each named candidate, the recommendation, the decision, the union member's
approval, the offer, the certificates (a police certificate too old refused at its field),
the start, the introduction and the probation. Time moves by the admin's demo clock on the
mail page; the worker that fires due timers is called as `saksflyt worker` would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.services import demo_clock, timers
from engine.store.states import InstanceState
from engine.timezone import OSLO
from tests.api.test_attachments import PDF
from tests.conftest import deploy_processes
from tests.ui.form_filler import DASH, fill_form
from tests.ui.harness import Server, new_page, open_tool, running_server, sign_in

pytestmark = pytest.mark.ui

CASE = "2026/0412"


@pytest.fixture(scope="module")
def hiring_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the real processes and the demo clock."""
    with running_server(tmp_path_factory.mktemp("hiring"), demo_clock=True) as server:
        deploy_processes(server.wiring, now=server.wiring.now())
        yield server


class Journey:
    """The people of the procedure, each in a browser context of their own."""

    def __init__(self, browser: Browser, server: Server, case: str = CASE) -> None:
        self.browser, self.server, self.case = browser, server, case
        self.pages: dict[str, Page] = {}
        self.start = server.wiring.now().astimezone(OSLO)
        self.shots: Path | None = None  # tests.ui.screenshots sets a folder

    def snap(self, page: Page, name: str) -> None:
        """Save a screenshot of the page for docs/screenshots (only when asked to)."""
        if self.shots is not None:
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=self.shots / f"hiring-{name}.png", full_page=True)

    def day(self, days: int) -> str:
        """The date `days` after the journey began, as a date field takes it."""
        return (self.start + timedelta(days=days)).date().isoformat()

    def moment(self, days: int, hour: int) -> str:
        day = (self.start + timedelta(days=days)).date()
        return datetime.combine(day, time(hour), tzinfo=OSLO).isoformat()

    def as_user(self, username: str) -> Page:
        if username not in self.pages:
            page = new_page(self.browser, self.server.url, viewport={"width": 1280, "height": 900})
            sign_in(page, self.server.url, username)
            self.pages[username] = page
        return self.pages[username]

    def open_task(self, username: str, name: str) -> Page:
        """Find the task in the user's inbox (Mine, then the group's) and open it."""
        page = self.as_user(username)
        for tab in ("mine", "group"):
            page.goto(f"/?tab={tab}")
            expect(page.locator("#list")).not_to_contain_text("Laster")
            link = (
                page.locator("#list tbody tr")
                .filter(has_text=self.case)
                .get_by_role("link", name=name, exact=True)
            )
            if link.count():
                link.first.click()
                expect(page.get_by_role("heading", level=1)).to_have_text(name)
                expect(page.locator("form .form-fields")).to_be_visible()
                return page
        raise AssertionError(f"{username} has no task «{name}» in {self.case}")

    def complete(self, page: Page, form: str, data: dict[str, Any]) -> None:
        fill_form(page, form, data)
        page.get_by_role("button", name="Fullfør oppgaven").click()
        expect(page.locator("#flash")).to_contain_text("er fullført", timeout=30_000)

    def refused(self, page: Page, form: str, data: dict[str, Any], field: str, text: str) -> None:
        """Submit, and see the rule's message at the field at once (the task stays)."""
        fill_form(page, form, data)
        url = page.url
        page.get_by_role("button", name="Fullfør oppgaven").click()
        expect(page.locator(f"#f-{field}-error")).to_have_text(text)
        expect(page.locator("#error-summary")).to_be_focused()
        assert page.url == url
        expect(page.locator("#flash")).not_to_contain_text("er fullført")

    def advance(self, *buttons: str) -> None:
        """The admin moves the demo clock; the worker fires what fell due."""
        page = self.as_user("admin")
        page.goto("/")
        open_tool(page, "Demoklokke")
        for button in buttons:
            with page.expect_response(
                lambda r: r.url.endswith("/api/v1/admin/clock") and r.request.method == "POST"
            ) as moved:
                page.get_by_role("button", name=button).click()
            assert moved.value.ok
        wiring = self.server.wiring
        wiring.clock_offset = demo_clock.offset(wiring.new_uow())  # as the worker reads it
        while timers.fire_due_timers(wiring.new_uow, now=wiring.now(), worker="ui-worker"):
            pass

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def journey(browser: Browser, hiring_server: Server) -> Iterator[Journey]:
    played = Journey(browser, hiring_server)
    yield played
    played.close()


ASSESSMENT = {
    "position": {
        "title": "Sykepleier",
        "unit": "health_family",
        "position_group": "health_care",
        "position_type": "other",
        "percentage": 100,
        "positions": 1,
    },
    "answers": {
        "tasks_exist": {"answer": True, "comment": "Oppgavene består."},
        "tasks_can_be_distributed": {"answer": False, "comment": "Turnusen er full."},
        "organisational_change_expected": {"answer": False, "comment": "Ingen endring varslet."},
        "suits_employee_needing_placement": {"answer": False, "comment": "Ingen passer."},
        "qualified_part_time_staff": {"answer": False, "comment": "Ingen har bedt om mer."},
    },
    "conclusion": "announce",
    "conclusion_reason": "Stillingen trengs for forsvarlig bemanning.",
}
APPLICANTS = [
    ("Anne Berg", "anne.berg@example.no", 41, "Sykepleier, Hamar kommune", "Hamar", True),
    ("Bjørn Dahl", "bjorn.dahl@example.no", 29, "Sykepleier, Sykehuset Innlandet", "Løten", False),
    ("Cecilie Eng", "cecilie.eng@example.no", 35, "Helsefagarbeider", "Elverum", False),
]


def test_the_hiring_procedure_end_to_end_through_the_pages(
    journey: Journey, browser: Browser, hiring_server: Server
) -> None:
    server = hiring_server

    # 1. HR (hr.loten) starts the case for the unit head; sub-processes are not offered.
    hr = journey.as_user("hr.loten")
    hr.get_by_role("link", name="Start en prosess").click()
    cards = hr.locator("#processes article")
    expect(cards.filter(has_text="Ansettelse (Løten kap. 4)")).to_have_count(1)
    for called in ("Attester, tiltredelse", "Midlertidig løsning", "Søknad på ledig stilling"):
        expect(cards.filter(has_text=called)).to_have_count(0)
    card = hr.get_by_role("article", name="Ansettelse (Løten kap. 4)")
    card.get_by_label(re.compile("^Virksomhetsleder")).select_option(
        label="Vidar Lien (Helse og omsorg)"
    )
    card.get_by_label("Saksnummer (valgfritt)").fill(CASE)
    card.get_by_role("button", name="Start").click()
    expect(hr.locator("#flash")).to_have_text("Prosessen «Ansettelse (Løten kap. 4)» er startet.")

    # 2. The unit head (vl.loten) assesses the vacancy in writing (Løten 4.3).
    page = journey.open_task("vl.loten", "Vurder ledig stilling")
    journey.complete(page, "hiring.assess_vacancy", {**ASSESSMENT, "assessed_on": journey.day(0)})

    # 3. The union representative (tv.loten) reads the assessment above the form and agrees.
    page = journey.open_task("tv.loten", "Drøft vurderingen med tillitsvalgte")
    context = page.locator(".panel--context")
    expect(context).to_contain_text("Stillingen trengs for forsvarlig bemanning.")
    expect(context).to_contain_text("Eksisterer stillingens arbeidsoppgaver?")
    journey.snap(page, "union-reads-the-assessment")
    consultation = {
        "consulted_on": journey.day(0),
        "representative": "Kari Tillit",
        "organisation": "Fagforbundet",
        "agrees": True,
        "statement": "Enig i at stillingen opprettholdes.",
    }
    journey.complete(page, "hiring.consult_union_on_vacancy", {"union_consultation": consultation})

    # 4. The hiring authority (the council's chair, vl.loten) settles an external announcement
    #    without being asked for a candidate hired without announcement.
    page = journey.open_task("vl.loten", "Avklar prosedyre og kunngjøring")
    panel = [
        {"name": "Vidar Lien", "username": "vl.loten", "title": "Virksomhetsleder"},
        {"name": "Kari Tillit", "username": "tv.loten", "title": "Tillitsvalgt"},
    ]
    settle = {
        "recruitment": {"method": "external", "personnel_policy_goals_considered": True},
        "procedure": {
            "position_code": "7174 Sykepleier",
            "pay": "Etter avtale",
            "interview": True,
            "panel": panel,
            "number_to_interview": 2,
            "interview_form": "EQS intervjuskjema",
            "planned_decision_date": journey.day(35),
            "planned_start_date": journey.day(60),
        },
        "announcement": {
            "qualification_requirements": ["Autorisasjon som sykepleier"],
            "area_of_work": "Hjemmesykepleien.",
            "duties": "Sykepleie i hjemmet, turnus.",
            "pay_and_pension": "Lønn etter avtale; KLP.",
        },
    }
    journey.complete(page, "hiring.settle_procedure", settle)

    # 5. Three applicants apply on the public vacancy page (no sign-in), one with a CV and a
    #    request to be left off the public list.
    for name, email, age, occupation, home, exempt in APPLICANTS:
        applicant = new_page(browser, server.url)
        try:
            applicant.goto("/stillinger")
            applicant.get_by_role("article", name="Sykepleier").get_by_role(
                "link", name="Les mer og søk"
            ).click()
            applicant.wait_for_url(f"{server.url}/stillinger/{CASE}")
            applicant.get_by_label(re.compile("^Fullt navn")).fill(name)
            applicant.get_by_label(re.compile("^E-postadresse")).fill(email)
            applicant.get_by_label("Alder").fill(str(age))
            applicant.get_by_label("Stilling eller yrke").fill(occupation)
            applicant.get_by_label("Bostedskommune").fill(home)
            applicant.get_by_label("Søknadstekst").fill("Jeg vil jobbe i hjemmesykepleien.")
            if exempt:
                cv = {"name": f"CV {name}.pdf", "mimeType": "application/pdf", "buffer": PDF}
                applicant.get_by_label("CV").set_input_files(files=[cv])
                applicant.get_by_label(re.compile("ikke bli ført opp")).check()
                applicant.get_by_label(re.compile("^Begrunnelse for anmodningen")).fill(
                    "Nåværende arbeidsgiver vet ikke at jeg søker."
                )
            if exempt:
                journey.snap(applicant, "public-vacancy-application")
            applicant.get_by_role("button", name="Send søknaden").click()
            expect(applicant.locator("#receipt")).to_contain_text("Søknaden er mottatt")
        finally:
            applicant.context.close()

    # 6. The deadline passes (three weeks and a day on the demo clock).
    journey.advance("+3 uker", "+1 dag")

    # 7. HR reads the applicant list with the CV, and must decide the exemption request first.
    page = journey.open_task("hr.loten", "Utarbeid søkerliste")
    context = page.locator(".panel--context")
    expect(context).to_contain_text("Anne Berg")
    expect(context.get_by_role("link", name="CV Anne Berg.pdf")).to_be_visible()
    # The hiring case speaks of applicants, not of the assignment routine's employees.
    expect(context).to_contain_text("Søknadstekst fra søkeren")
    expect(context).not_to_contain_text("medarbeider")
    journey.refused(
        page,
        "hiring.prepare_applicant_list",
        {},
        "exemption_decisions",
        "Hver anmodning om unntak fra offentlig søkerliste må avgjøres før listen lages "
        "(offentleglova § 25).",
    )
    journey.snap(page, "applicant-list-task-refused")
    decision = {"applicant_no": 1, "granted": True, "reason": "Tungtveiende grunn."}
    journey.complete(page, "hiring.prepare_applicant_list", {"exemption_decisions": [decision]})
    hr.goto("/ansettelser")
    row = hr.locator("tbody tr").filter(has_text=CASE)
    expect(row).to_contain_text("Søkerlisten er klar")
    journey.snap(hr, "hr-cases")
    row.get_by_role("link", name="3").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text(f"Søkerliste: {CASE}")
    anne = hr.get_by_role("article", name=re.compile("Anne Berg"))
    expect(anne).to_contain_text("Nåværende arbeidsgiver vet ikke at jeg søker.")
    journey.snap(hr, "applicant-list")
    with hr.expect_download() as download:
        anne.get_by_role("link", name="CV: CV Anne Berg.pdf").click()
    assert download.value.suggested_filename == "CV Anne Berg.pdf"

    # The public applicant list: the § 25 fields, without the granted exemption.
    public = new_page(browser, server.url)
    try:
        public.goto(f"/sokerlister/{CASE}")
        table = public.locator("#public-list")
        expect(table).to_contain_text("Bjørn Dahl")
        expect(table).to_contain_text("Sykepleier, Sykehuset Innlandet")
        expect(table).to_contain_text("Løten")
        expect(table).not_to_contain_text("Anne Berg")
        journey.snap(public, "public-applicant-list")
    finally:
        public.context.close()

    # 8. The hiring authority shortlists two for interview.
    page = journey.open_task("vl.loten", "Vurder søkerne og velg ut til intervju")
    expect(page.locator(".panel--context")).to_contain_text("Cecilie Eng")
    # Choices from the case: applicants by number and name, nothing typed.
    expect(page.locator("#f-qualified-group")).to_contain_text(f"3 {DASH} Cecilie Eng")
    journey.snap(page, "shortlist")
    shortlist = {
        "late_decisions": [],
        "qualified": [1, 2],
        "shortlist": [
            {"applicant_no": 1, "interview_at": journey.moment(24, 10), "place": "Helsetunet"},
            {"applicant_no": 2, "interview_at": journey.moment(24, 11), "place": "Helsetunet"},
        ],
        "selection_notes": "Søker 3 mangler autorisasjon.",
    }
    journey.complete(page, "hiring.shortlist_candidates", shortlist)

    # 9. The interviews: each task names its candidate, in the inbox, on the task page (its
    #    heading), on the case page and in the mail to the panel.
    journey.advance("+1 uke")
    interviewed = set()
    case_page = journey.as_user("hr.loten")
    case_page.goto("/cases")
    case_page.get_by_role("link", name=CASE, exact=True).click()
    opened = case_page.locator(".case-tasks").first  # the open tasks
    expect(opened).to_contain_text("Intervju: Anne Berg")
    expect(opened).to_contain_text("Intervju: Bjørn Dahl")
    with server.wiring.new_uow() as uow:
        rows, _ = uow.outbox.page(None, 1000, 0)
        subjects = [row.subject for row in rows if row.recipient == "tv.loten"]
    assert f"Ny oppgave: Intervju: Anne Berg ({CASE})" in subjects, subjects
    for name in ("Anne Berg", "Bjørn Dahl"):
        page = journey.open_task("vl.loten", f"Intervju: {name}")
        context = page.locator(".panel--context")
        expect(context).to_contain_text(name)
        expect(context).to_contain_text("Helsetunet")
        if not interviewed:
            journey.snap(page, "interview-names-the-candidate")
        interviewed.add(name)
        note = {
            "held_on": journey.day(24),
            "education": "Bachelor i sykepleie.",
            "experience": "Hjemmesykepleie.",
            "suitability": "Rolig og strukturert.",
            "assessment": "suited",
        }
        journey.complete(page, "hiring.interview", {"interview": note})
    assert interviewed == {"Anne Berg", "Bjørn Dahl"}

    # 10. The recommendation, the decision and the council's union member's approval.
    #     The ranking is chosen from the interviewed, by name and number, and ordered on the
    #     page with the keyboard; the same applicant twice is refused at the field.
    page = journey.open_task("vl.loten", "Skriv innstilling")
    ranking = page.locator("#f-recommendation-recommended-group")
    add = ranking.get_by_role("button", name=re.compile(r"^\+ Legg til"))
    add.click()
    add.click()
    first, second = (page.get_by_label(f"Plass {n}", exact=True) for n in (1, 2))
    choices = ["Velg …", f"1 {DASH} Anne Berg", f"2 {DASH} Bjørn Dahl"]
    expect(first.locator("option")).to_have_text(choices)  # not Cecilie: not interviewed
    first.select_option(label=f"2 {DASH} Bjørn Dahl")
    second.select_option(label=f"2 {DASH} Bjørn Dahl")
    recommendation = {
        "ranking_basis": "Søker 1 har lengst erfaring.",
        "fewer_candidates_reason": "Bare to er kvalifisert.",
    }
    fill_form(page, "hiring.write_recommendation", {"recommendation": recommendation})
    page.get_by_role("button", name="Fullfør oppgaven").click()
    expect(page.locator("#f-recommendation-recommended-error")).to_have_text(
        "Den samme verdien er valgt mer enn én gang."
    )
    second.select_option(label=f"1 {DASH} Anne Berg")
    move_up = ranking.locator("li").nth(1).get_by_role("button", name=re.compile("^Flytt opp"))
    move_up.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Plass 1", exact=True)).to_have_value("0")  # Anne first now
    expect(page.get_by_label("Plass 2", exact=True)).to_have_value("1")
    moved = ranking.locator("li").first.get_by_role("button", name=re.compile("^Flytt ned"))
    expect(moved).to_be_focused()  # the focus follows the moved applicant
    journey.snap(page, "recommendation-ranking")
    page.get_by_role("button", name="Fullfør oppgaven").click()
    expect(page.locator("#flash")).to_contain_text("er fullført", timeout=30_000)
    with server.wiring.new_uow() as uow:
        [case] = [
            i for i in uow.announcements.instances_with_data("hiring") if i.business_key == CASE
        ]
        assert case.data["recommendation"]["recommended"] == [1, 2]
    page = journey.open_task("vl.loten", "Fatt ansettelsesvedtak")
    decision = {
        "outcome": "appoint",
        "appointed_applicant_no": 1,
        "start_date": journey.day(60),
        "salary": {"monthly_amount": 52000, "pay_scale": "Stillingskode 7174"},
    }
    journey.complete(page, "hiring.decide_hiring", {"decision": decision})
    page = journey.open_task("tv.loten", "Godkjenn vedtaket (rådets tillitsvalgte)")
    expect(page.locator(".panel--context")).to_contain_text("Søker 1 har lengst erfaring.")
    journey.complete(
        page, "hiring.approve_council_decision", {"council_union_member": {"agrees": True}}
    )

    # 11. HR records the answer to the offer; the answer deadline stands above the form.
    page = journey.open_task("hr.loten", "Registrer svar på jobbtilbudet")
    expect(page.locator(".panel--context")).to_contain_text("Svarfrist")
    answer = {
        "answer": "accepted",
        "answered_on": journey.day(29),
        "signed_contract_received": True,
    }
    journey.complete(page, "hiring.record_offer_answer", {"offer_answer": answer})

    # 12. The certificates: a police certificate too old is refused at once, at its field.
    page = journey.open_task("vl.loten", "Registrer attester")
    expect(page.locator(".panel--context")).to_contain_text("Politiattest")

    def certificates(police_issued: int) -> dict[str, Any]:
        common = {"presented_on": journey.day(29), "seen": True, "handling": "seen_and_destroyed"}
        return {
            "certificates": [
                {"type": "tuberculin_certificate", "issued_on": journey.day(20), **common},
                {"type": "police_certificate", "issued_on": journey.day(police_issued), **common},
            ]
        }

    journey.refused(
        page,
        "hiring.record_certificates",
        certificates(-60),
        "certificates",
        "Politiattesten er eldre enn 3 måneder før tiltredelsen (Løten 4.6.2).",
    )
    journey.snap(page, "certificates-refused")
    page.reload()
    expect(page.locator("form .form-fields")).to_be_visible()
    journey.complete(page, "hiring.record_certificates", certificates(20))

    # 13. The start, the introduction and the probation.
    journey.advance("+3 uker", "+1 uke", "+1 uke")
    page = journey.open_task("vl.loten", "Bekreft tiltredelse")
    start = {
        "first_working_day": journey.day(60),
        "confidentiality_declaration_signed": True,
        "signed_contract_at_mail_reception": True,
    }
    journey.complete(page, "hiring.confirm_start", {"start": start})
    page = journey.open_task("vl.loten", "Gjennomfør introduksjon")
    introduction = {
        "received_and_shown_around": True,
        "colleagues_and_mentor": True,
        "routines_and_eqs": True,
        "personnel_handbook": True,
        "follow_up_meetings": True,
        "completed_on": journey.day(64),
    }
    journey.complete(page, "hiring.introduction_checklist", {"introduction": introduction})
    journey.advance(*["+3 uker"] * 7, "+1 uke")
    page = journey.open_task("vl.loten", "Meld fra før prøvetiden går ut")
    expect(page.locator(".panel--context")).to_contain_text("Prøvetiden går ut")
    journey.snap(page, "probation-report")
    report = {"concerns": False, "reported_on": journey.day(218)}
    journey.complete(page, "hiring.report_probation", {"probation_report": report})
    journey.advance("+3 uker", "+3 uker")

    with server.wiring.new_uow() as uow:
        [case] = [
            i for i in uow.announcements.instances_with_data("hiring") if i.business_key == CASE
        ]
    assert case.state == InstanceState.COMPLETED, case.data.get("status")


def test_a_panel_without_the_political_body_is_refused_on_the_task_page(
    browser: Browser, hiring_server: Server
) -> None:
    """The council hires (Løten 4.6): the panel the hiring authority sets must hold one of its
    representatives (4.5.4); the refusal is shown at the panel field, in bokmål, at once."""
    played = Journey(browser, hiring_server, case="2026/0413")
    try:
        hr = played.as_user("hr.loten")
        hr.get_by_role("link", name="Start en prosess").click()
        card = hr.get_by_role("article", name="Ansettelse (Løten kap. 4)")
        card.get_by_label(re.compile("^Virksomhetsleder")).select_option(
            label="Vidar Lien (Helse og omsorg)"
        )
        card.get_by_label("Saksnummer (valgfritt)").fill(played.case)
        card.get_by_role("button", name="Start").click()
        expect(hr.locator("#flash")).to_contain_text("er startet")
        page = played.open_task("vl.loten", "Vurder ledig stilling")
        position = {**ASSESSMENT["position"], "title": "Kommunalsjef"}
        position["position_type"] = "council_appointed"
        assessment = {**ASSESSMENT, "position": position, "assessed_on": played.day(0)}
        played.complete(page, "hiring.assess_vacancy", assessment)
        page = played.open_task("tv.loten", "Drøft vurderingen med tillitsvalgte")
        consultation = {
            "consulted_on": played.day(0),
            "representative": "Kari Tillit",
            "organisation": "Fagforbundet",
            "agrees": True,
            "statement": "Enig.",
        }
        played.complete(
            page, "hiring.consult_union_on_vacancy", {"union_consultation": consultation}
        )

        # The council's leader sets a panel of officers only: refused at the panel field.
        page = played.open_task("vl.loten", "Avklar prosedyre og kunngjøring")
        settle = {
            "recruitment": {"method": "external", "personnel_policy_goals_considered": True},
            "procedure": {
                "position_code": "7003 Kommunalsjef",
                "pay": "Etter avtale",
                "interview": True,
                "panel": [{"name": "Vidar Lien", "username": "vl.loten", "title": "Leder"}],
                "number_to_interview": 2,
                "planned_decision_date": played.day(35),
                "planned_start_date": played.day(60),
            },
            "announcement": {
                "qualification_requirements": ["Høyere utdanning"],
                "area_of_work": "Helse og omsorg.",
                "duties": "Leder tjenesteområdet.",
                "pay_and_pension": "Lønn etter avtale; KLP.",
            },
        }
        played.refused(
            page,
            "hiring.settle_procedure",
            settle,
            "procedure-panel",
            "Ansettelsesmyndigheten er et politisk organ: intervjupanelet må ha minst én "
            "representant for organet (Løten 4.5.4).",
        )
        played.snap(page, "panel-refused")

        # The leader adds the council's representative on the same page and goes on.
        panel = page.locator("#f-procedure-panel-group")
        panel.get_by_role("button", name=re.compile(r"^\+ Legg til")).click()
        page.locator("#f-procedure-panel-1-name").fill("Per Politiker")
        page.locator("#f-procedure-panel-1-title").fill("Kommunestyrets representant")
        page.locator("#f-procedure-panel-1-represents_political_body").check()
        page.get_by_role("button", name="Fullfør oppgaven").click()
        expect(page.locator("#flash")).to_contain_text("er fullført", timeout=30_000)
        page.goto("/?tab=group")
        expect(page.locator("#list")).not_to_contain_text("Laster")
        rows = page.locator("#list tbody tr").filter(has_text=played.case)
        expect(rows.filter(has_text="Avklar prosedyre og kunngjøring")).to_have_count(0)
        with hiring_server.wiring.new_uow() as uow:
            [case] = [
                i
                for i in uow.announcements.instances_with_data("hiring")
                if i.business_key == played.case
            ]
        assert case.data["settle_procedure_errors"] == []
        assert case.data["procedure"]["panel"][1]["represents_political_body"] is True
    finally:
        played.close()
