"""OpenID Connect sign-in for the pages (Microsoft Entra ID or any provider), with Authlib.

Authorization code flow with PKCE (S256), state and nonce kept in the session cookie; the ID
token's signature is checked against the provider's JWKS, and its issuer, audience, expiry and
nonce by Authlib. engine.services.oidc then turns the claims into a user with mapped roles.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
)
from flask.typing import ResponseReturnValue
from joserfc.errors import JoseError

from api.auth import sign_in_session
from api.wiring import services
from engine.services import oidc
from engine.services.errors import Unauthenticated
from engine.settings import Settings
from web.blueprint import choose_language, page_context, safe_next, secure_headers

bp = Blueprint("oidc", __name__, url_prefix="/auth/oidc")
bp.before_request(choose_language)
bp.context_processor(page_context)
bp.after_request(secure_headers)

CLIENT = "oidc"
NEXT_KEY = "oidc_next"


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider with Authlib when SAKSFLYT_OIDC_ISSUER is set; mount the routes."""
    app.register_blueprint(bp)
    if not settings.oidc_issuer:
        return
    rules = oidc.ClaimRules(
        role_map=oidc.parse_role_map(settings.oidc_role_map),
        role_claims=tuple(c.strip() for c in settings.oidc_role_claims.split(",") if c.strip()),
        username_claim=settings.oidc_username_claim,
        municipality_claim=settings.oidc_municipality_claim,
    )
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )
    app.extensions["saksflyt_oidc"] = (oauth, rules)


def _client() -> tuple[Any, oidc.ClaimRules]:
    configured = current_app.extensions.get("saksflyt_oidc")
    if configured is None:
        abort(404)
    oauth, rules = configured
    return oauth.create_client(CLIENT), rules


def _callback_url() -> str:
    public = services().settings.public_url.rstrip("/")
    return f"{public}/auth/oidc/callback"


@bp.get("/login")
def login() -> ResponseReturnValue:
    """Send the browser to the provider (state, nonce and the PKCE verifier kept in the session)."""
    client, _ = _client()
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    try:
        return client.authorize_redirect(_callback_url())  # type: ignore[no-any-return]
    except (requests.RequestException, AuthlibBaseError, ValueError, KeyError):
        return _refused("provider_unreachable", 502)


@bp.get("/callback")
def callback() -> ResponseReturnValue:
    """Take the provider's answer: code for tokens, verify the ID token, sign the user in."""
    client, rules = _client()
    wiring = services()
    try:
        token = client.authorize_access_token()
    except requests.RequestException:
        return _refused("provider_unreachable", 502)
    except (AuthlibBaseError, JoseError, ValueError, KeyError):
        # Wrong or reused state, a refused code, a bad signature, issuer, audience or nonce.
        return _refused("token_invalid", 401)
    claims = token.get("userinfo")
    if not claims:
        return _refused("token_invalid", 401)
    try:
        user = oidc.sign_in(
            wiring.new_uow(), dict(claims), rules, now=wiring.now(), address=request.remote_addr
        )
    except oidc.SignInRefused as refusal:
        return _refused(refusal.reason, 403)
    except Unauthenticated:
        return _refused("token_invalid", 401)
    next_path = session.pop(NEXT_KEY, None) or safe_next(None)
    lang = g.lang
    sign_in_session(user)
    session["lang"] = lang
    return redirect(safe_next(next_path))


def _refused(reason: str, status: int) -> ResponseReturnValue:
    session.pop(NEXT_KEY, None)
    page = render_template("oidc_refused.html", user=None, reason=f"oidc_{reason}")
    return page, status
