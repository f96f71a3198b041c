"""Pages served to browsers; every page reads and writes through /api/v1 with the session cookie.

The server renders page shells (layout, language, CSRF token, the signed-in user's name); the
task lists, tasks, forms, history and process lists are fetched from the JSON API by the browser.
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from flask import (
    Blueprint,
    Response,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from api.auth import current_user, sign_in_session, sign_out_session
from api.wiring import services
from engine.services import access, demo_clock, organisation
from engine.services.audit import chain as audit_log
from engine.services.errors import TooManyAttempts, Unauthenticated
from engine.store.models import User
from web import i18n

# The app itself already owns /static (saksflyt/ has none), so the pages' assets live here.
bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)

TABS = ("mine", "group", "completed", "started")
TOOLS = {  # the menu's tools and who may use them
    "library": access.MODEL_READERS,
    "audit": access.AUDIT_READERS,
    "mail": access.ADMINISTRATION,
    "clock": access.ADMINISTRATION,  # and only while the demo clock is allowed
    "users": access.ADMINISTRATION,
    "board": access.BOARD_USERS,  # in the main menu
}
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # bpmn-js sets style attributes on the diagram's SVG.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)


@bp.before_request
def choose_language() -> None:
    """Pick the page language from ?lang=, the session, Accept-Language or the settings;
    remember a ?lang= choice."""
    requested = request.args.get("lang")
    default = services().settings.default_locale
    accepted = request.accept_languages.best_match(i18n.LANGUAGES)
    g.lang = i18n.pick_language(requested, session.get("lang"), default, accepted)
    if requested in i18n.LANGUAGES:
        session["lang"] = requested


@bp.after_request
def secure_headers(response: Response) -> Response:
    """Send the pages with a strict content security policy and no framing."""
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


@bp.context_processor
def page_context() -> dict[str, Any]:
    """Give every template the language, the translator and the session's CSRF token."""
    lang = g.get("lang", "nb")

    def t(key: str, **values: object) -> str:
        return i18n.translate(lang, key, **values)

    return {
        "lang": lang,
        "t": t,
        "other_lang": "en" if lang == "nb" else "nb",
        "csrf_token": session.get("csrf", ""),
        "strings": i18n.page_messages(lang),
        "format_date": lambda value: i18n.format_date(value, lang),
        "format_money": lambda value: i18n.format_money(value, lang),
        # The menu shows the tools the user may use (engine/services/access.py decides).
        "may_use": lambda user, tool: access.holds(user, TOOLS[tool]),
        "demo_clock_allowed": demo_clock.is_allowed(services().settings),
    }


def _signed_in() -> User | None:
    if "username" not in session:
        return None
    try:
        return current_user()
    except Unauthenticated:
        session.clear()
        return None


def _to_login() -> ResponseReturnValue:
    target = request.full_path.rstrip("?") if request.path != "/" else "/"
    return redirect(url_for("web.login") + "?" + urlencode({"next": target}))


# Browsers drop tabs and newlines from a URL (`/\t/evil.example` becomes `//evil.example`, another
# host) and read a backslash as a slash; other control characters cannot be sent in a header.
_NOT_IN_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(target: str | None) -> str:
    """Return a local path to go to after sign-in (never another host, never a broken header)."""
    path = target or ""
    if path.startswith("/") and not path.startswith("//") and not _NOT_IN_NEXT.search(path):
        return path
    return url_for("web.inbox")


def _oidc_name() -> str | None:
    """Return the OpenID Connect provider's name for the sign-in button, if one is configured."""
    settings = services().settings
    return settings.oidc_provider_name if settings.oidc_issuer else None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form; check the credentials and start a session."""
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        if _signed_in() is not None:
            return redirect(next_path)
        session["login_csrf"] = secrets.token_urlsafe(24)
        return render_template(
            "login.html", next_path=next_path, error=None, username="", oidc=_oidc_name()
        )
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    expected = session.pop("login_csrf", None)
    session["login_csrf"] = secrets.token_urlsafe(24)
    error, retry_after = None, 0
    if not expected or not secrets.compare_digest(expected, request.form.get("login_csrf", "")):
        error = "login_expired"
    elif not username or not password:
        error = "login_missing"
    else:
        try:
            wiring = services()
            user = organisation.authenticate(
                wiring.new_uow,
                username,
                password,
                now=wiring.now(),
                max_delay_seconds=wiring.settings.login_delay_max_seconds,
                client=request.remote_addr or "",
            )
        except TooManyAttempts as waiting:
            error, retry_after = "login_delayed", waiting.retry_after
        except Unauthenticated:
            error = "login_failed"
            wiring = services()
            audit_log.log_login_failure(
                wiring.new_uow(), username, wiring.now(), channel="web", address=request.remote_addr
            )
    if error is not None:
        page = render_template(
            "login.html",
            next_path=next_path,
            error=error,
            retry_after=retry_after,
            username=username,
            oidc=_oidc_name(),
        )
        status = {"login_failed": 401, "login_delayed": 429}.get(error, 400)
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        return page, status, headers
    lang = g.lang
    sign_in_session(user)
    session["lang"] = lang
    return redirect(next_path)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session (the form carries the CSRF token)."""
    token = request.form.get("csrf", "")
    if session.get("csrf") and secrets.compare_digest(str(session["csrf"]), token):
        lang = session.get("lang")
        sign_out_session()
        if lang:
            session["lang"] = lang
    return redirect(url_for("web.login"))


@bp.get("/")
def inbox() -> ResponseReturnValue:
    """The start page: the user's task lists."""
    user = _signed_in()
    if user is None:
        return _to_login()
    tab = request.args.get("tab", "mine")
    return render_template(
        "inbox.html", user=user, tab=tab if tab in TABS else "mine", tabs=TABS, page="inbox"
    )


@bp.get("/tasks/<uuid:task_id>")
def task(task_id: UUID) -> ResponseReturnValue:
    """One task: instructions, form, claim, diagram and history."""
    user = _signed_in()
    if user is None:
        return _to_login()
    return render_template("task.html", user=user, task_id=str(task_id), page="task")


@bp.get("/cases")
def cases() -> ResponseReturnValue:
    """Mine saker: the cases the user started or takes part in; beside it, for HR, service
    leaders and finance, the cases their role covers (`?view=role`)."""
    user = _signed_in()
    if user is None:
        return _to_login()
    overview = access.has_overview(user)
    view = "role" if overview and request.args.get("view") == "role" else "mine"
    values = {"view": view, "has_overview": overview, "processes": access.overview_processes()}
    return render_template("cases.html", user=user, page="cases", **values)


@bp.get("/cases/<uuid:instance_id>")
def case(instance_id: UUID) -> ResponseReturnValue:
    """One case as its participant sees it: state, deadlines, tasks, documents, history."""
    user = _signed_in()
    if user is None:
        return _to_login()
    names = organisation.municipality_names(services().new_uow())
    values = {"instance_id": str(instance_id), "municipalities": names}
    return render_template("case.html", user=user, page="cases", **values)


@bp.get("/start")
def start() -> ResponseReturnValue:
    """The processes the user can start."""
    user = _signed_in()
    if user is None:
        return _to_login()
    return render_template("start.html", user=user, page="start")


@bp.get("/announcements")
def board() -> ResponseReturnValue:
    """The assignment routine's announcement board: open announcements in the region."""
    user = _signed_in()
    if user is None:
        return _to_login()
    if not access.holds(user, TOOLS["board"]):
        return render_template("admin_forbidden.html", user=user, page="board"), 403
    return render_template("board.html", user=user, page="board")


@bp.get("/settings")
def settings_page() -> ResponseReturnValue:
    """The user's own settings: reminder mails on or off, mail language."""
    user = _signed_in()
    if user is None:
        return _to_login()
    return render_template("settings.html", user=user, page="settings")


@bp.get("/admin/mail")
def admin_mail() -> ResponseReturnValue:
    """Outgoing e-mail (the outbox, readable without an SMTP server)."""
    user = _signed_in()
    if user is None:
        return _to_login()
    if not access.holds(user, access.ADMINISTRATION):
        return render_template("admin_forbidden.html", user=user, page="mail"), 403
    return render_template("admin_mail.html", user=user, page="mail")


@bp.get("/admin/clock")
def admin_clock() -> ResponseReturnValue:
    """The demo clock: the engine's date and buttons that move it forward (admins; the menu
    shows it only while SAKSFLYT_DEMO_CLOCK allows it)."""
    user = _signed_in()
    if user is None:
        return _to_login()
    if not access.holds(user, TOOLS["clock"]):
        return render_template("admin_forbidden.html", user=user, page="clock"), 403
    return render_template("admin_clock.html", user=user, page="clock")


@bp.get("/admin/users")
def admin_users() -> ResponseReturnValue:
    """Users, with deactivate and reactivate (admins)."""
    user = _signed_in()
    if user is None:
        return _to_login()
    if not access.holds(user, access.ADMINISTRATION):
        return render_template("admin_forbidden.html", user=user, page="users"), 403
    names = organisation.municipality_names(services().new_uow())
    return render_template("admin_users.html", user=user, page="users", municipalities=names)


@bp.get("/stillinger")
def vacancies() -> ResponseReturnValue:
    """The public list of vacancies (no sign-in)."""
    return render_template("vacancies.html", user=_signed_in(), page="vacancies")


@bp.get("/stillinger/<path:vacancy_id>")
def vacancy(vacancy_id: str) -> ResponseReturnValue:
    """One vacancy with the application form (no sign-in)."""
    values = {
        "user": _signed_in(),
        "page": "vacancies",
        "vacancy_id": vacancy_id[:200],
        "max_upload_bytes": services().settings.max_upload_bytes,
    }
    return render_template("vacancies_apply.html", **values)


# The process owner's pages: library, diff, migration and modeler.


def _library_page(
    template: str, *, owners_only: bool = False, **values: Any
) -> ResponseReturnValue:
    user = _signed_in()
    if user is None:
        return _to_login()
    allowed = access.MODEL_EDITORS if owners_only else access.MODEL_READERS
    if not access.holds(user, allowed):
        return render_template("library_forbidden.html", user=user, page="library"), 403
    can_edit = access.holds(user, access.MODEL_EDITORS)
    return render_template(template, user=user, page="library", can_edit=can_edit, **values)


@bp.get("/library")
def library() -> ResponseReturnValue:
    """Every process with its versions, running instances, files and diagrams."""
    return _library_page("library.html")


@bp.get("/library/<string:key>/diff")
def library_diff(key: str) -> ResponseReturnValue:
    """Two versions of a process compared, as lists and coloured diagrams."""
    to_version = request.args.get("to", type=int) or 2
    from_version = request.args.get("from", type=int) or max(to_version - 1, 1)
    return _library_page(
        "library_diff.html", key=key, from_version=from_version, to_version=to_version
    )


@bp.get("/library/<string:key>/migrate")
def library_migrate(key: str) -> ResponseReturnValue:
    """Dry run and migration of running instances to a newer version."""
    return _library_page("library_migrate.html", owners_only=True, key=key)


@bp.get("/modeler/<string:key>/<int:version>")
def modeler(key: str, version: int) -> ResponseReturnValue:
    """The BPMN modeler on a draft of one version."""
    return _library_page("modeler.html", owners_only=True, key=key, version=version)


@bp.get("/modeler/<string:key>/<int:version>/dmn/<string:name>")
def modeler_dmn(key: str, version: int, name: str) -> ResponseReturnValue:
    """The decision table editor on a DMN file of a version's deployment."""
    values = {"key": key, "version": version, "name": name}
    return _library_page("modeler_dmn.html", owners_only=True, **values)


@bp.get("/modeler/<string:key>/<int:version>/forms/<string:name>")
def modeler_form(key: str, version: int, name: str) -> ResponseReturnValue:
    """The form editor: JSON Schema and UI schema side by side with the inbox's preview."""
    ui = request.args.get("ui") or name.removesuffix(".schema.json") + ".uischema.json"
    values = {"key": key, "version": version, "name": name, "ui_name": ui}
    return _library_page("modeler_form.html", owners_only=True, **values)


@bp.get("/modeler/new")
def modeler_new() -> ResponseReturnValue:
    """The BPMN modeler on a new process from a blank diagram (kept in the browser)."""
    return _library_page("modeler.html", owners_only=True, key="", version=None, mode="new")


@bp.get("/modeler/import")
def modeler_import() -> ResponseReturnValue:
    """The BPMN modeler on a diagram imported from another tool (kept in the browser)."""
    return _library_page("modeler.html", owners_only=True, key="", version=None)


# The auditors' pages: instance search, and one instance's timeline and step-through player.


def _audit_page(template: str, **values: Any) -> ResponseReturnValue:
    user = _signed_in()
    if user is None:
        return _to_login()
    if not access.holds(user, access.AUDIT_READERS):
        return render_template("audit_forbidden.html", user=user, page="audit"), 403
    return render_template(template, user=user, page="audit", **values)


@bp.get("/audit")
def audit() -> ResponseReturnValue:
    """Search instances (the auditors' start page)."""
    names = organisation.municipality_names(services().new_uow())
    return _audit_page("audit_search.html", municipalities=names)


@bp.get("/audit/instances/<uuid:instance_id>")
def audit_instance(instance_id: UUID) -> ResponseReturnValue:
    """One instance: its timeline and the step-through player on the diagram."""
    return _audit_page("audit_instance.html", instance_id=str(instance_id))


# The hiring procedure's pages register on this blueprint (they share its layout and texts).
from web import hiring as _hiring  # noqa: E402, F401
