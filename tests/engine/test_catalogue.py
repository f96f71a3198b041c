"""The gettext catalogues: complete in nb and en, every used key present, nothing left behind."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from engine import catalogue
from engine.services.step import notifications
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import import_messages

# `{name}` for str.format, `$name` for the mails' string.Template
PLACEHOLDER = re.compile(r"\{(\w*)\}|\$(\w+)")
# a whole literal argument: `t("tab_" ~ tab)` builds its key, which this scan cannot check
TEMPLATE_KEY = re.compile(r"""\bt\(\s*["']([^"'{}]+)["']\s*[,)]""")
PYTHON_KEY = re.compile(
    r"""\b(?:translate|text|gettext)\(\s*[\w.]+(?:\(\))?,\s*["']([^"'{}]+)["']\s*[,)]"""
)
PYTHON_SECTION = re.compile(r"""\bsection\(\s*[\w.]+,\s*["']([^"']+)["']""")


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def _files(*patterns: str) -> list[Path]:
    return sorted(path for pattern in patterns for path in ROOT.glob(pattern))


def test_nb_and_en_have_the_same_msgids_each_with_text_and_the_same_placeholders() -> None:
    nb, en = (catalogue.read_catalog(language) for language in ("nb", "en"))
    nb_ids = {m.id for m in nb if m.id}
    en_ids = {m.id for m in en if m.id}
    assert sorted(nb_ids - en_ids) == [] and sorted(en_ids - nb_ids) == []
    empty = [
        (lang, m.id) for lang, c in (("nb", nb), ("en", en)) for m in c if m.id and not m.string
    ]
    assert empty == []
    differing = [
        (m.id, m.string, en[m.id].string)
        for m in nb
        if m.id and _placeholders(str(m.string)) != _placeholders(str(en[m.id].string))
    ]
    assert differing == []


def test_every_key_templates_scripts_and_code_use_is_in_both_catalogues() -> None:
    used: dict[str, set[str]] = {}
    for path in _files(
        "web/templates/*.html",
        "engine/services/**/templates/*.html",
        "engine/services/document_templates/*.html",
    ):
        for key in TEMPLATE_KEY.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    for path in _files("web/static/js/*.js"):
        for key in TEMPLATE_KEY.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    for path in _files("engine/**/*.py", "api/**/*.py", "web/**/*.py"):
        source = path.read_text(encoding="utf-8")
        for key in PYTHON_KEY.findall(source):
            used.setdefault(key, set()).add(str(path.relative_to(ROOT)))
        for prefix in PYTHON_SECTION.findall(source):
            assert catalogue.section("nb", prefix), (path, prefix)
    for kind in (*notifications.REMINDERS, "process_message"):
        for field in ("subject", "body"):
            used.setdefault(f"mail.{kind}.{field}", set()).add("notifications.py")
    assert len(used) > 400  # the scan finds the pages' keys, not just a few
    for language in ("nb", "en"):
        known = catalogue.messages(language)
        assert {key: where for key, where in used.items() if key not in known} == {}, language
        own = catalogue.read_catalog(language)  # not through the fallback to bokmål
        assert [key for key in used if not own.get(key)] == [], language


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_page_catalogue_is_the_plain_keys_and_falls_back_to_bokmal(language: str) -> None:
    pages = catalogue.page_messages(language)
    assert pages["board_title"] == catalogue.text(language, "board_title")
    assert all("." not in key for key in pages)
    assert "mail.task_available.subject" not in pages
    assert catalogue.text(language, "login_delayed", seconds=7).count("7") == 1
    assert catalogue.text(language, "no.such.key") == "no.such.key"


def test_no_old_table_is_left_to_move() -> None:
    """After merging a branch that added texts the old way, run `make messages REF=<branch>`."""
    assert import_messages.main(["--check"]) == 0


def test_the_import_adds_missing_texts_takes_changed_ones_and_keeps_catalogue_edits() -> None:
    catalogs = {language: import_messages.Catalog(locale=language) for language in ("nb", "en")}
    catalogs["nb"].add("board_title", "Oppdrag i regionen (rettet i katalogen)")
    catalogs["nb"].add("nav_inbox", "Innboks")
    base = {("nb", "board_title"): "Oppdrag i regionen", ("nb", "nav_inbox"): "Innboks"}
    branch = {
        ("nb", "board_title"): "Oppdrag i regionen",  # untouched on the branch
        ("nb", "nav_inbox"): "Innkurv",  # changed on the branch
        ("en", "case_page_title"): "Case",  # new on the branch
    }
    changes = import_messages.merge(catalogs, branch, base)
    assert sorted(changes) == ["added   en case_page_title", "changed nb nav_inbox"]
    assert catalogs["nb"]["board_title"].string == "Oppdrag i regionen (rettet i katalogen)"
    assert catalogs["nb"]["nav_inbox"].string == "Innkurv"
    assert catalogs["en"]["case_page_title"].string == "Case"


def test_the_import_reads_a_branchs_old_tables(tmp_path: Path) -> None:
    """The old shapes: page dicts, nb/en tables, code tables and the mail YAML."""
    table = import_messages.Table("x.py", "MESSAGES", "codes", "payloads.")
    value = {"too_deep": {"nb": "For dypt.", "en": "Too deep."}}
    assert sorted(import_messages._table_entries(table, value)) == [
        ("en", "payloads.too_deep", "Too deep."),
        ("nb", "payloads.too_deep", "For dypt."),
    ]
    mail = "_footer: Hilsen\nnew_kind:\n  reminder: true\n  subject: Emne $case\n"
    assert sorted(import_messages._mail_entries(mail, "nb")) == [
        ("nb", "mail._footer", "Hilsen"),
        ("nb", "mail.new_kind.subject", "Emne $case"),
    ]
    assert import_messages.reminder_kinds(mail) == {"new_kind"}
    source = 'X = 1\nCATALOGUE: dict[str, dict[str, str]] = {"nb": {"a": "A " "b"}}\n'
    assert import_messages._assignment(source, "CATALOGUE") == ({"nb": {"a": "A b"}}, 2)


def test_mail_templates_are_built_from_the_mail_msgids_a_kind_may_hold_dots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = {
        "_footer": "Hilsen",
        "task_available.subject": "Ny oppgave",
        "applicant.offer_letter.subject": "Tilbud",
        "applicant.offer_letter.body": "Hei $name",
    }
    monkeypatch.setattr(notifications.catalogues, "section", lambda language, prefix: texts)
    built = notifications.catalogue.__wrapped__("nb")
    assert built == {
        "_footer": "Hilsen",
        "task_available": {"subject": "Ny oppgave"},
        "applicant.offer_letter": {"subject": "Tilbud", "body": "Hei $name"},
    }


def test_the_import_names_nb_en_tables_it_does_not_know() -> None:
    assert import_messages._is_language_table({"nb": "Hei", "en": "Hello"})
    assert import_messages._is_language_table({"gone": {"nb": "Borte", "en": "Gone"}})
    assert not import_messages._is_language_table({"limit": 5, "nb": "x"})
    assert not import_messages._is_language_table({"gone": {"de": "Weg"}})
    assert import_messages.unmapped_tables(None) == []
    source = (
        '_REASON = {"nb": "Skriv hvorfor.", "en": "Say why."}\n'
        'TITLES = {"nb": {"contract": "Kontrakt"}, "en": {"contract": "Contract"}}\n'
        'LIMIT = {"nb": 3}\n'
    )
    derived = import_messages.derived_tables(None, {"api/routes/cases.py": source})
    assert [(t.name, t.shape, t.prefix) for t in derived] == [
        ("_REASON", "text", "cases.reason"),
        ("TITLES", "languages", "cases.titles."),
    ]


def test_the_import_reads_a_web_module_through_its_own_catalogue() -> None:
    source = (
        'FIELDS_NB = {"age": "Alder"}\nFIELDS_EN = {"age": "Age"}\n'
        "def catalogue(language):\n"
        '    fields = FIELDS_EN if language == "en" else FIELDS_NB\n'
        '    return {f"field_{k}": v for k, v in fields.items()}\n'
    )
    assert import_messages._web_module_entries("web/i18n_x.py", source) == {
        ("nb", "field_age"): "Alder",
        ("en", "field_age"): "Age",
    }
    assert import_messages._web_module_entries("web/i18n_y.py", "TEXTS = {}") is None
