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
    return {"once": _("once"), "annual": _("every year"), "semiannual": _("every half-year")}.get(cycle, cycle)
