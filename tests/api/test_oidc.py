"""OpenID Connect sign-in against a small OIDC provider that runs in the test on a free port.

The provider serves discovery, JWKS, authorize and token, checks the client secret and the
PKCE verifier, and signs RS256 ID tokens with a key generated here. The app under test talks
to it over real HTTP; the browser's part (following redirects) is played by the test client
and requests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from flask import Flask, abort, jsonify, redirect, request
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from engine.services import oidc
from engine.services.wiring import Wiring
from engine.settings import Settings, SettingsError
from saksflyt.app import create_app

CLIENT_ID = "saksflyt-test"
CLIENT_SECRET = "provider-secret-0123456789"
ROLE_MAP = "grp-caseworkers:participant,Saksflyt.Leader:leader,Saksflyt.Leader:participant"


class Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@dataclass
class Provider:
    """A tiny OpenID provider; `user` is who signs in next, `mode` how the ID token is spoiled."""

    url: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    user: dict[str, Any] = field(default_factory=dict)
    mode: str = "good"
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Flask:
        app = Flask("test_oidc_provider")

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(
                issuer=self.url,
                authorization_endpoint=f"{self.url}/authorize",
                token_endpoint=f"{self.url}/token",
                jwks_uri=f"{self.url}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
            )

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize() -> Any:
            args = request.args
            if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
                abort(400)
            if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
                abort(400)
            code = secrets.token_urlsafe(16)
            self.codes[code] = {**args.to_dict(), "claims": dict(self.user)}
            query = urlencode({"code": code, "state": args["state"]})
            return redirect(f"{args['redirect_uri']}?{query}")

        @app.post("/token")
        def token() -> Any:
            form = request.form.to_dict()
            self.token_requests.append(form)
            auth = request.authorization
            if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
                return jsonify(error="invalid_client"), 401
            grant = self.codes.pop(form.get("code", ""), None)
            if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
                return jsonify(error="invalid_grant"), 400
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if challenge.decode() != grant["code_challenge"]:
                return jsonify(error="invalid_grant", error_description="PKCE"), 400
            return jsonify(
                access_token=secrets.token_urlsafe(16),
                token_type="Bearer",
                expires_in=300,
                id_token=self.id_token(grant),
            )

        return app

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": "https://elsewhere.example" if self.mode == "wrong_issuer" else self.url,
            "sub": grant["claims"].get("preferred_username", "nobody"),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": "not-the-nonce" if self.mode == "wrong_nonce" else grant["nonce"],
            **grant["claims"],
        }
        key = self.key
        if self.mode == "foreign_key":
            key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        signed = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        if self.mode == "tampered":
            header, _, signature = signed.split(".")
            forged = {**claims, "roles": ["Saksflyt.Leader"]}
            signed = f"{header}.{_payload(forged)}.{signature}"
        return signed


def _payload(claims: dict[str, Any]) -> str:
    raw = json.dumps(claims, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    running = Provider()
    httpd: BaseWSGIServer = make_server(
        "127.0.0.1", 0, running.app(), threaded=True, request_handler=Quiet
    )
    running.url = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    yield running
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def oidc_client(deployed: Wiring, provider: Provider) -> FlaskClient:
    provider.mode = "good"
    provider.token_requests.clear()
    settings = replace(
        deployed.settings,
        public_url="http://localhost",
        oidc_issuer=provider.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_role_map=ROLE_MAP,
    )
    return create_app(settings, wiring=replace(deployed, settings=settings)).test_client()


def sign_in(client: FlaskClient, next_path: str = "/start") -> Any:
    """Play the browser: our login → provider authorize → our callback; return the last reply."""
    start = client.get(f"/auth/oidc/login?next={next_path}")
    assert start.status_code == 302, start.get_data(as_text=True)
    to_provider = start.headers["Location"]
    query = parse_qs(urlsplit(to_provider).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]
    at_provider = requests.get(to_provider, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.netloc == "localhost" and back.path == "/auth/oidc/callback"
    return client.get(f"{back.path}?{back.query}")


def test_a_new_user_signs_in_and_gets_the_mapped_roles(
    oidc_client: FlaskClient, provider: Provider
) -> None:
    provider.user = {
        "preferred_username": "Nora.Nilsen@Asker.example",
        "name": "Nora Nilsen",
        "email": "nora.nilsen@asker.example",
        "groups": ["grp-unrelated", "grp-caseworkers"],
        "roles": ["Saksflyt.Leader"],
        "municipality": "asker",
    }
    reply = sign_in(oidc_client)
    assert reply.status_code == 302 and reply.headers["Location"] == "/start"
    verifier = provider.token_requests[-1]["code_verifier"]
    assert len(verifier) >= 43
    me = oidc_client.get("/api/v1/me").get_json()
    assert me["username"] == "nora.nilsen@asker.example"
    assert me["full_name"] == "Nora Nilsen"
    assert me["municipality_id"] == "asker"
    assert sorted(me["roles"]) == ["leader", "participant"]
    assert oidc_client.get("/start").status_code == 200

    # Next time the provider says she left the leader group: the roles follow.
    provider.user = {**provider.user, "roles": []}
    fresh = oidc_client.application.test_client()
    assert sign_in(fresh, "/").status_code == 302
    assert fresh.get("/api/v1/me").get_json()["roles"] == ["participant"]


def test_a_user_without_mapped_roles_is_refused_with_a_page(
    oidc_client: FlaskClient, provider: Provider
) -> None:
    provider.user = {"preferred_username": "guest@asker.example", "groups": ["grp-unrelated"]}
    reply = sign_in(oidc_client)
    assert reply.status_code == 403
    page = reply.get_data(as_text=True)
    assert "Innloggingen ble avvist" in page
    assert "ingen av gruppene eller rollene dine gir tilgang" in page
    assert oidc_client.get("/api/v1/me").status_code == 401


def test_a_built_in_account_is_not_taken_over(oidc_client: FlaskClient, provider: Provider) -> None:
    provider.user = {"preferred_username": "admin", "roles": ["Saksflyt.Leader"]}
    reply = sign_in(oidc_client)
    assert reply.status_code == 403
    assert 'data-reason="oidc_local_account"' in reply.get_data(as_text=True)
    assert oidc_client.get("/api/v1/me").status_code == 401


def test_an_unknown_municipality_is_refused(oidc_client: FlaskClient, provider: Provider) -> None:
    provider.user = {
        "preferred_username": "x@oslo.example",
        "groups": ["grp-caseworkers"],
        "municipality": "oslo",
    }
    reply = sign_in(oidc_client)
    assert reply.status_code == 403
    assert 'data-reason="oidc_unknown_municipality"' in reply.get_data(as_text=True)


@pytest.mark.parametrize("mode", ["tampered", "foreign_key", "wrong_nonce", "wrong_issuer"])
def test_a_spoiled_id_token_is_refused(
    oidc_client: FlaskClient, provider: Provider, mode: str
) -> None:
    provider.user = {"preferred_username": "eve@asker.example", "groups": ["grp-caseworkers"]}
    provider.mode = mode
    reply = sign_in(oidc_client)
    assert reply.status_code == 401
    assert 'data-reason="oidc_token_invalid"' in reply.get_data(as_text=True)
    assert oidc_client.get("/api/v1/me").status_code == 401
    with oidc_client.application.app_context():
        wiring = oidc_client.application.extensions["saksflyt"]
        with wiring.new_uow() as uow:
            assert uow.users.find("eve@asker.example") is None


def test_a_callback_with_a_foreign_state_is_refused(
    oidc_client: FlaskClient, provider: Provider
) -> None:
    provider.user = {"preferred_username": "eve@asker.example", "groups": ["grp-caseworkers"]}
    start = oidc_client.get("/auth/oidc/login")
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    # Another browser (no state in its session) brings the code back: refused.
    stranger = oidc_client.application.test_client()
    assert stranger.get(f"{back.path}?{back.query}").status_code == 401
    # The same browser replays it after a successful use: the state is spent.
    assert oidc_client.get(f"{back.path}?{back.query}").status_code == 302
    assert oidc_client.get(f"{back.path}?{back.query}").status_code == 401


def test_the_login_page_offers_the_provider_only_when_configured(
    oidc_client: FlaskClient, client: FlaskClient
) -> None:
    page = oidc_client.get("/login?next=/start").get_data(as_text=True)
    assert "Logg inn med Microsoft" in page
    assert 'href="/auth/oidc/login?next=/start"' in page
    assert "Logg inn med Microsoft" not in client.get("/login").get_data(as_text=True)
    assert client.get("/auth/oidc/login").status_code == 404


def test_half_configured_sign_in_and_unknown_roles_are_refused_at_start() -> None:
    with pytest.raises(SettingsError, match="CLIENT_ID"):
        Settings(oidc_issuer="https://login.example/tenant/v2.0").check()
    with pytest.raises(ValueError, match="known role"):
        oidc.parse_role_map("grp-1:superuser")
    assert oidc.parse_role_map("a:leader, a:participant,b:finance") == {
        "a": ("leader", "participant"),
        "b": ("finance",),
    }
