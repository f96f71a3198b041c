"""Wrong passwords in a row slow an account's sign-in down (as Camunda's login delay does):
after three, each attempt waits 1, 2, 4, … seconds, at most SAKSFLYT_LOGIN_DELAY_MAX_SECONDS.
Attempts are counted per account and client address, one at a time even when they arrive
together, so a stranger cannot lock the real user out."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.services.organisation import login_delay
from engine.services.wiring import Wiring
from engine.store.models import SignInThrottle

TOKEN = "/api/v1/auth/token"
RIGHT = {"username": "emp.asker", "password": "demo"}
WRONG = {"username": "emp.asker", "password": "not-the-password"}


def _failures(wiring: Wiring, username: str = "emp.asker") -> tuple[int, bool]:
    with wiring.new_uow() as uow:
        counter = uow.session.get(SignInThrottle, (username, "127.0.0.1"))
        return (counter.attempts, counter.delay_until is not None) if counter else (0, False)


def _wrong_in_a_row(wiring: Wiring, times: int, attempt: Callable[[], int]) -> None:
    """Fail `times` sign-ins, each after the previous one's delay has run out."""
    for number in range(times):
        if number:
            wiring.clock_offset += timedelta(seconds=61)
        assert attempt() == 401


def test_the_delay_doubles_after_three_free_attempts_up_to_the_maximum() -> None:
    assert [login_delay(n, 60) for n in range(1, 11)] == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert [login_delay(n, 0) for n in range(1, 11)] == [0] * 10
    assert login_delay(10**6, 3600) == 3600  # no huge powers of two however long the run


def test_guessing_is_refused_unread_until_the_delay_ends_and_a_success_clears_it(
    client: FlaskClient, deployed: Wiring
) -> None:
    _wrong_in_a_row(deployed, 8, lambda: client.post(TOKEN, json=WRONG).status_code)
    assert _failures(deployed) == (8, True)  # the eighth wrong password set a 32 s delay

    refused = client.post(TOKEN, json=RIGHT)  # even the right password waits
    assert refused.status_code == 429
    seconds = refused.get_json()["error"]["details"]["retry_after_seconds"]
    assert 1 <= seconds <= 32 and refused.headers["Retry-After"] == str(seconds)
    assert refused.get_json()["error"]["code"] == "too_many_attempts"
    assert client.post(TOKEN, json=WRONG).status_code == 429
    assert _failures(deployed) == (8, True)  # refused attempts are not read, so not counted

    # Other accounts are not slowed down.
    other = client.post(TOKEN, json={"username": "tl.baerum", "password": "demo"})
    assert other.status_code == 200

    deployed.clock_offset += timedelta(seconds=33)
    assert client.post(TOKEN, json=RIGHT).status_code == 200
    assert _failures(deployed) == (0, False)
    assert client.post(TOKEN, json=WRONG).status_code == 401  # free attempts again
    assert _failures(deployed) == (1, False)


def test_unknown_users_are_never_slowed_down_and_get_the_same_answer(
    client: FlaskClient, deployed: Wiring
) -> None:
    for _ in range(5):
        reply = client.post(TOKEN, json={"username": "nobody", "password": "x"})
        assert reply.status_code == 401


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", r"For mange feil passord på rad\. Vent (\d+) sekunder og prøv igjen\."),
        ("en", r"Too many wrong passwords in a row\. Wait (\d+) seconds and try again\."),
    ],
)
def test_the_sign_in_page_says_how_long_to_wait(
    client: FlaskClient, deployed: Wiring, language: str, message: str
) -> None:
    def sign_in(password: str) -> tuple[int, str, dict[str, str]]:
        page = client.get(f"/login?lang={language}").get_data(as_text=True)
        csrf = re.search(r'name="login_csrf" value="([^"]+)"', page)
        assert csrf is not None
        form = {"username": "emp.asker", "password": password, "login_csrf": csrf[1]}
        reply = client.post("/login", data=form)
        return reply.status_code, reply.get_data(as_text=True), dict(reply.headers)

    _wrong_in_a_row(deployed, 6, lambda: sign_in("not-the-password")[0])  # then 8 s
    status, page, headers = sign_in("demo")
    assert status == 429
    shown = re.search(message, page)
    assert shown is not None and 1 <= int(shown[1]) <= 8
    assert headers["Retry-After"] == shown[1]


def test_parallel_guesses_are_checked_one_per_delay_window(
    app: Flask, client: FlaskClient, deployed: Wiring
) -> None:
    _wrong_in_a_row(deployed, 5, lambda: client.post(TOKEN, json=WRONG).status_code)
    deployed.clock_offset += timedelta(seconds=61)  # the 4 s delay has run out: one may try

    def guess(_: int) -> int:
        return app.test_client().post(TOKEN, json=WRONG).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) == 1  # one guess read; the other 39 refused unread
    assert _failures(deployed) == (6, True)


def test_a_stranger_guessing_elsewhere_never_locks_the_real_user_out(
    app: Flask, deployed: Wiring
) -> None:
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    signed_in = 0
    for _ in range(20):  # one wrong password a minute from the stranger
        assert stranger.post(TOKEN, json=WRONG).status_code in (401, 429)
        deployed.clock_offset += timedelta(seconds=30)
        signed_in += owner.post(TOKEN, json=RIGHT).status_code == 200
        deployed.clock_offset += timedelta(seconds=30)
    assert signed_in == 20
    assert stranger.post(TOKEN, json=WRONG).status_code == 401  # a minute on: their one guess
    assert stranger.post(TOKEN, json=RIGHT).status_code == 429  # and then they wait again
