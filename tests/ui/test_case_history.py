"""The case page's history names people, not usernames, and only for those with a part.

A participant (the leader who is to approve) reads who did each step by name; a leader of
another municipality without a part reads nothing of the case; the admin keeps the usernames
(the record as written, access.reads_full_history).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.harness import Server, new_page, sign_in

pytestmark = pytest.mark.ui
REVIEW = {"title": "Kurs", "hours": 6, "priority": "high", "decision": "approve"}


def test_participants_read_the_history_by_name_and_others_not_at_all(
    page: Page, server: Server, browser: Browser, tmp_path: Path
) -> None:
    instance_id = server.start_instance("tl.baerum", "UI-HIST-1")
    start = (server.wiring.now().date() + timedelta(days=30)).isoformat()
    server.complete_task(
        server.open_task_id(instance_id),
        "tl.baerum",
        REVIEW | {"start_date": start},
    )

    sign_in(page, server.url, "leder.asker")  # offered «Godkjenn søknaden»: a participant
    page.goto(f"/cases/{instance_id}")  # as from the case link in the task mail
    history = page.locator(".history")
    expect(history).to_contain_text("Vurder søknaden")
    expect(history).to_contain_text("av Tone Lie")
    expect(page.locator("main")).not_to_contain_text("tl.baerum")
    page.screenshot(path=str(tmp_path / "case_history_participant.png"), full_page=True)

    for username in ("leder.drammen", "admin"):
        other = new_page(browser, server.url)
        try:
            sign_in(other, server.url, username)
            other.goto(f"/cases/{instance_id}")
            if username == "admin":  # the record as written
                expect(other.locator(".history")).to_contain_text("av tl.baerum")
                continue
            # A leader elsewhere has no part in the case: it does not exist for him.
            expect(other.locator(".alert--error")).to_be_visible()
            expect(other.locator("main")).not_to_contain_text("Tone Lie")
            expect(other.locator("main")).not_to_contain_text("Vurder søknaden")
        finally:
            other.context.close()
