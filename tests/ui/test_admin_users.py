"""The admin users page: an admin deactivates a user, whose open browser is signed out at once,
and reactivates them (issue 16, item 5)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.ui.harness import (
    PASSWORD,
    Server,
    axe_violations,
    new_page,
    open_tool,
    running_server,
    sign_in,
)

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def users_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own: deactivating a user here changes no other test's users."""
    with running_server(tmp_path_factory.mktemp("users")) as server:
        yield server


def test_an_admin_deactivates_and_reactivates_a_user(
    browser: Browser, users_server: Server
) -> None:
    url = users_server.url
    admin = new_page(browser, url, bypass_csp=True)  # axe is injected
    eva = new_page(browser, url)
    try:
        sign_in(eva, url, "emp.asker")
        expect(eva.get_by_role("heading", level=1)).to_be_visible()
        sign_in(admin, url, "admin")
        open_tool(admin, "Brukere")
        expect(admin.get_by_role("heading", level=1)).to_have_text("Brukere")
        row = admin.locator("tr[data-username='emp.asker']")
        expect(row).to_contain_text("Eva Holm")
        expect(row).to_contain_text("Aktiv")
        expect(admin.locator("tr[data-username='admin'] button")).to_have_count(0)
        row.get_by_role("button", name="Deaktiver Eva Holm").click()
        expect(admin.get_by_text("Eva Holm er deaktivert.")).to_be_visible()
        expect(row).to_contain_text("Deaktivert")
        assert axe_violations(admin) == []

        eva.reload()  # her session ended with the deactivation
        expect(eva).to_have_url(f"{url}/login?next=%2F")
        eva.fill("#username", "emp.asker")
        eva.fill("#password", PASSWORD)
        eva.click("button[type=submit]")
        expect(eva.get_by_text("Feil brukernavn eller passord")).to_be_visible()

        row.get_by_role("button", name="Aktiver Eva Holm").click()
        expect(admin.get_by_text("Eva Holm er aktivert igjen.")).to_be_visible()
        expect(row).to_contain_text("Aktiv")
        sign_in(eva, url, "emp.asker")
    finally:
        admin.context.close()
        eva.context.close()


def test_the_users_page_is_for_admins_only(browser: Browser, users_server: Server) -> None:
    page = new_page(browser, users_server.url)
    try:
        sign_in(page, users_server.url, "leder.asker")
        expect(page.get_by_role("link", name="Brukere")).to_have_count(0)
        page.goto(f"{users_server.url}/admin/users")
        expect(page.get_by_role("alert")).to_have_text("Denne siden er for administratorer.")
    finally:
        page.context.close()
