"""processes/settings.yaml: the briefs' defaults as configuration (setting(name), invoice rates)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.rules.invoice import DEFAULT_RATES, calculate_invoice
from engine.runtime import registry
from engine.runtime.scripting import SandboxEnvironment
from engine.services import configuration, process_settings
from engine.services.assignment.invoices import preview
from engine.services.errors import FormInvalid
from engine.settings import ROOT


def _use(tmp_path: Path, text: str) -> dict[str, object]:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    values = process_settings.load(path)
    process_settings.configure(configuration.current(), values)  # this test's own
    return values


def test_the_committed_file_gives_exactly_the_briefs_defaults() -> None:
    values = process_settings.load(ROOT / "processes" / "settings.yaml")
    assert process_settings.invoice_rates(values) == DEFAULT_RATES
    assert values["kv_assignment.report.due_days_after_end"] == 14
    assert values["hiring.application_period_days"] == 21
    assert values["hiring.offer_answer_days"] == 10


def test_scripts_read_settings_by_name_and_unknown_names_say_which(tmp_path: Path) -> None:
    _use(tmp_path, "hiring:\n  application_period_days: 28\n")
    setting = registry.functions()["setting"]
    assert setting("hiring.application_period_days") == 28
    assert setting("hiring.offer_answer_days", 10) == 10
    with pytest.raises(KeyError, match=r"hiring\.nothing"):
        setting("hiring.nothing")


def test_changed_rates_change_the_calculation_and_the_preview(tmp_path: Path) -> None:
    period = (date(2027, 3, 1), date(2027, 3, 31), Decimal("50000"), Decimal("100"))
    before = calculate_invoice(*period, process_settings.rates())
    _use(
        tmp_path,
        "kv_assignment:\n  invoicing:\n    social_cost_rate: 0.141\n    daily_fee: 600\n"
        "    daily_fee_employee_share: 250\n    daily_fee_lending_department_share: 350\n",
    )
    after = preview(*period)
    assert Decimal(after["total"]) != before.total
    assert after["rates"]["social_cost_rate"] == "0.141" and after["rates"]["daily_fee"] == "600"


def test_a_file_the_calculation_cannot_use_is_refused_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("kv_assignment:\n  invoicing:\n    daily_fee: 400\n", encoding="utf-8")
    with pytest.raises(process_settings.SettingsFileInvalid, match="shares must add up"):
        process_settings.load(path)
    path.write_text("kv_assignment:\n  invoicing:\n    rounding: sometimes\n", encoding="utf-8")
    with pytest.raises(process_settings.SettingsFileInvalid, match="sometimes"):
        process_settings.load(path)
    with pytest.raises(FormInvalid):
        preview(date(2027, 3, 2), date(2027, 3, 1), Decimal("1"), Decimal("100"))
        preview(date(2027, 3, 2), date(2027, 3, 1), Decimal("1"), Decimal("100"))


def test_a_script_cannot_change_a_setting_for_the_next_instance(tmp_path: Path) -> None:
    _use(tmp_path, "hiring:\n  panel: [hr, leder]\n  steps: [{name: intervju}]\n")
    first: dict[str, object] = {}
    SandboxEnvironment().execute(
        "p = setting('hiring.panel')\np.append('stranger')\ns = setting('hiring.steps')\n"
        "s[0]['name'] = 'ingen'",
        first,
    )
    second: dict[str, object] = {}
    SandboxEnvironment().execute(
        "p = setting('hiring.panel')\ns = setting('hiring.steps')",
        second,
    )
    assert second == {"p": ["hr", "leder"], "s": [{"name": "intervju"}]}
