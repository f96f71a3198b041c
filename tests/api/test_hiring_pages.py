"""The hiring pages (issue 17): the applicant list is personal data, the public list is not.

/soknader/<case> is for HR of the hiring municipality and the hiring authority only (403 for
the union representative and other municipalities), /sokerlister/<case> is for anyone and
shows the § 25 fields, /ansettelser lists HR's cases; a bad age is a Norwegian field message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from types import SimpleNamespace

from flask import Flask, render_template
from flask.testing import FlaskClient

from engine.services.wiring import Wiring
from tests.api.test_vacancies import BJORN, PublicPlayer, apply, happy_path
from tests.conftest import deploy_processes

CASE = "2026/0412"


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="login_csrf" value="([^"]+)"', page)
    assert csrf is not None
    reply = client.post(
        "/login", data={"username": username, "password": "demo", "login_csrf": csrf[1]}
    )
    assert reply.status_code in (302, 303), reply.get_data(as_text=True)
    return client


def test_the_applicant_list_page_follows_who_may_read_applicants(
    deployed: Wiring, app: Flask, client: FlaskClient, auth: Callable[[str], dict[str, str]]
) -> None:
    deploy_processes(deployed)
    player = PublicPlayer(deployed, client, auth)
    scenario = json.loads(json.dumps(happy_path()).replace("LOTEN-2026-017", CASE))
    player.start(scenario["start"])
    for step in scenario["steps"][:6]:
        player.play(step)
    assert apply(client, BJORN, vacancy=CASE).status_code == 201
    refused = apply(client, {**BJORN, "age": "tjueni"}, vacancy=CASE)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == {"age": ["Skriv alderen i hele år."]}

    for username, status in (("hr.loten", 200), ("vl.loten", 200), ("tv.loten", 403)):
        reply = _signed_in(app, username).get(f"/soknader/{CASE}")
        assert reply.status_code == status, username
    page = _signed_in(app, "hr.loten").get(f"/soknader/{CASE}").get_data(as_text=True)
    assert "Bjørn Dahl" in page and "bjorn.dahl@example.no" in page
    assert "Sykepleier, Sykehuset Innlandet" in page
    denied = _signed_in(app, "emp.asker").get(f"/soknader/{CASE}")
    assert denied.status_code == 403 and "Bjørn Dahl" not in denied.get_data(as_text=True)
    assert client.get(f"/soknader/{CASE}").status_code == 302  # to the sign-in

    overview = _signed_in(app, "hr.loten").get("/ansettelser").get_data(as_text=True)
    assert CASE in overview and "Kunngjort, tar imot søknader" in overview
    assert CASE not in _signed_in(app, "emp.asker").get("/ansettelser").get_data(as_text=True)

    public = client.get(f"/sokerlister/{CASE}")
    assert public.status_code == 200
    assert "ikke offentliggjort ennå" in public.get_data(as_text=True)
    missing = client.get("/sokerlister/2026/9999")
    assert missing.status_code == 404
    assert 'href="/stillinger"' in missing.get_data(as_text=True)  # a way on from the dead end


def test_the_public_list_names_each_column_at_phone_width(app: Flask) -> None:
    """At phone width a table's cells stack, each after its column's name (data-label)."""
    listed = SimpleNamespace(
        title="Sykepleier",
        vacancy_id=CASE,
        is_published=True,
        applicants=[
            SimpleNamespace(
                name="Bjørn Dahl", age=29, occupation="Sykepleier", home_municipality="Hamar"
            )
        ],
    )
    with app.test_request_context("/sokerlister/2026/0412"):
        page = render_template("hiring_public_list.html", listed=listed, user=None)
    for label, value in (
        ("Navn", "Bjørn Dahl"),
        ("Alder", "29"),
        ("Stilling eller yrke", "Sykepleier"),
        ("Bostedskommune", "Hamar"),
    ):
        assert f'<td data-label="{label}">{value}</td>' in page
