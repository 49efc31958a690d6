"""The assignment form (choices are filled in by the view from the HR user's scope)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from app.core.forms import SiteForm

MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")


def month_day(value: str | None) -> tuple[int, int] | None:
    """'6-30' or '06-30' → (6, 30); None for an empty or malformed value."""
    match = MONTH_DAY.match((value or "").strip())
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def _month_day_check(form, field):
    if field.data and month_day(field.data) is None:
        raise ValidationError(_l("Write a month and day like 06-30."))


class AssignmentForm(SiteForm):
    course = SelectField(_l("Course"), validators=[DataRequired()])
    audience = SelectField(_l("Audience (org unit and everything under it)"), validate_choice=True)
    positions = StringField(_l("Positions (optional, separated by commas)"),
                            render_kw={"placeholder": "柜员, 大堂经理"})
    cycle = SelectField(_l("Cycle"), choices=[SelectChoice("annual", _l("Every year (annual re-certification)")),
                                              SelectChoice("semiannual", _l("Every half-year (due at the end of each half)")),
                                              SelectChoice("once", _l("Once"))])
    kind = SelectField(_l("Due rule"), choices=[
        SelectChoice("window", _l("A calendar window, e.g. 01-01 to 06-30")),
        SelectChoice("fixed", _l("By a fixed date")),
        SelectChoice("relative", _l("N days after joining the bank: new hires from the start date on (once only)")),
    ])
    starts_on = DateField(_l("Applies from"), validators=[DataRequired(message=_l("Give the date the assignment applies from."))])
    due_date = DateField(_l("Due date (fixed, once)"), validators=[Optional()])
    due_month_day = StringField(_l("Due every year on (MM-DD)"), validators=[_month_day_check])
    window_start = StringField(_l("Window opens (MM-DD)"), validators=[_month_day_check])
    window_end = StringField(_l("Window closes (MM-DD)"), validators=[_month_day_check])
    confirm_overdue = HiddenField()
    days = IntegerField(_l("Days after joining"), validators=[Optional(), NumberRange(min=1, max=730)])
