"""Deployment-wide process settings (processes/settings.yaml): the briefs' defaults as data.

Scripts read a value with `setting("kv_assignment.report.due_days_after_end")`; the KV 5
invoice calculation takes its rates and options from `kv_assignment.invoicing` and
`kv_assignment.replacement_budget`. The wiring loads the file into its configuration
(`configure`); `value` and `rates` read the configuration of the wiring whose work is running.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from engine.rules.invoice import (
    DayBasis,
    InvalidInvoiceInput,
    InvoiceRates,
    ReplacementBudgetSource,
    Rounding,
    SalaryProration,
    SocialCostBase,
)
from engine.services.configuration import Configuration, current

_MISSING = object()


class SettingsFileInvalid(ValueError):
    """The settings file cannot be used; the message names the key."""


def load(path: Path) -> dict[str, Any]:
    """Read a settings file into dotted names (`kv_assignment.invoicing.daily_fee`)."""
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        raise SettingsFileInvalid(f"{path}: the top level must be a mapping")
    values = _flatten(document)
    invoice_rates(values)  # refuse a file whose rates the calculation cannot use, at start-up
    return values


def _flatten(node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def configure(configuration: Configuration, values: dict[str, Any]) -> None:
    """Give a wiring's configuration these settings and the invoice rates they give."""
    if values != configuration.settings:
        configuration.registry.changed()  # script workers forked before hold the old ones
    configuration.settings = dict(values)
    configuration.rates = invoice_rates(values)


def rates() -> InvoiceRates:
    """Return the KV 5 rates of the running wiring's settings (built once, by `configure`)."""
    return current().rates


def value(name: str, default: Any = _MISSING) -> Any:
    """Return a setting of the running wiring; an unknown name without a default names it."""
    return value_in(current().settings, name, default)


def value_in(values: dict[str, Any], name: str, default: Any = _MISSING) -> Any:
    """Return a setting of these values; an unknown name without a default is an error.

    A list or mapping is returned as a copy: the values are shared by every instance, so a
    script changing what it got must not change what the next one reads.
    """
    if name in values:
        return copy.deepcopy(values[name])
    if default is _MISSING:
        raise KeyError(f"unknown setting {name!r} (processes/settings.yaml)")
    return default


def invoice_rates(values: dict[str, Any]) -> InvoiceRates:
    """Return the KV 5 rates and options these settings give (the brief's §11 defaults)."""
    base = "kv_assignment.invoicing."
    defaults = InvoiceRates()

    def get(key: str, fallback: Any) -> Any:
        return values.get(base + key, fallback)

    try:
        return InvoiceRates(
            social_cost_rate=Decimal(str(get("social_cost_rate", defaults.social_cost_rate))),
            social_cost_base=SocialCostBase(get("social_cost_base", defaults.social_cost_base)),
            salary_proration=SalaryProration(get("salary_proration", defaults.salary_proration)),
            daily_fee=Decimal(str(get("daily_fee", defaults.daily_fee))),
            employee_share=Decimal(str(get("daily_fee_employee_share", defaults.employee_share))),
            lending_unit_share=Decimal(
                str(get("daily_fee_lending_department_share", defaults.lending_unit_share))
            ),
            daily_fee_day_basis=DayBasis(get("daily_fee_day_basis", defaults.daily_fee_day_basis)),
            prorate_daily_amounts_by_position_pct=bool(
                get(
                    "prorate_daily_amounts_by_position_pct",
                    defaults.prorate_daily_amounts_by_position_pct,
                )
            ),
            half_days=tuple(get("half_days", defaults.half_days) or ()),
            period_end_inclusive=bool(get("period_end_inclusive", defaults.period_end_inclusive)),
            rounding=Rounding(get("rounding", defaults.rounding)),
            replacement_rate=Decimal(
                str(
                    values.get(
                        "kv_assignment.replacement_budget.rate_per_working_day",
                        defaults.replacement_rate,
                    )
                )
            ),
            replacement_budget_source=ReplacementBudgetSource(
                values.get(
                    "kv_assignment.replacement_budget.source", defaults.replacement_budget_source
                )
            ),
        )
    except (InvalidInvoiceInput, ValueError, ArithmeticError) as error:
        raise SettingsFileInvalid(f"kv_assignment.invoicing: {error}") from error
