import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.rules.invoice import (
    DayBasis,
    InvalidInvoiceInput,
    InvoiceRates,
    ReplacementBudgetSource,
    Rounding,
    SalaryProration,
    SocialCostBase,
    calculate_invoice,
)

D = Decimal
PER_LINE = InvoiceRates(rounding=Rounding.PER_LINE)
CUMULATIVE = InvoiceRates(rounding=Rounding.CUMULATIVE)
few = settings(max_examples=200, deadline=None)

# assignment-routine.md §10: (start, end, salary, position %), lines, shares, months.
EXAMPLES = {
    "1 Christmas/New Year": (
        (date(2026, 12, 14), date(2027, 1, 8), "52000", 100),
        {"salary": "43727.27", "social_costs": "10931.82", "daily_fee": "9000.00"},
        ("3600.00", "5400.00", "5400.00", "63659.09", 18),
        [
            ("2026-12", 13, 22, "30727.27", "7681.82", "6500.00", "44909.09"),
            ("2027-01", 5, 20, "13000.00", "3250.00", "2500.00", "18750.00"),
        ],
    ),
    "2 Easter": (
        (date(2027, 3, 15), date(2027, 4, 9), "47500", 100),
        {"salary": "38863.64", "social_costs": "9715.91", "daily_fee": "8500.00"},
        ("3400.00", "5100.00", "5100.00", "57079.55", 17),
        [
            ("2027-03", 10, 20, "23750.00", "5937.50", "5000.00", "34687.50"),
            ("2027-04", 7, 22, "15113.64", "3778.41", "3500.00", "22392.05"),
        ],
    ),
    "3 Ascension and 17 May": (
        (date(2027, 5, 3), date(2027, 5, 28), "58000", 100),
        {"salary": "54947.37", "social_costs": "13736.84", "daily_fee": "9000.00"},
        ("3600.00", "5400.00", "5400.00", "77684.21", 18),
        [("2027-05", 18, 19, "54947.37", "13736.84", "9000.00", "77684.21")],
    ),
    "4 three full months, 80 %": (
        (date(2027, 9, 1), date(2027, 11, 30), "38400", 80),
        {"salary": "115200.00", "social_costs": "28800.00", "daily_fee": "32500.00"},
        ("13000.00", "19500.00", "19500.00", "176500.00", 65),
        [
            ("2027-09", 22, 22, "38400.00", "9600.00", "11000.00", "59000.00"),
            ("2027-10", 21, 21, "38400.00", "9600.00", "10500.00", "58500.00"),
            ("2027-11", 22, 22, "38400.00", "9600.00", "11000.00", "59000.00"),
        ],
    ),
}


@pytest.mark.parametrize("rates", [CUMULATIVE, PER_LINE], ids=["cumulative", "per_line"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_worked_examples(name, rates):
    (start, end, salary, percentage), lines, shares, months = EXAMPLES[name]
    invoice = calculate_invoice(start, end, D(salary), D(percentage), rates)
    assert {line.code: str(line.amount) for line in invoice.lines} == lines
    employee, lending, replacement, total, days = shares
    assert str(invoice.employee_share.amount) == employee
    assert str(invoice.lending_unit_share.amount) == lending
    assert str(invoice.replacement_budget.amount) == replacement
    assert str(invoice.total) == total
    assert invoice.working_days == days
    assert invoice.line("daily_fee").quantity == days
    assert [
        (
            f"{m.month:%Y-%m}",
            m.working_days_in_period,
            m.working_days_in_month,
            str(m.salary),
            str(m.social_costs),
            str(m.daily_fee),
            str(m.total),
        )
        for m in invoice.months
    ] == months


def example_1(**options):
    rates = InvoiceRates(**options)
    return calculate_invoice(date(2026, 12, 14), date(2027, 1, 8), D("52000"), rates=rates)


@pytest.mark.parametrize(
    ("options", "salary", "social", "fee", "total"),
    [
        ({}, "43727.27", "10931.82", "9000.00", "63659.09"),
        (
            {"daily_fee_day_basis": DayBasis.CALENDAR_DAYS},
            "43727.27",
            "10931.82",
            "13000.00",
            "67659.09",
        ),
        (
            {"social_cost_base": SocialCostBase.SALARY_AND_DAILY_FEE},
            "43727.27",
            "13181.82",
            "9000.00",
            "65909.09",
        ),
        (
            {"salary_proration": SalaryProration.CALENDAR_DAYS_IN_MONTH},
            "43612.90",
            "10903.23",
            "9000.00",
            "63516.13",
        ),
        (
            {"salary_proration": SalaryProration.ANNUAL_DIV_260},
            "43200.00",
            "10800.00",
            "9000.00",
            "63000.00",
        ),
        ({"half_days": ("12-24", "12-31")}, "43727.27", "10931.82", "8500.00", "63159.09"),
    ],
    ids=["default", "A", "B", "C", "D", "E"],
)
@pytest.mark.parametrize("rounding", list(Rounding))
def test_example_1_variants(options, salary, social, fee, total, rounding):
    invoice = example_1(rounding=rounding, **options)
    assert [str(line.amount) for line in invoice.lines] == [salary, social, fee]
    assert str(invoice.total) == total


def test_example_1_variant_a_splits_per_calendar_day():
    invoice = example_1(daily_fee_day_basis=DayBasis.CALENDAR_DAYS)
    assert invoice.line("daily_fee").quantity == 26
    assert invoice.line("daily_fee").unit_code == "DAY"
    assert (invoice.employee_share.amount, invoice.lending_unit_share.amount) == (
        D("5200.00"),
        D("7800.00"),
    )


def test_example_1_variant_e_counts_half_days():
    invoice = example_1(half_days=("12-24", "12-31"))
    assert invoice.line("daily_fee").quantity == 17
    assert invoice.working_days == 18


def test_example_4_with_daily_amounts_prorated_by_position():
    rates = InvoiceRates(prorate_daily_amounts_by_position_pct=True)
    invoice = calculate_invoice(date(2027, 9, 1), date(2027, 11, 30), D("38400"), D(80), rates)
    assert invoice.line("daily_fee").amount == D("26000.00")
    assert invoice.line("daily_fee").unit_price == D("400.00")
    assert invoice.employee_share.amount == D("10400.00")
    assert invoice.lending_unit_share.amount == D("15600.00")
    assert invoice.total == D("170000.00")


def test_example_3_counts_17_may_once():
    invoice = calculate_invoice(date(2027, 5, 3), date(2027, 5, 28), D("58000"))
    assert invoice.line("salary").amount != D("54777.78")  # the double-count result


def test_replacement_budget_as_separate_money():
    source = ReplacementBudgetSource.SEPARATE_ADDITIONAL
    invoice = example_1(replacement_budget_source=source, half_days=("12-24",))
    assert invoice.replacement_budget.amount == D("5400.00")  # 18 working days at 300
    assert invoice.lending_unit_share.amount == D("5250.00")  # 17.5 fee days at 300


def test_exclusive_end_date():
    invoice = example_1(period_end_inclusive=False)
    assert invoice.period_end == date(2027, 1, 7)
    inclusive = calculate_invoice(date(2026, 12, 14), date(2027, 1, 9), D("52000"))
    exclusive = calculate_invoice(
        date(2026, 12, 14),
        date(2027, 1, 10),
        D("52000"),
        rates=InvoiceRates(period_end_inclusive=False),
    )
    assert exclusive.total == inclusive.total


def test_to_dict_is_json_ready():
    data = example_1().to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["period_start"] == "2026-12-14"
    assert data["total"] == "63659.09"
    assert data["monthly_salary"] == "52000.00"
    assert data["months"][0]["month"] == "2026-12"
    assert data["months"][0]["total"] == "44909.09"
    assert data["lines"][0]["amount"] == "43727.27"
    assert data["rates"]["rounding"] == "half_up_2dp_per_line"
    assert data["employee_share"]["unit_price"] == "200.00"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((date(2027, 1, 8), date(2027, 1, 7), D(1000)), "end_date"),
        ((date(2027, 1, 8), date(2027, 1, 8), D(-1)), "monthly_salary"),
        ((date(2027, 1, 8), date(2027, 1, 8), 1000.0), "monthly_salary"),
        ((date(2027, 1, 8), date(2027, 1, 8), D("NaN")), "monthly_salary"),
        ((date(2027, 1, 8), date(2027, 1, 8), D(1000), D(0)), "position_percentage"),
        ((date(2027, 1, 8), date(2027, 1, 8), D(1000), D("0.5")), "position_percentage"),
        ((date(2027, 1, 8), date(2027, 1, 8), D(1000), D("100.01")), "position_percentage"),
    ],
)
def test_invalid_input(args, field):
    with pytest.raises(InvalidInvoiceInput) as error:
        calculate_invoice(*args)
    assert error.value.field == field
    assert isinstance(error.value, ValueError)


def test_exclusive_end_on_the_start_date_is_empty():
    rates = InvoiceRates(period_end_inclusive=False)
    with pytest.raises(InvalidInvoiceInput, match="end_date"):
        calculate_invoice(date(2027, 1, 8), date(2027, 1, 8), D(1000), rates=rates)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"employee_share": D(250)}, "lending_unit_share"),
        ({"social_cost_rate": D("-0.25")}, "social_cost_rate"),
        ({"half_days": ("24-12",)}, "half_days"),
    ],
)
def test_invalid_rates(options, field):
    with pytest.raises(InvalidInvoiceInput) as error:
        InvoiceRates(**options)
    assert error.value.field == field


def test_the_boundaries_are_valid():
    invoice = calculate_invoice(date(2027, 1, 2), date(2027, 1, 3), D(0), D(1))
    assert invoice.total == 0
    assert invoice.working_days == 0
    assert calculate_invoice(date(2027, 1, 4), date(2027, 1, 4), D(1), D(100)).total > 0


# Properties

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2098, 12, 31))
salaries = st.decimals(min_value=0, max_value=200_000, places=2)
percentages = st.decimals(min_value=1, max_value=100, places=2)
cumulative_rates = st.builds(
    InvoiceRates,
    social_cost_base=st.sampled_from(SocialCostBase),
    salary_proration=st.sampled_from(SalaryProration),
    daily_fee_day_basis=st.sampled_from(DayBasis),
    prorate_daily_amounts_by_position_pct=st.booleans(),
    half_days=st.sampled_from([(), ("12-24", "12-31"), ("05-16",)]),
    rounding=st.just(Rounding.CUMULATIVE),
)


@few
@given(year=st.integers(2000, 2098), month=st.integers(1, 12), salary=salaries)
def test_a_full_month_costs_one_salary_plus_25_percent(year, month, salary):
    first = date(year, month, 1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    invoice = calculate_invoice(first, last, salary)
    social = (salary * D("0.25")).quantize(D("0.01"), ROUND_HALF_UP)
    assert invoice.line("salary").amount == salary
    assert invoice.line("social_costs").amount == social
    assert invoice.total - invoice.line("daily_fee").amount == salary + social
    if salary % D("0.04") == 0:
        assert salary + social == salary * D("1.25")


def split_totals(start, split, end, salary, percentage, rates):
    whole = calculate_invoice(start, end, salary, percentage, rates)
    first = calculate_invoice(start, split - timedelta(days=1), salary, percentage, rates)
    second = calculate_invoice(split, end, salary, percentage, rates)
    return whole, first, second


@few
@given(
    start=dates,
    days=st.integers(1, 400),
    data=st.data(),
    salary=salaries,
    percentage=percentages,
    rates=cumulative_rates,
)
def test_splitting_a_period_at_any_date_gives_the_same_invoice(
    start, days, data, salary, percentage, rates
):
    end = start + timedelta(days=days)
    split = start + timedelta(days=data.draw(st.integers(1, days)))
    whole, first, second = split_totals(start, split, end, salary, percentage, rates)
    for whole_line, first_line, second_line in zip(
        whole.lines, first.lines, second.lines, strict=True
    ):
        assert whole_line.amount == first_line.amount + second_line.amount
        assert whole_line.quantity == first_line.quantity + second_line.quantity or (
            whole_line.unit_code == "LS"
        )
    assert whole.total == first.total + second.total
    assert whole.working_days == first.working_days + second.working_days


@few
@given(
    start=dates,
    days=st.integers(0, 400),
    salary=salaries,
    rates=cumulative_rates,
    rounding=st.sampled_from(Rounding),
)
def test_the_months_add_up_to_the_invoice(start, days, salary, rates, rounding):
    rates = replace(rates, rounding=rounding)
    invoice = calculate_invoice(start, start + timedelta(days=days), salary, rates=rates)
    assert sum(month.total for month in invoice.months) == invoice.total
    assert sum(m.working_days_in_period for m in invoice.months) == invoice.working_days
    for code in ("salary", "social_costs", "daily_fee"):
        assert sum(getattr(m, code) for m in invoice.months) == invoice.line(code).amount


def test_a_single_day_is_rounded_line_by_line_by_default():
    # AMB-12: each line half-up to øre, the total the sum of the rounded lines. 24 December 2027
    # is one of December's 23 working days: 52,000 / 23 = 2,260.869… → 2,260.87.
    invoice = calculate_invoice(date(2027, 12, 24), date(2027, 12, 24), D("52000"))
    assert invoice.working_days == 1
    amounts = {line.code: line.amount for line in invoice.lines}
    assert amounts == {
        "salary": D("2260.87"),
        "social_costs": D("565.22"),
        "daily_fee": D("500.00"),
    }
    assert invoice.total == D("3326.09")
    cumulative = calculate_invoice(
        date(2027, 12, 24), date(2027, 12, 24), D("52000"), rates=CUMULATIVE
    )
    assert cumulative.line("social_costs").amount == D("565.21")
    assert cumulative.total == D("3326.08")


@few
@given(
    start=dates,
    days=st.integers(0, 400),
    salary=salaries,
    percentage=percentages,
    rates=cumulative_rates,
)
def test_each_default_line_follows_from_the_lines_above_it(start, days, salary, percentage, rates):
    rates = replace(rates, rounding=Rounding.PER_LINE)
    invoice = calculate_invoice(start, start + timedelta(days=days), salary, percentage, rates)
    salary_line, social, fee = (
        invoice.line(c).amount for c in ("salary", "social_costs", "daily_fee")
    )
    base = salary_line + (
        fee if rates.social_cost_base is SocialCostBase.SALARY_AND_DAILY_FEE else 0
    )
    assert social == (base * rates.social_cost_rate).quantize(D("0.01"), ROUND_HALF_UP)
    fee_line = invoice.line("daily_fee")
    assert fee == (fee_line.quantity * fee_line.unit_price).quantize(D("0.01"), ROUND_HALF_UP)
    assert invoice.total == salary_line + social + fee


@few
@given(start=dates, days=st.integers(1, 400), data=st.data(), salary=salaries)
def test_per_line_rounding_moves_a_split_total_by_at_most_two_ore(start, days, data, salary):
    end = start + timedelta(days=days)
    split = start + timedelta(days=data.draw(st.integers(1, days)))
    whole, first, second = split_totals(start, split, end, salary, D(100), PER_LINE)
    assert abs(whole.total - first.total - second.total) <= D("0.02")


def test_per_line_rounding_is_not_additive():
    # Why the default rounds running totals: the §8.2 formula taken literally loses 0.02 here.
    start, split, end = date(2026, 12, 18), date(2027, 3, 8), date(2027, 4, 2)
    whole, first, second = split_totals(start, split, end, D("89057.74"), D(100), PER_LINE)
    assert first.total + second.total - whole.total == D("0.02")
    whole, first, second = split_totals(start, split, end, D("89057.74"), D(100), CUMULATIVE)
    assert first.total + second.total == whole.total


@few
@given(start=dates, days=st.integers(0, 400), salary=salaries)
def test_cumulative_rounding_stays_within_an_ore_a_month_of_the_formula(start, days, salary):
    end = start + timedelta(days=days)
    cumulative = calculate_invoice(start, end, salary, rates=CUMULATIVE)
    literal = calculate_invoice(start, end, salary)
    tolerance = D("0.01") * (len(cumulative.months) + 1)
    assert abs(cumulative.total - literal.total) <= tolerance
    if start.day == 1:
        assert cumulative.line("salary").amount == literal.line("salary").amount


@few
@given(
    start=dates,
    days=st.integers(0, 400),
    percentage=percentages,
    rates=cumulative_rates,
    rounding=st.sampled_from(Rounding),
)
def test_the_employee_and_lending_shares_add_up_to_the_daily_fee(
    start, days, percentage, rates, rounding
):
    rates = replace(rates, rounding=rounding)
    invoice = calculate_invoice(start, start + timedelta(days=days), D(40000), percentage, rates)
    fee = invoice.line("daily_fee")
    assert invoice.employee_share.amount + invoice.lending_unit_share.amount == fee.amount
    assert invoice.employee_share.amount >= 0
    assert invoice.lending_unit_share.amount >= 0
    assert abs(fee.amount - fee.quantity * fee.unit_price) <= D("0.02")  # Peppol R120
