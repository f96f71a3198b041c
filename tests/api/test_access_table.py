"""docs/access.md's table walked against the endpoints, on SQLite and PostgreSQL.

Each row has a legitimate user and an attacker: the row passes only if the legitimate user
succeeds (200, with the row's secret in the answer) and the attacker gets nothing (403 or 404,
or a 200 without the secret). Every failing row is reported, not only the first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from engine.runtime import declarations
from engine.services.wiring import Wiring
from tests.api.access_table import ROWS, Row
from tests.api.access_world import Auth, World, build_world
from tests.conftest import ROOT

DOCUMENT = ROOT / "docs" / "access.md"
REFUSED = (401, 403, 404)


def text(reply: Any) -> str:
    """The reply as text, JSON without escapes (so "på" reads as written)."""
    if reply.is_json:
        return json.dumps(reply.get_json(), ensure_ascii=False)
    return str(reply.get_data(as_text=True))


def problems(row: Row, world: World, client: FlaskClient, auth: Auth) -> list[str]:
    """Return what is wrong with one row (nothing when it holds)."""
    path = world.path(row.endpoint)
    secret = world.path(row.secret) if row.secret else None
    found = []
    legitimate = client.get(path, headers=auth(row.allowed))
    if legitimate.status_code != 200:
        found.append(f"{row.id}: {row.allowed} got {legitimate.status_code} from {path}")
    elif secret is not None and secret not in text(legitimate):
        found.append(f"{row.id}: {row.allowed} did not read {secret!r}")
    attack = client.get(path, headers=auth(row.refused))
    if attack.status_code in REFUSED:
        return found
    if attack.status_code != 200 or secret is None:
        found.append(f"{row.id}: {row.refused} got {attack.status_code} from {path}")
    elif secret in text(attack):
        found.append(f"{row.id}: {row.refused} read {secret!r}")
    return found


def test_every_row_of_the_access_table_holds(
    deployed: Wiring, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    world = build_world(deployed, client, auth, tmp_path)
    failing = [found for row in ROWS for found in problems(row, world, client, auth)]
    assert failing == []


def document_rows(markdown: str) -> list[tuple[str, ...]]:
    """Return the table rows of the document whose first cell is a row id (a1, h2, o1, p3...)."""
    rows = []
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(r"[ahop]\d+", cells[0]):
            rows.append(tuple(cells))
    return rows


def test_the_document_shows_the_same_table() -> None:
    written = document_rows(DOCUMENT.read_text(encoding="utf-8"))
    assert written == [row.cells() for row in ROWS]


def test_every_row_names_a_legitimate_user_and_an_attacker() -> None:
    assert len({row.id for row in ROWS}) == len(ROWS)
    for row in ROWS:
        assert row.allowed != row.refused, row.id


def test_the_document_shows_each_user_tasks_context_fields() -> None:
    """Every user task of both routines is listed under its process with its contextFields."""
    sections = DOCUMENT.read_text(encoding="utf-8").split("\n**`")
    shown: dict[str, dict[str, str]] = {}
    for section in sections[1:]:
        key = section.split("`", 1)[0]
        section = section.split("\n## ", 1)[0]  # the table under the heading only
        rows = re.findall(r"^\| `([a-z_]+)` \| [^|]* \| ([^|]*) \|$", section, re.MULTILINE)
        shown[key] = {task: fields.strip() for task, fields in rows}
    for path in sorted((ROOT / "processes").glob("*/*.bpmn")):
        for key, declared in declarations.read(path.name, path.read_bytes()).items():
            expected = {task: ", ".join(names) for task, names in declared.context_fields.items()}
            assert shown.get(key, {}) == expected, key
