"""Where signing in sends the browser (`/login?next=`): a local path, never another host.

Browsers drop tabs and newlines from a URL, so `/\t/evil.example` is `//evil.example` (another
host); CR/LF in a Location header was a 500. Both now go to the inbox.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)  # no storage here
KEPT = ["/start", "/announcements?open=1", "/stillinger/L%C3%98TEN-1"]
REFUSED = [
    "/%0d%0aSet-Cookie:%20stolen=1",
    "/%0aLocation:%20https://evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%09%0a/evil.example",
    "/%7f",
    "//evil.example",
    "/%5Cevil.example",
    "https://evil.example/",
    "evil.example",
]


def _location(reply: object) -> str:
    return str(reply.headers["Location"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("target", KEPT + REFUSED)
def test_a_signed_in_browser_is_sent_to_a_local_path_only(client: FlaskClient, target: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="login_csrf" value="([^"]+)"', page)
    assert csrf is not None
    form = {"username": "emp.asker", "password": "demo", "login_csrf": csrf[1]}
    assert client.post("/login", data=form).status_code == 302
    reply = client.get(f"/login?next={target}")
    assert reply.status_code == 302
    assert _location(reply) == ("/" if target in REFUSED else target)


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0d%0aSet-Cookie:%20stolen=1"])
def test_signing_in_with_a_bad_next_goes_to_the_inbox(client: FlaskClient, target: str) -> None:
    page = client.get(f"/login?next={target}").get_data(as_text=True)
    assert "evil" not in page and "stolen" not in page  # the form carries the inbox instead
    csrf = re.search(r'name="login_csrf" value="([^"]+)"', page)
    assert csrf is not None
    form = {"username": "emp.asker", "password": "demo", "login_csrf": csrf[1]}
    reply = client.post(f"/login?next={target}", data=form)
    assert (reply.status_code, _location(reply)) == (302, "/")
