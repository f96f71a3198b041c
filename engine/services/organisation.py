"""Users, municipalities and units: the demo organisation, passwords and sign-in."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.services.errors import (
    BadRequest,
    Forbidden,
    TooManyAttempts,
    Unauthenticated,
)
from engine.services.roles import ROLES
from engine.services.step import history
from engine.store.errors import Conflict
from engine.store.models import Municipality, Unit, User
from engine.store.uow import UnitOfWork

# Light parameters: sign-in stays fast on a 2-core machine while still salted and memory-hard.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = _hasher.hash("not-a-password")


def hash_password(password: str) -> str:
    """Return a salted argon2id hash."""
    return _hasher.hash(password)


FREE_ATTEMPTS = 3  # wrong passwords in a row before sign-in slows down


def login_delay(failures: int, max_seconds: int) -> int:
    """Return how long the next sign-in must wait after `failures` wrong passwords in a row:
    nothing for the first FREE_ATTEMPTS, then 1, 2, 4, … seconds up to `max_seconds`
    (0 turns the delay off)."""
    if max_seconds <= 0 or failures < FREE_ATTEMPTS:
        return 0
    return int(min(2 ** min(failures - FREE_ATTEMPTS, 30), max_seconds))


def authenticate(
    new_uow: Callable[[], UnitOfWork],
    username: str,
    password: str,
    *,
    now: datetime,
    max_delay_seconds: int,
    client: str = "",
) -> User:
    """Return the user whose password matches, or raise Unauthenticated.

    Attempts on an account are counted per client address (`SignInThrottle`): after
    FREE_ATTEMPTS without a success, each attempt from that client waits `login_delay`, and
    while it runs attempts are refused with TooManyAttempts before the password is read. The
    attempt is claimed in a short locked transaction *before* the password check (which runs
    outside any transaction), so parallel guesses, from this process or another, are counted
    one by one and only one is checked per delay window. A stranger guessing from another
    address slows only their own attempts: the real user is never locked out.
    """
    with new_uow() as uow:
        user = uow.users.find(username)
    if user is not None:
        _claim_attempt(new_uow, username, client[:64], now, max_delay_seconds)
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError) as error:
        raise Unauthenticated("wrong username or password") from error
    if user is None or not user.is_active:
        raise Unauthenticated("wrong username or password")
    with new_uow() as uow:
        uow.users.clear_throttle(username, client[:64])
        uow.commit()
    return user


def _claim_attempt(
    new_uow: Callable[[], UnitOfWork],
    username: str,
    client: str,
    now: datetime,
    max_delay_seconds: int,
) -> None:
    with new_uow() as uow:
        counter = uow.users.throttle_for_update(username, client)
        if counter.delay_until is not None and counter.delay_until > now:
            raise TooManyAttempts((counter.delay_until - now).total_seconds())
        counter.attempts += 1
        seconds = login_delay(counter.attempts, max_delay_seconds)
        counter.delay_until = now + timedelta(seconds=seconds) if seconds else None
        uow.commit()


def load_demo(
    uow: UnitOfWork,
    path: Path,
    password: str,
    *,
    actor: str = "system:cli",
    now: datetime | None = None,
) -> int:
    """Load (or refresh) the demo organisation from YAML; return the number of users.

    The load is an admin edit of who may do what, so it is logged in the system stream. The
    file lists every password user: one it lists becomes active, one it no longer lists is
    deactivated (its sessions and tokens stop working at once). Users who sign in with OpenID
    Connect (no password) are not the file's to deactivate.
    """
    content = path.read_bytes()
    document = yaml.safe_load(content.decode("utf-8"))
    password_hash = hash_password(password)
    at = now or datetime.now(UTC)
    with uow:
        for row in document["municipalities"]:
            uow.session.merge(Municipality(**row))
        uow.flush()
        for row in document["units"]:
            uow.session.merge(
                Unit(id=row["id"], municipality_id=row["municipality"], name=row["name"])
            )
        uow.flush()
        listed = set()
        for row in document["users"]:
            _upsert_user(uow, row, password, password_hash)
            listed.add(row["username"])
            user = uow.users.get(row["username"])
            if not user.is_active:
                _set_active(uow, user, True, actor=actor, now=at, reason="organisation_file")
        for user in uow.users.list():
            if user.username not in listed and user.password_hash and user.is_active:
                _set_active(uow, user, False, actor=actor, now=at, reason="organisation_file")
        history.append(
            uow,
            stream=history.SYSTEM_STREAM,
            type="organisation_loaded",
            actor=actor,
            at=at,
            data={
                "file": path.name,
                "hash": hashlib.sha256(content).hexdigest(),
                "municipalities": len(document["municipalities"]),
                "units": len(document["units"]),
                "users": len(document["users"]),
            },
        )
        uow.commit()
    return len(document["users"])


def _upsert_user(uow: UnitOfWork, row: dict[str, Any], password: str, password_hash: str) -> None:
    unknown = set(row.get("roles", [])) - ROLES
    if unknown:
        raise BadRequest(f"unknown roles for {row['username']}: {sorted(unknown)}")
    user = uow.users.find(row["username"]) or User(username=row["username"])
    user.full_name = row["full_name"]
    user.email = row["email"]
    user.roles = list(row.get("roles", []))
    user.municipality_id = row.get("municipality")
    user.unit_id = row.get("unit")
    user.leader_username = row.get("leader")
    audit = row.get("audit") or {}
    if set(audit) - {"municipality", "personal_data"}:
        raise BadRequest(f"audit for {row['username']} takes municipality and personal_data")
    user.audit_municipality_id = audit.get("municipality")
    user.audit_personal_data = bool(audit.get("personal_data", False))
    if not _verifies(user.password_hash, password):  # a new password ends every session
        if user.password_hash is not None:
            uow.users.end_sessions(user.username)
        user.password_hash = password_hash
    uow.users.add(user)
    uow.flush()


def _verifies(password_hash: str | None, password: str) -> bool:
    try:
        return bool(password_hash) and _hasher.verify(password_hash or "", password)
    except (VerificationError, InvalidHashError):
        return False


def set_active(uow: UnitOfWork, username: str, active: bool, *, actor: User, now: datetime) -> User:
    """Deactivate a user (their sessions and tokens stop working at once) or reactivate them.

    Admins only; an admin cannot deactivate themselves. Logged in the system stream.
    """
    if "admin" not in actor.roles:
        raise Forbidden("only an admin may deactivate or reactivate users")
    with uow:
        user = uow.users.get(username)
        if not active and user.username == actor.username:
            raise Conflict("deactivate_self", "you cannot deactivate yourself")
        if user.is_active != active:
            _set_active(uow, user, active, actor=actor.username, now=now, reason="admin")
            uow.commit()
    return user


def _set_active(
    uow: UnitOfWork, user: User, active: bool, *, actor: str, now: datetime, reason: str
) -> None:
    user.is_active = active
    if not active:
        uow.users.end_sessions(user.username)
    history.append(
        uow,
        stream=history.SYSTEM_STREAM,
        type="user_reactivated" if active else "user_deactivated",
        actor=actor,
        at=now,
        data={"username": user.username, "reason": reason},
    )


def users_with_password(uow: UnitOfWork, password: str) -> Sequence[str]:
    """Return the usernames whose password is `password` (production start-up check)."""
    found = []
    with uow:
        users = uow.users.list()
    for user in users:
        try:
            if user.password_hash and _hasher.verify(user.password_hash, password):
                found.append(user.username)
        except (VerificationError, InvalidHashError):
            continue
    return found


def list_users(uow: UnitOfWork) -> Sequence[User]:
    """Return every user."""
    with uow:
        return uow.users.list()


def municipality_names(uow: UnitOfWork) -> dict[str, str]:
    """Return every municipality's name by its id (the pages show names, never ids)."""
    with uow:
        return {m.id: m.name for m in uow.users.municipalities()}


def update_preferences(
    uow: UnitOfWork,
    username: str,
    *,
    locale: str | None = None,
    reminders_enabled: bool | None = None,
    now: datetime,
) -> User:
    """Change a user's own mail language and whether reminder mails are sent to them."""
    with uow:
        user = uow.users.get(username)
        changed: dict[str, list[Any]] = {}
        if locale is not None and locale != user.locale:
            changed["locale"] = [user.locale, locale]
            user.locale = locale
        if reminders_enabled is not None and reminders_enabled != user.reminders_enabled:
            changed["reminders_enabled"] = [user.reminders_enabled, reminders_enabled]
            user.reminders_enabled = reminders_enabled
        if changed:
            history.append(
                uow,
                stream=history.SYSTEM_STREAM,
                type="preferences_changed",
                actor=username,
                at=now,
                data={"username": username, "changed": changed},
            )
        uow.commit()
    return user
