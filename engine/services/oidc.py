"""OpenID Connect sign-in: the provider's verified ID token claims to a saksflyt user.

The protocol (redirects, PKCE, state, nonce, signature) is web/oidc.py's with Authlib;
this module only decides who the claims are and which roles they get.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.services.audit import chain as audit
from engine.services.errors import Forbidden, Unauthenticated
from engine.services.roles import ROLES
from engine.store.models import User
from engine.store.uow import UnitOfWork


@dataclass(frozen=True)
class ClaimRules:
    """Which claims name the user, their municipality and their roles."""

    role_map: Mapping[str, tuple[str, ...]]
    role_claims: tuple[str, ...] = ("roles", "groups")
    username_claim: str = "preferred_username"
    municipality_claim: str = "municipality"


class SignInRefused(Forbidden):
    """The provider vouched for the person, but saksflyt has no place for them (reason code)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def parse_role_map(text: str) -> dict[str, tuple[str, ...]]:
    """Parse "value:role,value:role" (a value may repeat for roles); refuse unknown roles."""
    mapping: dict[str, tuple[str, ...]] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        value, sep, role = pair.rpartition(":")
        value, role = value.strip(), role.strip()
        if not sep or not value or role not in ROLES:
            raise ValueError(
                f"SAKSFLYT_OIDC_ROLE_MAP: {pair!r} is not value:role with a known role"
            )
        mapping[value] = (*mapping.get(value, ()), role)
    return mapping


def _roles_from_claims(claims: Mapping[str, Any], rules: ClaimRules) -> list[str]:
    """Return our roles for the claim values the provider sent (a string or a list per claim)."""
    roles: list[str] = []
    for name in rules.role_claims:
        values = claims.get(name) or []
        for value in [values] if isinstance(values, str) else values:
            for role in rules.role_map.get(str(value), ()):
                if role not in roles:
                    roles.append(role)
    return roles


def sign_in(
    uow: UnitOfWork,
    claims: Mapping[str, Any],
    rules: ClaimRules,
    *,
    now: datetime,
    address: str | None = None,
) -> User:
    """Create or update the user the verified claims describe; refuse without mapped roles."""
    username = claims.get(rules.username_claim)
    if not isinstance(username, str) or not 0 < len(username.strip()) <= 80:
        raise Unauthenticated(f"the ID token has no usable {rules.username_claim} claim")
    username = username.strip().lower()
    roles = _roles_from_claims(claims, rules)
    municipality = claims.get(rules.municipality_claim)
    with uow:
        user = uow.users.find(username)
        refusal = _refusal(uow, user, roles, municipality)
        if refusal is None:
            user = _save(uow, user or User(username=username), claims, roles, municipality)
    if refusal is not None:
        audit.log_login_failure(uow, username, now, channel="oidc", address=address)
        raise refusal
    assert user is not None
    return user


def _save(
    uow: UnitOfWork, user: User, claims: Mapping[str, Any], roles: list[str], municipality: Any
) -> User:
    user.full_name = str(claims.get("name") or user.full_name or user.username)[:200]
    user.email = str(claims.get("email") or user.email or "")[:200]
    user.roles = roles
    if municipality is not None:
        user.municipality_id = str(municipality)
    uow.users.add(user)
    uow.commit()
    return user


def _refusal(
    uow: UnitOfWork, user: User | None, roles: list[str], municipality: Any
) -> SignInRefused | None:
    if not roles:
        return SignInRefused("no_roles", "none of the provider's groups or roles gives access")
    if user is not None and user.password_hash:
        # A built-in account is never taken over by a provider that happens to use its name.
        return SignInRefused("local_account", "this username belongs to a built-in account")
    if user is not None and not user.is_active:
        return SignInRefused("inactive", "the user is deactivated")
    if municipality is not None and uow.users.municipality(str(municipality)) is None:
        return SignInRefused("unknown_municipality", f"unknown municipality {municipality!r}")
    return None
