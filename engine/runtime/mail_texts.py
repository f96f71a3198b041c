"""Mail texts a process owner writes in the modeler, declared on the element that sends them.

A script or service task that appends entries to `notifications` (engine/services/step/
process_mail.py) may carry the subject and body of the mails of one entry `type`, in bokmål and
optionally English; they are kept in the BPMN file, so each version keeps its own texts:

    <spiffworkflow:mailText type="leave_reminder" language="nb" subject="Påminnelse: $case">
      Hei $name, … $from_date … $link
    </spiffworkflow:mailText>

Placeholders (`$name`) are those every process mail has (`FIXED`) and the fields the element's
entries of that type carry: a `notify` operator's parameters, or the keys of a script's dict
literals whose "type" is that type. Deploy refuses an unknown placeholder, naming the element.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, replace
from string import Template

from lxml import etree

from engine.runtime.errors import Problem
from engine.runtime.xmlsafe import NS, SPIFF, problem

FIXED = ("name", "process", "case", "link", "home", "type")
LANGUAGES = ("nb", "en")
ADDRESSING = frozenset(
    {"type", "to", "cc", "to_role", "cc_role", "municipality", "except_municipality"}
    | {"to_leader_of", "to_email"}
)


@dataclass(frozen=True)
class MailText:
    """The subject and body of one entry type's mails in one language."""

    type: str
    language: str
    subject: str
    body: str


def declared(element: etree._Element) -> list[MailText]:
    """Return the mail texts an element declares."""
    return [
        MailText(
            str(node.get("type") or "").strip(),
            str(node.get("language") or "nb").strip(),
            str(node.get("subject") or "").strip(),
            (node.text or "").strip(),
        )
        for node in element.iterfind(f"bpmn:extensionElements/{{{SPIFF}}}mailText", NS)
    ]


def texts_of(process: etree._Element) -> dict[str, dict[str, tuple[str, str]]]:
    """Return type -> language -> (subject, body) for every text a process declares."""
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for node in process.iter(f"{{{SPIFF}}}mailText"):
        owner = node.getparent().getparent()
        for text in declared(owner):
            found.setdefault(text.type, {})[text.language] = (text.subject, text.body)
    return found


def sent_fields(element: etree._Element, kind: str) -> frozenset[str] | None:
    """Return the fields the element's entries of `kind` carry; None if it sends no such entry."""
    operator = element.find(f"bpmn:extensionElements/{{{SPIFF}}}serviceTaskOperator", NS)
    if operator is not None and operator.get("id") == "notify":
        parameters = {
            str(p.get("id")): str(p.get("value") or "")
            for p in operator.iter(f"{{{SPIFF}}}parameter")
        }
        if _constant(parameters.get("type", "")) == kind:
            return frozenset(parameters) - ADDRESSING
    script = element.findtext("bpmn:script", None, NS)
    return _script_fields(script, kind) if script else None


def _constant(source: str) -> str | None:
    try:
        value = ast.literal_eval(source.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _script_fields(script: str, kind: str) -> frozenset[str] | None:
    """Return the keys of the script's dict literals whose "type" is `kind`."""
    try:
        tree = ast.parse(script)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    found: set[str] | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        keys = {
            k.value: v
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }
        value = keys.get("type")
        if isinstance(value, ast.Constant) and value.value == kind:
            found = (found or set()) | set(keys)
    return None if found is None else frozenset(found) - ADDRESSING


def placeholders(text: str) -> list[str]:
    """Return the `$name` and `${name}` placeholders of a template, in order."""
    return list(dict.fromkeys(Template(text).get_identifiers()))


def check(file: str, process: etree._Element) -> Iterator[Problem]:
    """Yield a problem for each mail text that would print wrongly or never be sent."""
    owners = [node.getparent().getparent() for node in process.iter(f"{{{SPIFF}}}mailText")]
    for element in dict.fromkeys(owners):
        name = str(element.get("name") or element.get("id"))
        texts = declared(element)
        for text in texts:
            languages = [t.language for t in texts if t.type == text.type]
            yield from _check_one(file, element, name, text, languages)


def _check_one(
    file: str, element: etree._Element, name: str, text: MailText, languages: list[str]
) -> Iterator[Problem]:
    def coded(code: str, english: str, **values: str) -> Problem:
        found = problem(file, element, english)
        pairs = (("element", name), ("type", text.type), *values.items())
        return replace(found, code=code, values=tuple(pairs))

    fields = sent_fields(element, text.type) if text.type else None
    if fields is None:
        yield coded("mail_not_sent", f"{name} sends no mail of type '{text.type}'.")
        return
    if text.language not in LANGUAGES:
        yield coded("mail_language", f"{name}: unknown language '{text.language}'.")
    if "nb" not in languages and text.language != "nb":
        yield coded("mail_no_nb", f"{name}: the mail '{text.type}' has no bokmål text.")
    allowed = [*FIXED, *sorted(fields)]
    for part in (text.subject, text.body):
        if not part:
            yield coded("mail_empty", f"{name}: the mail '{text.type}' needs a subject and a body.")
            break
    for unknown in (p for p in placeholders(f"{text.subject}\n{text.body}") if p not in allowed):
        english = f"{name}: the mail '{text.type}' uses ${unknown}, which it is not given."
        yield coded(
            "mail_placeholder",
            english,
            placeholder=unknown,
            allowed=", ".join(f"${p}" for p in allowed),
        )
