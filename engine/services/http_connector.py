"""The `http` connector: service tasks that call another system over HTTP (issue 19).

SpiffArena's convention, `spiffworkflow:serviceTaskOperator id="http/GetRequest"` (or
`http/PostRequest`) with the parameters `url`, `headers`, `params` (GET query), `data` (POST JSON
body), `basic_auth_username` and `basic_auth_password`; the task's `resultVariable` gets
`{"body": …, "mimetype": …, "http_status": …}` (the body parsed when it is JSON).

The guards are the deployment's, never the model's (Settings; `register` binds each wiring's
policy into its registry):
- only hosts in `SAKSFLYT_HTTP_ALLOWED_HOSTS` are called (empty, the default: none), and
  redirects are not followed, so an allowed host cannot send the call elsewhere;
- every call has a timeout and a largest response;
- secrets come from `SAKSFLYT_HTTP_SECRETS`; a model names one as `"SPIFF_SECRET:<name>"` in
  any parameter and never holds its value (deploy refuses a literal password, see
  `check_parameters`), and no error message repeats a secret's value.
Each call runs in a step of its own (`own_step`: the timer table runs it, due at once), so a
refused or failed call (timeout, connection, status 400 or more, too large) is an incident with
the reason, to retry, and the person's step before it stays stored.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.runtime.errors import ScriptFailed
from engine.runtime.registry import Registry

OPERATORS = ("http/GetRequest", "http/PostRequest")
SECRET = re.compile(r"SPIFF_SECRET:([A-Za-z0-9_.-]+)")
PARAMETERS = {
    "http/GetRequest": {"url", "headers", "params", "basic_auth_username", "basic_auth_password"},
    "http/PostRequest": {"url", "headers", "data", "basic_auth_username", "basic_auth_password"},
}


@dataclass(frozen=True)
class HttpPolicy:
    """What this deployment lets service tasks call, and with which secrets."""

    allowed_hosts: frozenset[str] = frozenset()
    timeout_seconds: float = 10.0
    max_response_bytes: int = 1_000_000
    secrets: Mapping[str, str] = field(default_factory=dict)


def policy_from(allowed_hosts: str, timeout: float, max_bytes: int, secrets: str) -> HttpPolicy:
    """Build the policy from the settings' text: hosts comma-separated, secrets a JSON object."""
    hosts = frozenset(h.strip().lower() for h in allowed_hosts.split(",") if h.strip())
    parsed = json.loads(secrets) if secrets.strip() else {}
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise ValueError('SAKSFLYT_HTTP_SECRETS must be a JSON object of texts: {"name": "…"}')
    return HttpPolicy(hosts, float(timeout), int(max_bytes), parsed)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx answer is returned as it is, and fails the call


_OPENER = urllib.request.build_opener(_NoRedirects)


def call(method: str, params: Mapping[str, Any], policy: HttpPolicy) -> str:
    """Make one call of an `http` service task under `policy`; return the result as JSON."""
    resolved = _resolve(dict(params), policy.secrets)
    url = str(resolved.get("url") or "")
    _check_url(url, policy)
    if resolved.get("params"):
        query = urllib.parse.urlencode(resolved["params"], doseq=True)
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    headers = {str(k): str(v) for k, v in (resolved.get("headers") or {}).items()}
    if resolved.get("basic_auth_username"):
        pair = f"{resolved['basic_auth_username']}:{resolved.get('basic_auth_password') or ''}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    body = None
    if method == "POST":
        body = json.dumps(resolved.get("data") or {}).encode()
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=policy.timeout_seconds) as response:
            status, mimetype = response.status, response.headers.get_content_type()
            raw = response.read(policy.max_response_bytes + 1)
    except urllib.error.HTTPError as error:
        error.close()  # the answer's connection, which the error holds
        raise _failed(f"{method} {url} answered {error.code} {error.reason}", policy) from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise _failed(f"{method} {url} failed: {reason}", policy) from error
    if len(raw) > policy.max_response_bytes:
        limit = policy.max_response_bytes
        raise _failed(f"{method} {url} answered more than {limit} bytes", policy)
    return json.dumps({"body": _body(raw, mimetype), "mimetype": mimetype, "http_status": status})


def _check_url(url: str, policy: HttpPolicy) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _failed(f"'{url}' is not an http or https address", policy)
    host = parts.hostname.lower()
    with_port = f"{host}:{parts.port}" if parts.port else host
    if host not in policy.allowed_hosts and with_port not in policy.allowed_hosts:
        allowed = ", ".join(sorted(policy.allowed_hosts)) or "none"
        message = f"the host '{with_port}' is not in SAKSFLYT_HTTP_ALLOWED_HOSTS ({allowed})"
        raise _failed(message, policy)


def _resolve(value: Any, secrets: Mapping[str, str]) -> Any:
    """Replace each `SPIFF_SECRET:<name>` with the configured secret; refuse unknown names."""
    if isinstance(value, str):

        def secret(found: re.Match[str]) -> str:
            if found[1] not in secrets:
                raise ScriptFailed(f"the secret '{found[1]}' is not in SAKSFLYT_HTTP_SECRETS")
            return secrets[found[1]]

        return SECRET.sub(secret, value)
    if isinstance(value, dict):
        return {k: _resolve(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, secrets) for v in value]
    return value


def _body(raw: bytes, mimetype: str) -> Any:
    text = raw.decode("utf-8", errors="replace")
    if mimetype == "application/json" or mimetype.endswith("+json"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _failed(message: str, policy: HttpPolicy) -> ScriptFailed:
    for value in policy.secrets.values():
        if value:
            message = message.replace(value, "***")
    return ScriptFailed(f"the HTTP call failed: {message}")


def check_parameters(operator: str, parameters: Mapping[str, str]) -> list[str]:
    """Return why an `http` service task's parameters would be refused at deploy."""
    found = []
    allowed = PARAMETERS[operator]
    for name in sorted(set(parameters) - allowed):
        found.append(f"'{operator}' has no parameter '{name}' ({', '.join(sorted(allowed))})")
    if "url" not in parameters:
        found.append(f"'{operator}' needs the parameter 'url'")
    password = (parameters.get("basic_auth_password") or "").strip()
    if password and not SECRET.search(password):
        found.append(
            "basic_auth_password must name a secret of the deployment "
            '("SPIFF_SECRET:<name>"), never hold the password itself'
        )
    return found


def register(functions: Registry, policy: HttpPolicy) -> None:
    """Register the `http` operators in a wiring's registry, bound to its policy."""
    for name, method in (("http/GetRequest", "GET"), ("http/PostRequest", "POST")):

        def handler(context: Any, *, _method: str = method, **params: Any) -> str:
            return call(_method, params, policy)

        functions.register_operator(name, handler, check_parameters, own_step=True)
