"""How periods and cycles are named on pages, in exports and in mail, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from app.assignments.rules import NOW, is_period


def period_name(period: str) -> str:
    """'now' → 现在应完成, 'once' → 一次性, '2026' → 2026年, '2026H1' → 2026年上半年."""
    if period == NOW:
        return _("Due now (one-off, this year, this half-year)")
    if period == "once":
        return _("One-off")
    if not is_period(period):
        return period
    if period.endswith("H1"):
        return _("%(year)s, first half", year=period[:4])
    if period.endswith("H2"):
        return _("%(year)s, second half", year=period[:4])
    return _("Year %(year)s", year=period)


def cycle_name(cycle: str) -> str:
    """'annual' → 每年; only the name asked for is translated (a list calls this once per row)."""
    if cycle == "once":
        return _("once")
    if cycle == "annual":
        return _("every year")
    if cycle == "semiannual":
        return _("every half-year")
    return cycle
