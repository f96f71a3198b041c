"""The due column in working days, and the task page's save-draft and delegate buttons."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from engine.services import inbox, organisation
from engine.store.models import User
from tests.ui.harness import PASSWORD, Server, days_ago, sign_in

pytestmark = pytest.mark.ui


def row_for(page: Page, business_key: str):  # type: ignore[no-untyped-def]
    return page.locator("#list tbody tr").filter(has_text=business_key)


def test_the_due_column_counts_working_days_and_marks_overdue(page: Page, server: Server) -> None:
    fresh = server.open_task_id(server.start_instance("tl.baerum", "UI-DUE-FRESH"))
    late = server.open_task_id(
        server.start_instance("tl.baerum", "UI-DUE-LATE", now=days_ago(server.wiring, 30))
    )
    with server.wiring.new_uow() as uow:
        views = {t: inbox.task_view(uow.tasks.get(t), server.wiring.now()) for t in (fresh, late)}
    left, behind = views[fresh]["working_days_left"], -views[late]["working_days_left"]
    assert left > 1 and behind > 1 and views[late]["is_overdue"]

    sign_in(page, server.url, "tl.baerum")
    page.get_by_role("link", name=re.compile("^Gruppens")).click()
    expect(row_for(page, "UI-DUE-FRESH").locator(".due")).to_contain_text(
        f"{left} arbeidsdager igjen"
    )
    overdue = row_for(page, "UI-DUE-LATE")
    expect(overdue).to_have_class(re.compile(r"\brow--overdue\b"))
    expect(overdue.locator(".badge--overdue")).to_have_text("Forfalt")
    expect(overdue.locator(".due")).to_contain_text(f"{behind} arbeidsdager over fristen")


def _colleague(server: Server) -> None:
    with server.wiring.new_uow() as uow:
        if uow.users.find("tl2.baerum") is None:
            uow.users.add(
                User(
                    username="tl2.baerum",
                    full_name="Tiril Tangen",
                    email="tiril.tangen@baerum.example",
                    roles=["service_leader"],
                    municipality_id="baerum",
                    password_hash=organisation.hash_password(PASSWORD),
                )
            )
            uow.commit()


def test_a_draft_survives_a_reload_and_the_task_is_delegated(
    page: Page, server: Server, browser
) -> None:  # type: ignore[no-untyped-def]
    _colleague(server)
    task_id = server.open_task_id(server.start_instance("tl.baerum", "UI-DRAFT-1"))
    sign_in(page, server.url, "tl.baerum")
    page.goto(f"/tasks/{task_id}")
    page.locator("#f-title").fill("Kurs i universell utforming")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator("#flash")).to_have_text("Utkastet er lagret. Du kan fortsette senere.")
    page.reload()
    expect(page.locator("#f-title")).to_have_value("Kurs i universell utforming")

    choice = page.get_by_label("Kollega")
    expect(choice.locator("option", has_text="Tiril Tangen")).to_have_count(1)
    expect(choice.locator("option", has_text="Tone Lie")).to_have_count(0)
    choice.select_option("tl2.baerum")
    page.get_by_role("button", name="Deleger", exact=True).click()
    page.wait_for_url(f"{server.url}/")
    expect(page.locator("#flash")).to_have_text(
        "Oppgaven er delegert til Tiril Tangen (tl2.baerum)."
    )
    with server.wiring.new_uow() as uow:
        assert uow.tasks.get(task_id).assignee == "tl2.baerum"

    # Leave the inbox first: its scripts, refused once the cookie is gone, would go to the
    # sign-in page themselves and abort the navigation below (seen once as net::ERR_ABORTED).
    page.goto("about:blank")
    page.context.clear_cookies()
    sign_in(page, server.url, "tl2.baerum")
    row = row_for(page, "UI-DRAFT-1")
    expect(row).to_contain_text("Tiril")
    row.get_by_role("link").first.click()
    expect(page.locator("#f-title")).to_have_value("Kurs i universell utforming")
    expect(page.locator(".claim-bar")).to_contain_text("Du har tatt denne oppgaven.")


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_file_is_uploaded_kept_in_the_draft_and_removed(page: Page, server: Server) -> None:
    task_id = server.open_task_id(server.start_instance("tl.baerum", "UI-FILE-1"))
    sign_in(page, server.url, "tl.baerum")
    page.goto(f"/tasks/{task_id}")
    field = page.get_by_label("Vedlegg")
    field.set_input_files({"name": "notat.txt", "mimeType": "text/plain", "buffer": b"bare tekst"})
    expect(page.locator("#f-attachment-error")).to_contain_text("Filtypen er ikke tillatt")
    expect(field).to_have_attribute("aria-invalid", "true")

    field.set_input_files({"name": "notat.pdf", "mimeType": "application/pdf", "buffer": PDF})
    shown = page.locator("#f-attachment-file")
    expect(shown.locator("a")).to_have_text(f"notat.pdf ({len(PDF)} B)")
    expect(page.locator("#f-attachment-error")).to_be_hidden()
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator("#flash")).to_have_text("Utkastet er lagret. Du kan fortsette senere.")
    with server.wiring.new_uow() as uow:
        saved = uow.tasks.get(task_id).draft or {}
    assert isinstance(saved.get("attachment"), str)

    page.reload()
    expect(shown.locator("a")).to_have_text(f"notat.pdf ({len(PDF)} B)")
    expect(shown.locator("a")).to_have_attribute(
        "href", f"/api/v1/attachments/{saved['attachment']}/content"
    )
    shown.get_by_role("button", name=re.compile("^Fjern")).click()
    expect(shown.locator("a")).to_have_count(0)
    expect(page.get_by_label("Vedlegg")).to_be_visible()
    with page.expect_response(re.compile(r"/draft$")) as saved_again:
        page.get_by_role("button", name="Lagre utkast").click()
    assert saved_again.value.status == 200
    with server.wiring.new_uow() as uow:
        assert "attachment" not in (uow.tasks.get(task_id).draft or {})
