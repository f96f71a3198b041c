"""Move texts kept the old way into the gettext catalogues (engine/translations/*/messages.po).

Re-runnable. The old ways: the dicts of web/i18n*.py, nb/en tables inside modules, and the mail
templates' YAML. They are read from the working tree and, with `--ref BRANCH`, from a branch
(after a merge that kept the catalogue side of a conflict, the branch still has its keys):

    make messages                      # the working tree
    make messages REF=need/holes       # ... and the old tables as that branch has them

A text is added when its msgid is missing from the catalogue, and replaced when the source
changed it since BASE (the commit the texts moved from, so a branch's untouched copies never
undo an edit made in the catalogue). A web/i18n_*.py module is read through its own
`catalogue(language)` (plain keys, as the pages use them) and deleted once moved, like the mail
YAML. A table inside a code module moves under the msgids TABLES gives it; a table TABLES does
not know moves under `<module>.<table name>` (printed), and the module's code must then be
changed to call `catalogue.text(...)`. `--check` changes nothing and exits 1 if anything is due.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nb", "en")
# main's commit the texts moved from: the old tables as every other branch started with them.
BASE = "d946dba415cb8b111ad142f0d566c74abeabd370"
MAIL = "engine/services/step/mail_templates/{language}.yaml"


@dataclass(frozen=True)
class Table:
    """One old table: a module-level assignment and how its entries become msgids.

    shape "languages": {"nb": {key: text}, "en": {...}}  -> prefix + key
    shape "text":      {"nb": text, "en": text}          -> prefix (the whole msgid)
    shape "pair":      {"nb": (text, text), ...}         -> prefix + names[i]
    shape "codes":     {code: {"nb": text, "en": text}}  -> prefix + code
    shape "single":    {key: text} in one language        -> prefix + key
    """

    path: str
    name: str
    shape: str
    prefix: str
    names: tuple[str, ...] = ()
    dict_only_file: bool = False
    language: str = ""  # shape "single"
    derived: bool = False  # not in TABLES: found in a module, msgids from its name


TABLES = (
    Table("web/i18n.py", "CATALOGUE", "languages", ""),
    Table("engine/services/forms.py", "MESSAGES", "languages", "forms."),
    Table("engine/services/forms.py", "FORMAT_NAMES", "languages", "forms.format_name."),
    Table("engine/services/forms.py", "ATTACHMENT_MESSAGES", "text", "forms.attachment"),
    Table("engine/services/forms.py", "NOT_BEFORE_MESSAGES", "text", "forms.not_before"),
    Table("engine/services/forms.py", "AFTER_TODAY_MESSAGES", "text", "forms.after_today"),
    Table("engine/services/hiring/vacancies.py", "MESSAGES", "languages", "vacancies."),
    Table(
        "engine/services/hiring/vacancies.py",
        "RECEIPT",
        "pair",
        "vacancies.receipt_",
        ("subject", "body"),
    ),
    Table("engine/services/hiring/vacancies.py", "RECEIPT_LATE", "text", "vacancies.receipt_late"),
    Table(
        "engine/services/hiring/vacancies.py",
        "RECEIPT_EXEMPTION",
        "text",
        "vacancies.receipt_exemption",
    ),
    Table("engine/services/instances.py", "RESERVED_KEY", "text", "instances.reserved_key"),
    Table(
        "engine/services/instances.py",
        "BUSINESS_KEY_IN_USE",
        "text",
        "instances.business_key_in_use",
    ),
    Table("engine/services/assignment/announcements.py", "MESSAGES", "languages", "announcements."),
    Table("engine/services/assignment/invoices.py", "MESSAGES", "languages", "invoices."),
    Table("engine/services/attachments.py", "MESSAGES", "languages", "attachments."),
    Table("api/payloads.py", "MESSAGES", "codes", "payloads."),
    Table("api/payloads.py", "INVALID_JSON", "text", "payloads.invalid_json"),
    Table("api/language.py", "ERROR_MESSAGES", "codes", "api.error."),
    Table("api/routes/vacancies.py", "BOOLEAN", "text", "vacancies.boolean"),
    Table("api/routes/vacancies.py", "TEXT", "text", "vacancies.text"),
    Table("api/routes/vacancies.py", "UNKNOWN", "text", "vacancies.unknown"),
    Table("api/routes/vacancies.py", "TOO_MANY", "text", "vacancies.too_many"),
    Table("api/routes/attachments.py", "NO_FILE", "text", "attachments.no_file"),
    # Tables other branches added while the texts moved (pages/case, pages/hiring, need/holes):
    Table("engine/services/refusals.py", "UNKNOWN", "text", "refusals.unknown"),
    Table("engine/services/forms.py", "UNRESOLVABLE", "text", "forms.unresolvable"),
    Table("engine/services/assignment/case_documents.py", "TITLES", "languages", "case_documents."),
)

# nb/en tables that are not texts (Babel's locale names)
NOT_TEXTS = {("web/i18n.py", "BABEL_LOCALES")}

Entries = dict[tuple[str, str], str]  # (language, msgid) -> text


def _git_show(ref: str, path: str) -> str | None:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:{path}"], capture_output=True, text=True
    )
    return done.stdout if done.returncode == 0 else None


def _assignment(source: str, name: str) -> tuple[Any, int] | None:
    """Return the literal value assigned to a module-level name, and its line, if any."""
    for node in ast.parse(source).body:
        target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id == name:
            try:
                return ast.literal_eval(value), node.lineno
            except ValueError:
                return None  # no longer a literal table: nothing to move
    return None


def _table_entries(table: Table, value: Any) -> Iterator[tuple[str, str, str]]:
    if not isinstance(value, dict):
        return
    if table.shape == "single":
        for key, text in value.items():
            yield table.language, table.prefix + key, text
        return
    if table.shape == "codes":
        for code, texts in value.items():
            for language, text in (texts or {}).items():
                yield language, table.prefix + code, text
        return
    for language, texts in value.items():
        if table.shape == "languages":
            for key, text in texts.items():
                yield language, table.prefix + key, text
        elif table.shape == "text":
            yield language, table.prefix, texts
        elif table.shape == "pair":
            for name, text in zip(table.names, texts, strict=True):
                yield language, table.prefix + name, text


def _mail_entries(source: str, language: str) -> Iterator[tuple[str, str, str]]:
    for kind, template in (yaml.safe_load(source) or {}).items():
        if isinstance(template, str):
            yield language, f"mail.{kind}", template
        elif isinstance(template, dict):
            for field, text in template.items():
                if isinstance(text, str):
                    yield language, f"mail.{kind}.{field}", text


def reminder_kinds(source: str) -> set[str]:
    """Return the mail kinds an old mail YAML marks `reminder: true`."""
    templates = yaml.safe_load(source) or {}
    return {k for k, v in templates.items() if isinstance(v, dict) and v.get("reminder")}


def missing_reminders(ref: str | None) -> set[str]:
    """Return reminder kinds of the old mail YAML that notifications.REMINDERS lacks."""
    path = "engine/services/step/notifications.py"
    found = _assignment((ROOT / path).read_text(encoding="utf-8"), "REMINDERS")
    known = set(found[0]) if found else set()
    kinds: set[str] = set()
    for language in LANGUAGES:
        mail = MAIL.format(language=language)
        source = _git_show(ref, mail) if ref else _read(ROOT / mail)
        kinds |= reminder_kinds(source) if source else set()
    return kinds - known


def _read(file: Path) -> str | None:
    return file.read_text(encoding="utf-8") if file.exists() else None


def _is_language_table(value: Any) -> bool:
    """Tell whether a literal looks like texts per language: {"nb": text, "en": text},
    {"nb": {key: text}, ...} or {code: {"nb": text, "en": text}}."""

    def texts(item: Any) -> bool:
        return isinstance(item, str) or (
            isinstance(item, (dict, list, tuple))
            and all(isinstance(v, str) for v in (item.values() if isinstance(item, dict) else item))
        )

    if not isinstance(value, dict) or not value:
        return False
    if set(value) <= set(LANGUAGES) and "nb" in value:
        return all(texts(item) for item in value.values())
    return all(
        isinstance(v, dict)
        and v
        and set(v) <= set(LANGUAGES)
        and all(isinstance(t, str) for t in v.values())
        for v in value.values()
    )


def _shape(value: dict[str, Any]) -> str:
    if not (set(value) <= set(LANGUAGES)):
        return "codes"
    return "languages" if isinstance(value.get("nb"), dict) else "text"


def _is_web_module(path: str) -> bool:
    return path.startswith("web/i18n_") and path.endswith(".py")


def _paths(ref: str | None) -> list[str]:
    """Return the Python files under engine/, api/ and web/ at ref (None: the working tree)."""
    if ref is None:
        found = [
            p.relative_to(ROOT) for d in ("engine", "api", "web") for p in (ROOT / d).rglob("*.py")
        ]
        return sorted(str(p) for p in found if ".venv" not in p.parts)
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", ref, "engine", "api", "web"],
        capture_output=True,
        text=True,
    )
    return [p for p in listed.stdout.split() if p.endswith(".py")]


def derived_tables(ref: str | None, sources: dict[str, str]) -> list[Table]:
    """Return the nb/en tables of code modules that TABLES does not know, each with msgids
    from its module and name (`refusals.unknown`, `case_documents.titles.<key>`)."""
    mapped = {(t.path, t.name) for t in TABLES} | NOT_TEXTS
    found = []
    for path, source in sources.items():
        if _is_web_module(path) or '"nb"' not in source:
            continue
        for node in ast.parse(source).body:
            target = (
                node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
            )
            if not isinstance(target, ast.Name) or (path, target.id) in mapped:
                continue
            try:
                value = ast.literal_eval(node.value)  # type: ignore[attr-defined]
            except (ValueError, AttributeError, TypeError, SyntaxError):
                continue
            if not _is_language_table(value) or isinstance(value.get("nb"), (list, tuple)):
                continue
            shape = _shape(value)
            prefix = f"{Path(path).stem}.{target.id.strip('_').lower()}"
            prefix += "" if shape == "text" else "."
            found.append(Table(path, target.id, shape, prefix, derived=True))
    return found


def unmapped_tables(ref: str | None) -> list[str]:
    """Return the tables TABLES does not know (they move under derived msgids)."""
    sources = {p: s for p in _paths(ref) if (s := _source(ref, p))}
    return [f"{t.path} {t.name} -> {t.prefix}" for t in derived_tables(ref, sources)]


def _source(ref: str | None, path: str) -> str | None:
    return _git_show(ref, path) if ref is not None else _read(ROOT / path)


def _web_module_entries(path: str, source: str) -> Entries | None:
    """Return a web/i18n_*.py module's texts through its own catalogue(language)."""
    namespace: dict[str, Any] = {"__name__": f"old_{Path(path).stem}"}
    try:
        exec(compile(source, path, "exec"), namespace)  # the project's own data module
        return {
            (language, key): text
            for language in LANGUAGES
            for key, text in namespace["catalogue"](language).items()
            if isinstance(text, str)
        }
    except Exception:  # a module of another shape: reported, not moved
        return None


def read_sources(ref: str | None) -> tuple[Entries, list[str], list[str]]:
    """Return the old texts at ref (None: the working tree), where they were, and warnings."""
    entries: Entries = {}
    places: list[str] = []
    warnings: list[str] = []
    paths = _paths(ref)
    sources = {p: s for p in paths if (p.endswith(".py")) and (s := _source(ref, p))}
    for table in (*TABLES, *derived_tables(ref, sources)):
        source = sources.get(table.path)
        found = _assignment(source, table.name) if source else None
        if found is None:
            continue
        where = f"{table.path}:{found[1]} {table.name}"
        places.append(where + (f" (msgids {table.prefix}...)" if table.derived else ""))
        for language, msgid, text in _table_entries(table, found[0]):
            if language in LANGUAGES and isinstance(text, str):
                entries[language, msgid] = text
    # web/i18n.py merged its modules in this order; a later one wins, as its update() did.
    order = re.findall(r"i18n_(\w+)\.catalogue", sources.get("web/i18n.py", ""))
    modules = sorted(
        (p for p in sources if _is_web_module(p)),
        key=lambda p: order.index(Path(p).stem[5:]) if Path(p).stem[5:] in order else len(order),
    )
    web: Entries = {}
    for path in modules:
        texts = _web_module_entries(path, sources[path])
        if texts is None:
            warnings.append(f"not moved, no catalogue(language) to read: {path}")
            continue
        places.append(path)
        for key, text in texts.items():
            if key in web and web[key] != text:
                warnings.append(f"{path} gives {key[0]} {key[1]} another text; kept {path}'s")
            web[key] = text
    entries.update(web)
    for language in LANGUAGES:
        path = MAIL.format(language=language)
        source = _source(ref, path)
        if source is not None:
            places.append(path)
            for code, msgid, text in _mail_entries(source, language):
                entries[code, msgid] = text
    return entries, places, warnings


def po_path(language: str) -> Path:
    """Return the catalogue file of a language."""
    return ROOT / "engine" / "translations" / language / "LC_MESSAGES" / "messages.po"


def load(language: str) -> Catalog:
    """Return a language's catalogue (a new one if the file does not exist yet)."""
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="saksflyt", fuzzy=False)
    with path.open("rb") as file:
        return read_po(file, locale=language)


def save(catalog: Catalog, language: str) -> None:
    """Write a catalogue back, in its own order (new texts last)."""
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, width=0, no_location=True, omit_header=False)
    path.write_bytes(buffer.getvalue())


def merge(catalogs: dict[str, Catalog], found: Entries, base: Entries) -> list[str]:
    """Add missing texts and take changed ones into the catalogues; return what changed."""
    changes = []
    for (language, msgid), text in found.items():
        message = catalogs[language].get(msgid)
        if message is None:
            catalogs[language].add(msgid, text)
            changes.append(f"added   {language} {msgid}")
        elif text != base.get((language, msgid)) and text != message.string:
            message.string = text
            changes.append(f"changed {language} {msgid}")
    return changes


def main(argv: list[str] | None = None) -> int:
    """Run the import; print what changed and which old tables remain."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", action="append", default=[], help="a branch to read too")
    parser.add_argument("--base", default=BASE, help="the commit the texts moved from")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if due")
    options = parser.parse_args(argv)
    base, _, _ = read_sources(options.base)
    catalogs = {language: load(language) for language in LANGUAGES}
    changes: list[str] = []
    warnings: list[str] = []
    for ref in options.ref:
        found, places, warned = read_sources(ref)
        changes += merge(catalogs, found, base)
        warnings += warned + [f"{ref}: {p}" for p in places if "(msgids" in p]
    found, places, warned = read_sources(None)
    changes += merge(catalogs, found, base)
    warnings += warned
    reminders = set().union(*(missing_reminders(ref) for ref in [*options.ref, None]))
    warnings += [
        f"add {k!r} to REMINDERS in engine/services/step/notifications.py"
        for k in sorted(reminders)
    ]
    print("\n".join(changes) or "The catalogues have every old text already.")
    if warnings:
        print("\n".join(warnings))
    if options.check:
        return 1 if changes or places or warnings else 0
    for language in LANGUAGES:
        save(catalogs[language], language)
    for place in places:
        path = ROOT / place.split(":")[0].split(" ")[0]
        if _is_web_module(place.split(" ")[0]) or place.endswith(".yaml"):
            if path.exists():
                path.unlink()
                print(f"deleted {path.relative_to(ROOT)} (moved)")
        else:
            print(f"moved, now replace the table with catalogue calls: {place}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
