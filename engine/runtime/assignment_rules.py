"""Who a user task goes to, chosen from the organisation in the modeller (issue 18).

A user task may carry `assignTo` among its properties:

- `starter`: the person who started the instance;
- `starter_leader`: that person's leader;
- `leader_of`: the leader of the person whose username the field `assignPerson` holds;
- `role`: the role of the task's lane, in the municipality `assignWhere` names: `starter` (the
  starter's municipality), `data` (the municipality id in the field `assignMunicipalityField`)
  or `network` (every municipality).

The rule is read here and checked at deploy; the services resolve it against the organisation
(engine/services/step/candidates.py). A task without `assignTo` keeps the older properties
(`candidateUsers`, `candidateMunicipality`, the lane's role).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

ASSIGN_TO = ("starter", "starter_leader", "leader_of", "role")
WHERE = ("starter", "data", "network")
PROPERTIES = ("assignTo", "assignPerson", "assignWhere", "assignMunicipalityField")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Rule:
    """One task's assignment rule as the modeller chose it."""

    to: str
    person_field: str | None = None
    where: str = "starter"
    municipality_field: str | None = None


def rule_of(properties: Mapping[str, str]) -> Rule | None:
    """Return the task's rule, or None when it names none (or an unknown one)."""
    to = (properties.get("assignTo") or "").strip()
    if to not in ASSIGN_TO:
        return None
    return Rule(
        to=to,
        person_field=(properties.get("assignPerson") or "").strip() or None,
        where=(properties.get("assignWhere") or "starter").strip() or "starter",
        municipality_field=(properties.get("assignMunicipalityField") or "").strip() or None,
    )


def problems(
    properties: Mapping[str, str], lane: str | None, roles: frozenset[str]
) -> Iterator[str]:
    """Return what is wrong with a task's rule, in words for the modeller (empty if fine)."""
    to = (properties.get("assignTo") or "").strip()
    if not to:
        return
    if to not in ASSIGN_TO:
        yield f"assignTo '{to}' is not one of {', '.join(ASSIGN_TO)}"
        return
    rule = rule_of(properties)
    assert rule is not None
    if rule.to == "leader_of" and not _is_field(rule.person_field):
        yield "assignTo 'leader_of' needs assignPerson: the field that holds the person's username"
    if rule.to != "role":
        return
    if lane not in roles:
        yield (
            f"assignTo 'role' takes the role of the task's lane, but the lane '{lane or '-'}' is "
            f"not a role ({', '.join(sorted(roles))})"
        )
    if rule.where not in WHERE:
        yield f"assignWhere '{rule.where}' is not one of {', '.join(WHERE)}"
    elif rule.where == "data" and not _is_field(rule.municipality_field):
        yield "assignWhere 'data' needs assignMunicipalityField: the field with the municipality id"


def _is_field(name: str | None) -> bool:
    return bool(name and _FIELD.match(name))
