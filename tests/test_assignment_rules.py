"""Due rules: windows, annual cycles, relative due dates, leap days, and statuses."""

from __future__ import annotations

from datetime import date

import pytest

from app.assignments.rules import DueRule, Period, RuleError, period_for, status


def test_once_fixed_and_relative():
    fixed = DueRule("fixed", "once", date(2026, 3, 1), due_date=date(2026, 6, 30))
    assert period_for(fixed, date(2026, 5, 1)) == Period("once", date(2026, 3, 1), date(2026, 6, 30))
    assert period_for(fixed, date(2026, 2, 1)) is None  # not started yet
    relative = DueRule("relative", "once", date(2026, 3, 1), days=30)
    assert period_for(relative, date(2026, 3, 1)) == Period("once", date(2026, 3, 1), date(2026, 3, 31))
    assert period_for(relative, date(2026, 9, 1), joined=date(2026, 9, 1)).due_date == date(2026, 10, 1)


def test_annual_window_gives_a_new_period_each_year():
    rule = DueRule("window", "annual", date(2026, 1, 1), window=((1, 1), (6, 30)))
    assert period_for(rule, date(2026, 11, 23)) == Period("2026", date(2026, 1, 1), date(2026, 6, 30))
    assert period_for(rule, date(2027, 2, 1)) == Period("2027", date(2027, 1, 1), date(2027, 6, 30))


def test_annual_fixed_day_and_leap_day():
    rule = DueRule("fixed", "annual", date(2024, 1, 1), due_month_day=(2, 29))
    assert period_for(rule, date(2024, 1, 5)).due_date == date(2024, 2, 29)
    assert period_for(rule, date(2025, 1, 5)).due_date == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (DueRule("relative", "annual", date(2026, 1, 1), days=30), "relative_needs_days_once"),
        (DueRule("relative", "once", date(2026, 1, 1)), "relative_needs_days_once"),
        (DueRule("fixed", "once", date(2026, 5, 1), due_date=date(2026, 4, 1)), "due_before_start"),
        (DueRule("window", "annual", date(2026, 1, 1), window=((7, 1), (3, 31))), "window_reversed"),
        (DueRule("fixed", "annual", date(2026, 1, 1)), "fixed_needs_date"),
    ],
)
def test_inconsistent_rules_are_refused(rule, code):
    with pytest.raises(RuleError) as error:
        rule.check()
    assert error.value.code == code


def test_status():
    due = date(2026, 6, 30)
    assert status(due, date(2026, 6, 30), True, date(2026, 7, 5)) == "completed_on_time"
    assert status(due, date(2026, 7, 1), True, date(2026, 7, 5)) == "completed_late"
    assert status(due, None, True, date(2026, 7, 1)) == "overdue"
    assert status(due, None, True, date(2026, 6, 1)) == "in_progress"
    assert status(due, None, False, date(2026, 6, 30)) == "not_started"
