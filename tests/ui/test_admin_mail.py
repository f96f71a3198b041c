"""The admin mail page: the outbox readable without an SMTP server (issue 4), and the demo
clock's own page "Demoklokke" (issue 17), in the menu only while the demo clock is allowed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from engine.store.models import Outbox
from engine.timezone import OSLO
from tests.ui.harness import Server, axe_violations, new_page, open_tool, running_server, sign_in

pytestmark = pytest.mark.ui
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
          "oktober", "november", "desember")  # fmt: skip


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own (the clock moves here), with one instance whose task was mailed."""
    with running_server(tmp_path_factory.mktemp("mail"), demo_clock=True) as server:
        server.start_instance("vl.loten", "SAK-MAIL-1")  # a service leader: ui_review is theirs
        yield server


def _mail_count(server: Server) -> int:
    with server.wiring.new_uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Outbox)) or 0)


def test_an_admin_reads_the_mails(browser: Browser, mail_server: Server) -> None:
    assert _mail_count(mail_server) > 0  # the task became available: someone was told
    page = new_page(browser, mail_server.url, bypass_csp=True)  # axe is injected
    try:
        sign_in(page, mail_server.url, "admin")
        open_tool(page, "E-post")
        expect(page.get_by_role("heading", level=1)).to_have_text("Utgående e-post")
        first = page.locator("article.mail").first
        expect(first.get_by_role("heading")).to_contain_text("SAK-MAIL-1")
        expect(first).to_contain_text("Venter")
        first.locator("summary").click()
        expect(first.locator("pre")).to_contain_text("Hei ")
        expect(page.locator("#mail-count")).to_have_text(
            re.compile(rf"^{_mail_count(mail_server)} av {_mail_count(mail_server)}$")
        )
        page.get_by_label("Status").select_option("sent")
        expect(page.get_by_text("Ingen e-post ennå.")).to_be_visible()
        page.get_by_label("Status").select_option("")
        expect(page.locator("#clock")).to_have_count(0)  # the clock has a page of its own
        assert axe_violations(page) == []
    finally:
        page.context.close()


def _nb_date(moment: datetime) -> str:
    day = moment.astimezone(OSLO).date()
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def test_an_admin_moves_the_demo_clock_on_its_own_page(
    browser: Browser, mail_server: Server
) -> None:
    page = new_page(browser, mail_server.url, bypass_csp=True)  # axe is injected
    try:
        sign_in(page, mail_server.url, "admin")
        open_tool(page, "Demoklokke")
        expect(page.get_by_role("heading", level=1)).to_have_text("Demoklokke")
        before = mail_server.wiring.now()
        expect(page.locator("#clock-date")).to_have_text(_nb_date(before))
        expect(page.locator("#clock-offset")).to_have_text("(0 dager foran veggklokka)")
        expect(
            page.get_by_role("heading", name="Dette skjer når du flytter klokka")
        ).to_be_visible()
        expect(page.locator("#main")).to_contain_text("interessefrist eller søknadsfrist går ut")
        assert axe_violations(page) == []
        page.get_by_role("button", name="+1 uke").click()
        expect(page.locator("#flash")).to_have_text(
            "Klokka er flyttet. Forfalte tidsfrister utløses nå."
        )
        expect(page.locator("#clock-offset")).to_have_text("(7 dager foran veggklokka)")
        assert (mail_server.wiring.now() - before).days == 7
        expect(page.locator("#clock-date")).to_have_text(_nb_date(mail_server.wiring.now()))
    finally:
        page.context.close()


def test_without_the_demo_setting_the_clock_is_not_in_the_menu_and_stays(
    browser: Browser, server: Server
) -> None:
    page = new_page(browser, server.url)
    try:
        sign_in(page, server.url, "admin")
        page.locator(".site-nav summary", has_text="Administrasjon").click()
        expect(page.get_by_role("link", name="E-post")).to_be_visible()
        expect(page.get_by_role("link", name="Demoklokke")).to_have_count(0)
        page.goto(f"{server.url}/admin/clock")
        expect(page.locator("#clock-offset")).to_contain_text("SAKSFLYT_DEMO_CLOCK=true")
        expect(page.get_by_role("button", name="+1 uke")).to_be_hidden()
    finally:
        page.context.close()


def test_the_demo_clock_is_for_admins_only(browser: Browser, mail_server: Server) -> None:
    page = new_page(browser, mail_server.url)
    try:
        sign_in(page, mail_server.url, "fin.asker")  # the attacker: signed in, not an admin
        expect(page.get_by_role("link", name="Demoklokke")).to_have_count(0)
        response = page.goto(f"{mail_server.url}/admin/clock")
        assert response is not None and response.status == 403
        expect(page.get_by_role("alert")).to_have_text("Denne siden er for administratorer.")
        before = mail_server.wiring.now()
        token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
        moved = page.request.post(
            f"{mail_server.url}/api/v1/admin/clock",
            data={"advance": "P7D"},
            headers={"X-CSRF-Token": token},
        )
        assert moved.status == 403
        assert (mail_server.wiring.now() - before).days == 0
    finally:
        page.context.close()


def test_the_mail_page_is_for_admins_only(browser: Browser, mail_server: Server) -> None:
    page = new_page(browser, mail_server.url)
    try:
        sign_in(page, mail_server.url, "emp.asker")
        expect(page.get_by_role("link", name="E-post")).to_have_count(0)
        response = page.goto(f"{mail_server.url}/admin/mail")
        assert response is not None and response.status == 403
        expect(page.get_by_role("alert")).to_have_text("Denne siden er for administratorer.")
    finally:
        page.context.close()


def test_a_participant_turns_reminder_mails_off(browser: Browser, mail_server: Server) -> None:
    page = new_page(browser, mail_server.url, bypass_csp=True)  # axe is injected
    try:
        sign_in(page, mail_server.url, "emp2.asker")
        page.get_by_role("link", name="Innstillinger").click()
        reminders = page.get_by_label("Send meg påminnelser på e-post")
        expect(reminders).to_be_checked()
        reminders.uncheck()
        page.get_by_label("Språk i e-post").select_option("en")
        page.get_by_role("button", name="Lagre").click()
        expect(page.get_by_text("Innstillingene er lagret.")).to_be_visible()
        with mail_server.wiring.new_uow() as uow:
            saved = uow.users.get("emp2.asker")
        assert (saved.reminders_enabled, saved.locale) == (False, "en")
        page.reload()
        expect(page.get_by_label("Send meg påminnelser på e-post")).not_to_be_checked()
        assert axe_violations(page) == []
    finally:
        page.context.close()
