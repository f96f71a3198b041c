"""The KV 5 invoice: salary, social costs and the daily fee for an assignment period.

Formulas and defaults: assignment-routine.md §8.2 and §11; every option that changes an
amount is a field of `InvoiceRates`. `monthly_salary` is the actual monthly salary paid for
the actual position percentage (§8.2, AMB-04) and is never scaled; `position_percentage`
only matters when `prorate_daily_amounts_by_position_pct` is set (AMB-09, Example 4).

Rounding (AMB-11, AMB-12), half-up to øre. The default, `Rounding.PER_LINE`, is the brief's:
each line is rounded on its own (salary per month, social costs 25 % of the salary line, the
fee days times the rate) and the total is the sum of the lines, so each line can be checked from
the lines above it; the months are the running lines' steps and add up to them. Splitting a
period can move a total by up to 0.02. The option `Rounding.CUMULATIVE` rounds each month as
running totals from its first day (part s..e costs round2(A(e)) - round2(A(s - 1))), so any
split gives the same lines, but its social costs can differ by an øre a month from 25 % of its
salary line (one day in December 2027 at 52,000: 565.21 against 565.22).

Not fields, since no amount depends on them: `holiday_calendar: NO` (the only calendar),
`vat: none` (no VAT line; the EHF uses category O), `absence_handling: manual` and
`frequency` (to invoice monthly, call this once per month; the sums are exact).
"""

import math
from calendar import monthrange
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from engine.rules.calendar import working_dates, working_days, working_days_in_month


class InvalidInvoiceInput(ValueError):
    """An input to the invoice calculation is invalid; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class SalaryProration(StrEnum):
    """How a part month's salary is prorated (AMB-05)."""

    WORKING_DAYS_IN_MONTH = "working_days_in_month"
    CALENDAR_DAYS_IN_MONTH = "calendar_days_in_month"
    ANNUAL_DIV_260 = "annual_div_260"


class DayBasis(StrEnum):
    """Which days earn the daily fee (AMB-01)."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


class SocialCostBase(StrEnum):
    """What the social cost rate applies to (AMB-03)."""

    SALARY_ONLY = "salary_only"
    SALARY_AND_DAILY_FEE = "salary_and_daily_fee"


class Rounding(StrEnum):
    """Where amounts are rounded to øre (AMB-12); see the module docstring."""

    CUMULATIVE = "half_up_2dp_cumulative_per_month"
    PER_LINE = "half_up_2dp_per_line"


class ReplacementBudgetSource(StrEnum):
    """Whether the KV 4 replacement money is the invoice's lending-unit share (AMB-06)."""

    INVOICE_LENDING_DEPARTMENT_SHARE = "invoice_lending_department_share"
    SEPARATE_ADDITIONAL = "separate_additional"


_NON_NEGATIVE_RATES = (
    "social_cost_rate",
    "daily_fee",
    "employee_share",
    "lending_unit_share",
    "replacement_rate",
)


@dataclass(frozen=True)
class InvoiceRates:
    """Rates and options of the KV 5 invoice; the defaults are the brief's §11."""

    social_cost_rate: Decimal = Decimal("0.25")  # KV 5 "(25%)", a fixed rate: AMB-16
    social_cost_base: SocialCostBase = SocialCostBase.SALARY_ONLY  # Assumption AMB-03
    salary_proration: SalaryProration = SalaryProration.WORKING_DAYS_IN_MONTH  # AMB-05
    daily_fee: Decimal = Decimal("500")  # KV 5 "kr. 500/dag"
    employee_share: Decimal = Decimal("200")  # KV 5 "kr. 200/", per day: AMB-07
    lending_unit_share: Decimal = Decimal("300")  # KV 5 "kr. 300/dag til avgivende avdeling"
    daily_fee_day_basis: DayBasis = DayBasis.WORKING_DAYS  # Assumption AMB-01
    prorate_daily_amounts_by_position_pct: bool = False  # Assumption AMB-09
    half_days: tuple[str, ...] = ()  # "MM-DD", half a fee day each, fee only: AMB-02
    period_end_inclusive: bool = True  # Assumption AMB-15
    rounding: Rounding = Rounding.PER_LINE  # AMB-12: each line, total = sum (module docstring)
    replacement_rate: Decimal = Decimal("300")  # KV 4 "kr. 300/arbeidsdag"
    replacement_budget_source: ReplacementBudgetSource = (
        ReplacementBudgetSource.INVOICE_LENDING_DEPARTMENT_SHARE  # Assumption AMB-06
    )

    def __post_init__(self) -> None:
        for name in _NON_NEGATIVE_RATES:
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise InvalidInvoiceInput(name, "must be a non-negative Decimal")
        if self.employee_share + self.lending_unit_share != self.daily_fee:
            raise InvalidInvoiceInput("lending_unit_share", "the shares must add up to daily_fee")
        for day in self.half_days:
            try:
                date.fromisoformat(f"2000-{day}")
            except ValueError:
                raise InvalidInvoiceInput("half_days", f"{day!r} is not MM-DD") from None


DEFAULT_RATES = InvoiceRates()


@dataclass(frozen=True)
class InvoiceLine:
    """One line of the invoice: quantity times unit price, rounded to øre."""

    code: str
    description_nb: str
    description_en: str
    quantity: Decimal
    unit_code: str  # UN/ECE Rec 20: LS lump sum, E49 working day, DAY day
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class MonthBreakdown:
    """The part of the invoice that falls in one calendar month."""

    month: date  # the first day of the calendar month
    working_days_in_period: int
    working_days_in_month: int
    salary: Decimal
    social_costs: Decimal
    daily_fee: Decimal

    @property
    def total(self) -> Decimal:
        """Return what this month would be invoiced on its own."""
        return self.salary + self.social_costs + self.daily_fee


@dataclass(frozen=True)
class Invoice:
    """The KV 5 invoice; `lines` are charged, the shares and the budget are information."""

    period_start: date
    period_end: date  # inclusive
    monthly_salary: Decimal
    position_percentage: Decimal
    rates: InvoiceRates
    working_days: int
    months: tuple[MonthBreakdown, ...]
    lines: tuple[InvoiceLine, ...]  # salary, social_costs, daily_fee
    employee_share: InvoiceLine  # of daily_fee, KV 5
    lending_unit_share: InvoiceLine  # of daily_fee, KV 5
    replacement_budget: InvoiceLine  # KV 4, not invoiced on top
    total: Decimal

    def line(self, code: str) -> InvoiceLine:
        """Return the charged line with this code."""
        return next(line for line in self.lines if line.code == code)

    def to_dict(self) -> dict[str, Any]:
        """Return the invoice as a JSON-ready dict: Decimals as strings, dates ISO."""
        data = _json_ready(asdict(self))
        assert isinstance(data, dict)
        for month, breakdown in zip(data["months"], self.months, strict=True):
            month["month"] = breakdown.month.strftime("%Y-%m")
            month["total"] = str(breakdown.total)
        return data


@dataclass(frozen=True)
class _Prices:
    salary: Fraction
    fee: Fraction
    employee: Fraction


def calculate_invoice(
    start_date: date,
    end_date: date,
    monthly_salary: Decimal,
    position_percentage: Decimal | int = Decimal(100),
    rates: InvoiceRates = DEFAULT_RATES,
) -> Invoice:
    """Calculate the KV 5 invoice for an assignment from start_date to end_date."""
    period_end = _validated_period_end(start_date, end_date, rates)
    salary = _validated_salary(monthly_salary)
    percentage = _validated_percentage(position_percentage)
    prices = _prices(salary, percentage, rates)
    parts = _month_parts(start_date, period_end)
    months = tuple(_month(start, end, prices, rates) for start, end in parts)
    if rates.rounding is Rounding.PER_LINE:
        months = _adding_up_to_the_lines(months, parts, prices, rates)
    fee_days = sum((_fee_units(start, end, rates) for start, end in parts), Fraction())
    texts = _descriptions(rates, prices, start_date, period_end)
    lines = _charged_lines(months, fee_days, prices, rates, texts)
    employee, lending = _fee_split(lines[-1], prices, texts)
    days = working_days(start_date, period_end)
    return Invoice(
        period_start=start_date,
        period_end=period_end,
        monthly_salary=_price(prices.salary),
        position_percentage=percentage,
        rates=rates,
        working_days=days,
        months=months,
        lines=lines,
        employee_share=employee,
        lending_unit_share=lending,
        replacement_budget=_replacement_budget(lending, days, rates, texts),
        total=sum((line.amount for line in lines), Decimal("0.00")),
    )


def _validated_period_end(start: date, end: date, rates: InvoiceRates) -> date:
    period_end = end if rates.period_end_inclusive else end - timedelta(days=1)
    if period_end < start:
        raise InvalidInvoiceInput("end_date", f"the period {start} to {end} ends before it starts")
    return period_end


def _as_decimal(name: str, value: Decimal | int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidInvoiceInput(name, f"must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidInvoiceInput(name, f"must be a finite number, not {value}")
    return number


def _validated_salary(value: Decimal | int) -> Decimal:
    salary = _as_decimal("monthly_salary", value)
    if salary < 0:
        raise InvalidInvoiceInput("monthly_salary", f"must be zero or more, not {value}")
    return salary


def _validated_percentage(value: Decimal | int) -> Decimal:
    percentage = _as_decimal("position_percentage", value)
    if not 1 <= percentage <= 100:
        raise InvalidInvoiceInput("position_percentage", f"must be from 1 to 100, not {value}")
    return percentage


def _prices(salary: Decimal, percentage: Decimal, rates: InvoiceRates) -> _Prices:
    scale = Fraction(1)
    if rates.prorate_daily_amounts_by_position_pct:
        scale = Fraction(percentage) / 100
    return _Prices(
        salary=Fraction(salary),
        fee=Fraction(rates.daily_fee) * scale,
        employee=Fraction(rates.employee_share) * scale,
    )


def _month_parts(start: date, end: date) -> list[tuple[date, date]]:
    parts = []
    while start <= end:
        next_month = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        parts.append((start, min(end, next_month - timedelta(days=1))))
        start = next_month
    return parts


@dataclass(frozen=True)
class _Accrual:
    """Exact amounts accrued from the first of a month through some date."""

    salary: Fraction
    fee: Fraction


def _accrued(first: date, through: date, prices: _Prices, rates: InvoiceRates) -> _Accrual:
    if rates.salary_proration is SalaryProration.CALENDAR_DAYS_IN_MONTH:
        days_in_month = monthrange(first.year, first.month)[1]
        salary = prices.salary * max(0, (through - first).days + 1) / days_in_month
    elif rates.salary_proration is SalaryProration.ANNUAL_DIV_260:
        salary = prices.salary * 12 * working_days(first, through) / 260
    else:
        month_days = working_days_in_month(first.year, first.month)
        salary = prices.salary * working_days(first, through) / month_days
    return _Accrual(salary, prices.fee * _fee_units(first, through, rates))


def _fee_units(start: date, end: date, rates: InvoiceRates) -> Fraction:
    if rates.daily_fee_day_basis is DayBasis.CALENDAR_DAYS:
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    else:
        days = working_dates(start, end)
    halves = sum(1 for d in days if f"{d:%m-%d}" in rates.half_days) if rates.half_days else 0
    return Fraction(2 * len(days) - halves, 2)


def _month(start: date, end: date, prices: _Prices, rates: InvoiceRates) -> MonthBreakdown:
    first = start.replace(day=1)
    before = _accrued(first, start - timedelta(days=1), prices, rates)
    through = _accrued(first, end, prices, rates)
    if rates.rounding is Rounding.CUMULATIVE:
        before, through = _rounded(before), _rounded(through)
    salary = _round2(through.salary - before.salary)
    fee = _round2(through.fee - before.fee)
    if rates.rounding is Rounding.CUMULATIVE:
        social = _social(through, rates) - _social(before, rates)
    else:
        social = _social(_Accrual(Fraction(salary), Fraction(fee)), rates)
    return MonthBreakdown(
        month=first,
        working_days_in_period=working_days(start, end),
        working_days_in_month=working_days_in_month(first.year, first.month),
        salary=salary,
        social_costs=social,
        daily_fee=fee,
    )


def _adding_up_to_the_lines(
    months: tuple[MonthBreakdown, ...],
    parts: list[tuple[date, date]],
    prices: _Prices,
    rates: InvoiceRates,
) -> tuple[MonthBreakdown, ...]:
    """Give each month the step of the running social-cost and fee lines (PER_LINE)."""
    salary, units = Fraction(), Fraction()
    social_before = fee_before = Decimal("0.00")
    steps = []
    for month, (start, end) in zip(months, parts, strict=True):
        salary += Fraction(month.salary)
        units += _fee_units(start, end, rates)
        fee = _round2(units * prices.fee)
        social = _social(_Accrual(salary, Fraction(fee)), rates)
        steps.append(
            replace(month, social_costs=social - social_before, daily_fee=fee - fee_before)
        )
        social_before, fee_before = social, fee
    return tuple(steps)


def _rounded(accrual: _Accrual) -> _Accrual:
    return _Accrual(Fraction(_round2(accrual.salary)), Fraction(_round2(accrual.fee)))


def _social(accrual: _Accrual, rates: InvoiceRates) -> Decimal:
    base = accrual.salary
    if rates.social_cost_base is SocialCostBase.SALARY_AND_DAILY_FEE:
        base += accrual.fee
    return _round2(Fraction(rates.social_cost_rate) * base)


def _round2(value: Fraction) -> Decimal:
    """Round half-up (away from zero) to two decimals, exactly."""
    cents = math.floor(abs(value) * 100 + Fraction(1, 2))
    return Decimal(cents if value >= 0 else -cents).scaleb(-2)


def _to_decimal(value: Fraction) -> Decimal:
    """Convert a Fraction with a terminating decimal expansion, such as a price."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def _price(value: Fraction) -> Decimal:
    """Convert a price or salary to a Decimal with at least two decimals."""
    price = _to_decimal(value)
    exponent = price.as_tuple().exponent
    return price.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else price


def _charged_lines(
    months: tuple[MonthBreakdown, ...],
    fee_days: Fraction,
    prices: _Prices,
    rates: InvoiceRates,
    texts: dict[str, tuple[str, str]],
) -> tuple[InvoiceLine, ...]:
    salary = sum((month.salary for month in months), Decimal("0.00"))
    fee = sum((month.daily_fee for month in months), Decimal("0.00"))
    social = sum((month.social_costs for month in months), Decimal("0.00"))
    if rates.rounding is Rounding.PER_LINE:
        fee = _round2(fee_days * prices.fee)
        social = _social(_Accrual(Fraction(salary), Fraction(fee)), rates)
    unit = "E49" if rates.daily_fee_day_basis is DayBasis.WORKING_DAYS else "DAY"
    fee_line = _line("daily_fee", texts, _to_decimal(fee_days), unit, _price(prices.fee), fee)
    return (
        _line("salary", texts, Decimal(1), "LS", salary, salary),
        _line("social_costs", texts, Decimal(1), "LS", social, social),
        fee_line,
    )


def _fee_split(
    fee: InvoiceLine, prices: _Prices, texts: dict[str, tuple[str, str]]
) -> tuple[InvoiceLine, InvoiceLine]:
    # The lending unit gets the rest, so the two shares always add up to the daily fee.
    employee = _round2(Fraction(fee.quantity) * prices.employee)
    quantity, unit = fee.quantity, fee.unit_code
    lending_price = _price(prices.fee - prices.employee)
    return (
        _line("employee_share", texts, quantity, unit, _price(prices.employee), employee),
        _line("lending_unit_share", texts, quantity, unit, lending_price, fee.amount - employee),
    )


def _replacement_budget(
    lending: InvoiceLine, days: int, rates: InvoiceRates, texts: dict[str, tuple[str, str]]
) -> InvoiceLine:
    if rates.replacement_budget_source is ReplacementBudgetSource.INVOICE_LENDING_DEPARTMENT_SHARE:
        quantity, unit, price = lending.quantity, lending.unit_code, lending.unit_price
        return _line("replacement_budget", texts, quantity, unit, price, lending.amount)
    rate = Fraction(rates.replacement_rate)
    return _line(
        "replacement_budget", texts, Decimal(days), "E49", _price(rate), _round2(days * rate)
    )


def _line(
    code: str,
    texts: dict[str, tuple[str, str]],
    quantity: Decimal,
    unit_code: str,
    unit_price: Decimal,
    amount: Decimal,
) -> InvoiceLine:
    return InvoiceLine(code, *texts[code], quantity, unit_code, unit_price, amount)


_TEXTS = {
    "salary": ("Lønn {period_nb}, {prorated_nb}", "Salary {period_en}, {prorated_en}"),
    "social_costs": ("Sosiale utgifter {rate} % av {base_nb}", "Social costs {rate}% of {base_en}"),
    "daily_fee": ("Dagsats kr {fee} per {day_nb}", "Daily fee NOK {fee} per {day_en}"),
    "employee_share": (
        "Herav til arbeidstaker kr {employee} per {day_nb}",
        "Of which to the employee NOK {employee} per {day_en}",
    ),
    "lending_unit_share": (
        "Herav til avgivende avdeling kr {lending} per {day_nb}",
        "Of which to the lending department NOK {lending} per {day_en}",
    ),
    "replacement_budget": (
        "Erstatningsmidler til avgivende tjenestested (KV 4)",
        "Replacement money for the lending unit (KV 4)",
    ),
}
_PRORATED = {
    SalaryProration.WORKING_DAYS_IN_MONTH: ("etter arbeidsdager i måneden", "by working days"),
    SalaryProration.CALENDAR_DAYS_IN_MONTH: ("etter kalenderdager i måneden", "by calendar days"),
    SalaryProration.ANNUAL_DIV_260: ("årslønn / 260 per arbeidsdag", "annual salary / 260 a day"),
}


def _descriptions(
    rates: InvoiceRates, prices: _Prices, start: date, end: date
) -> dict[str, tuple[str, str]]:
    by_working_days = rates.daily_fee_day_basis is DayBasis.WORKING_DAYS
    salary_only = rates.social_cost_base is SocialCostBase.SALARY_ONLY
    values = {
        "period_nb": f"fra {start:%d.%m.%Y} til {end:%d.%m.%Y}",
        "period_en": f"from {start:%Y-%m-%d} to {end:%Y-%m-%d}",
        "prorated_nb": _PRORATED[rates.salary_proration][0],
        "prorated_en": _PRORATED[rates.salary_proration][1],
        "rate": _plain(rates.social_cost_rate * 100),
        "base_nb": "lønn" if salary_only else "lønn og dagsats",
        "base_en": "salary" if salary_only else "salary and daily fee",
        "day_nb": "arbeidsdag" if by_working_days else "dag",
        "day_en": "working day" if by_working_days else "day",
        "fee": _plain(_to_decimal(prices.fee)),
        "employee": _plain(_to_decimal(prices.employee)),
        "lending": _plain(_to_decimal(prices.fee - prices.employee)),
    }
    return {code: (nb.format(**values), en.format(**values)) for code, (nb, en) in _TEXTS.items()}


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
