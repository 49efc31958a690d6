"""Due rules for mandatory training. Pure Python (no Flask, no database).

A rule says when a requirement's window opens and when it is due:
- fixed: by a date (``once``), or by the same month and day every year (``annual``);
- window: a calendar window such as 1 January – 30 June (``once``: in the year the assignment
  starts; ``annual``: every year, each year a new requirement);
- relative: N days after a new employee joins the bank (``once`` only): for people hired on or after
  the assignment's start (their hire date; the day they entered the audience when it is unknown).
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.core.exceptions import CodedError

KINDS = ("fixed", "window", "relative")
CYCLES = ("once", "annual", "semiannual")
# a requirement period: "once", the year of an annual cycle ("2026"), or a half of a semiannual one ("2026H1")
PERIOD_RE = re.compile(r"^(once|\d{4}(H[12])?)$")
NOW = "now"  # not a period: every period due now (see current_periods)


def is_period(text: str | None) -> bool:
    """True for a period label a requirement can carry ("once", "2026", "2026H2")."""
    return bool(text) and bool(PERIOD_RE.match(text))


def current_periods(today: date) -> list[str]:
    """The periods due now: one-time requirements, this year's and this half-year's."""
    return ["once", str(today.year), f"{today.year}H{1 if today.month <= 6 else 2}"]


def period_bounds(period: str) -> tuple[date, date] | None:
    """The first and last day a year or half-year period covers (None for "once")."""
    if not is_period(period) or period == "once":
        return None
    year = int(period[:4])
    if period.endswith("H1"):
        return date(year, 1, 1), date(year, 6, 30)
    if period.endswith("H2"):
        return date(year, 7, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def period_order(period: str) -> tuple:
    """Newest first, halves beside their year, "once" last."""
    if period == "once" or not is_period(period):
        return (1, 0, 0)
    return (0, -int(period[:4]), 0 if len(period) == 4 else -int(period[-1]))



class RuleError(CodedError):
    """A rule that cannot work; ``code`` says why."""


@dataclass(frozen=True)
class DueRule:
    kind: str
    cycle: str
    starts_on: date
    due_date: date | None = None        # fixed + once
    due_month_day: tuple[int, int] | None = None    # fixed + annual
    window: tuple[tuple[int, int], tuple[int, int]] | None = None  # window: ((m, d), (m, d))
    days: int | None = None             # relative

    def check(self) -> None:
        """Raise RuleError unless the rule is complete and consistent."""
        if self.kind not in KINDS or self.cycle not in CYCLES:
            raise RuleError("unknown_rule")
        if self.kind == "relative" and (self.cycle != "once" or not self.days or self.days < 1):
            raise RuleError("relative_needs_days_once")
        if self.kind == "fixed" and self.cycle == "once" and self.due_date is None:
            raise RuleError("fixed_needs_date")
        if self.kind == "fixed" and self.cycle == "once" and self.due_date < self.starts_on:
            raise RuleError("due_before_start")
        if self.kind == "fixed" and self.cycle == "annual" and self.due_month_day is None:
            raise RuleError("fixed_needs_date")
        if self.cycle == "semiannual" and self.kind != "fixed":
            raise RuleError("semiannual_is_fixed")
        if self.kind == "window":
            if self.window is None:
                raise RuleError("window_needs_dates")
            (sm, sd), (em, ed) = self.window
            if (sm, sd) > (em, ed):
                raise RuleError("window_reversed")


@dataclass(frozen=True)
class Period:
    label: str          # "once" or the year, e.g. "2026"
    window_start: date
    due_date: date


def _on(year: int, month: int, day: int) -> date:
    """The date, with 29 February becoming 28 February in common years."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def period_for(rule: DueRule, today: date, joined: date | None = None) -> Period | None:
    """The period the rule asks for on ``today`` (None before the assignment starts)."""
    if today < rule.starts_on:
        return None
    if rule.cycle == "once":
        return _once(rule, max(joined or rule.starts_on, rule.starts_on))
    return _recurring(rule, today)


def _once(rule: DueRule, joined: date) -> Period:
    """The one period of a one-time rule (for a relative rule, counted from the day the person joined)."""
    if rule.kind == "fixed":
        return Period("once", rule.starts_on, rule.due_date)
    if rule.kind == "relative":
        return Period("once", joined, joined + timedelta(days=rule.days))
    (sm, sd), (em, ed) = rule.window
    year = rule.starts_on.year
    return Period("once", _on(year, sm, sd), _on(year, em, ed))


def _recurring(rule: DueRule, today: date) -> Period:
    """The half-year or the year of a recurring rule that ``today`` falls in."""
    year = today.year
    if rule.cycle == "semiannual":  # each half-year, due on its last day
        start, end = period_bounds(f"{year}H{1 if today.month <= 6 else 2}")
        return Period(f"{year}H{1 if today.month <= 6 else 2}", max(start, rule.starts_on), end)
    if rule.kind == "fixed":
        month, day = rule.due_month_day
        return Period(str(year), max(date(year, 1, 1), rule.starts_on), _on(year, month, day))
    (sm, sd), (em, ed) = rule.window
    return Period(str(year), _on(year, sm, sd), _on(year, em, ed))


class Status(enum.StrEnum):
    """Where one requirement stands."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED_ON_TIME = "completed_on_time"
    COMPLETED_LATE = "completed_late"
    OVERDUE = "overdue"


def status(due_date: date, completed_on: date | None, started: bool, today: date) -> Status:
    """The one rule: completed on or before the due date (business days) is on time, after it late; not
    completed after the due date is overdue. SQL (assignments.models) and the totals triggers follow it
    and are tested against it."""
    if completed_on is not None:
        return Status.COMPLETED_ON_TIME if completed_on <= due_date else Status.COMPLETED_LATE
    if today > due_date:
        return Status.OVERDUE
    return Status.IN_PROGRESS if started else Status.NOT_STARTED
