"""One Settings dataclass from SAKSFLYT_* variables; the only reader of os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Self

DEMO_PASSWORD = "demo-passord-2026"
DEFAULT_SECRET_KEY = "saksflyt-development-secret-key-change-me"

ROOT = Path(__file__).resolve().parent.parent
# Process data fields that name no person: which municipalities, and the decisions.
AUDIT_OPEN_FIELDS = (
    "municipality,receiving_municipality,lending_municipality,employee_municipality,"
    "same_municipality,approved,decision"
)


class SettingsError(ValueError):
    """The configuration is unsafe or malformed."""


@dataclass(frozen=True)
class Settings:
    # Environment: development, demo, test or production (production refuses unsafe defaults).
    env: str = "development"
    # SQLAlchemy URL; the embedded default is SQLite in ./instance/.
    database_url: str = f"sqlite:///{ROOT / 'instance' / 'saksflyt.sqlite3'}"
    # Where process folders (BPMN, DMN, scenarios) are deployed from at start-up.
    processes_dir: Path = ROOT / "processes"
    # Where form JSON Schema and UI schema files live.
    forms_dir: Path = ROOT / "forms"
    # Deployment-wide process settings (rates, deadlines): what scripts read with setting(name).
    process_settings_file: Path = ROOT / "processes" / "settings.yaml"
    # Demo organisation YAML loaded by `saksflyt demo load` / make run.
    demo_file: Path = ROOT / "engine" / "services" / "demo_organisation.yaml"
    # Password of every demo user (printed by make run; refused in production).
    demo_password: str = DEMO_PASSWORD
    # Signs API tokens and session cookies (refused in production if left at the default).
    secret_key: str = DEFAULT_SECRET_KEY
    # Lifetime of API bearer tokens, in seconds.
    token_ttl_seconds: int = 8 * 3600
    # A browser session ends after this many seconds without a request, and this many after
    # signing in however busy it is; signing out, deactivation and a new password end it at once.
    session_idle_seconds: int = 8 * 3600
    session_max_seconds: int = 12 * 3600
    # Interface and port `make run` serves on.
    host: str = "127.0.0.1"
    port: int = 5000
    # Request threads of `saksflyt serve` (waitress).
    threads: int = 8
    # Run the deadline scheduler inside the web process.
    scheduler_enabled: bool = True
    # Largest upload accepted (BPMN/DMN/forms, attachments), in bytes.
    max_upload_bytes: int = 5_000_000
    # Largest JSON request body, in bytes (413 beyond it); form data, task data and messages.
    max_json_bytes: int = 1_000_000
    # Public applications (POST /vacancies/{id}/applications) per client address per hour;
    # 0 turns the limit off.
    public_rate_limit: int = 10
    # Longest wait between sign-in attempts after wrong passwords in a row (the first three are
    # free, then 1, 2, 4, … seconds); 0 turns the delay off.
    login_delay_max_seconds: int = 60
    # Reverse proxies (nginx, a load balancer) in front of the app whose X-Forwarded-For,
    # -Proto and -Host headers are believed; 0 believes none, so no client can pick the address
    # the rate limit and the sign-in log see.
    trusted_proxies: int = 0
    # Steps the engine may run without waiting before it gives up (endless loops).
    step_budget: int = 10_000
    # Allow the admin clock endpoint (never honoured in production).
    demo_clock: bool = False
    # Default UI language: nb or en.
    default_locale: str = "nb"
    # Days after an instance ends before its personal data may be anonymised (a process can
    # set its own with the BPMN process property retentionDays).
    retention_days: int = 3650
    # Process data fields that name no person, comma-separated: auditors without the
    # personal-data right still read them; every other value of process data is "[skjult]".
    audit_open_fields: str = AUDIT_OPEN_FIELDS
    # Address of the web app, used for links in e-mails.
    public_url: str = "http://127.0.0.1:5000"
    # Hosts the `http` service-task connector may call, comma-separated (host or host:port);
    # empty calls none.
    http_allowed_hosts: str = ""
    # Longest an `http` service-task call may take, in seconds.
    http_timeout_seconds: int = 10
    # Largest response an `http` service-task call may read, in bytes.
    http_max_response_bytes: int = 1_000_000
    # Secrets `http` service tasks name as "SPIFF_SECRET:<name>", as a JSON object
    # {"name": "value"}; a model never holds them.
    http_secrets: str = ""
    # SMTP server for notifications; empty writes each mail as an .eml file to mail_dir instead.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    # Sender of notification e-mails.
    smtp_from: str = "saksflyt <saksflyt@localhost>"
    # Upgrade the SMTP connection with STARTTLS before signing in.
    smtp_starttls: bool = False
    # Folder the embedded mail transport writes to when smtp_host is empty.
    mail_dir: Path = ROOT / "instance" / "mail"
    # Working days after a task's due date before the assignee's leader is told.
    escalation_grace_working_days: int = 2
    # Longest the scheduler sleeps between checks, in seconds (it wakes at the next due time).
    scheduler_poll_seconds: int = 30
    # OpenID Connect sign-in (Microsoft Entra ID or any provider); empty issuer turns it off.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # Name on the sign-in button: "Logg inn med Microsoft".
    oidc_provider_name: str = "Microsoft"
    # Claim values (Entra ID group ids or app roles) to our roles: "value:role,value:role".
    oidc_role_map: str = ""
    # Claims holding those values, comma-separated (Entra ID: roles, groups).
    oidc_role_claims: str = "roles,groups"
    # Claim with the username, and claim with the municipality id (optional).
    oidc_username_claim: str = "preferred_username"
    oidc_municipality_claim: str = "municipality"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Self:
        """Read SAKSFLYT_<FIELD> variables over the defaults."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = env.get(f"SAKSFLYT_{field.name.upper()}")
            if raw is None:
                continue
            values[field.name] = _convert(field.name, raw, getattr(cls, field.name))
        return cls(**values)

    def check(self) -> None:
        """Refuse unsafe production settings and half-configured sign-in."""
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise SettingsError("SAKSFLYT_OIDC_ISSUER needs SAKSFLYT_OIDC_CLIENT_ID and _SECRET")
        if self.env != "production":
            return
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
            raise SettingsError(
                "SAKSFLYT_SECRET_KEY must be set to a long random value in production"
            )

    @property
    def is_production(self) -> bool:
        """Tell whether this is a production deployment."""
        return self.env == "production"


def _convert(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"SAKSFLYT_{name.upper()} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as error:
            raise SettingsError(f"SAKSFLYT_{name.upper()} must be a whole number") from error
    if isinstance(default, Path):
        return Path(raw)
    return raw
