"""Account administration forms (choices are filled in by the view)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField
from wtforms.validators import Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import SiteForm
from app.core.text import EMAIL_RE


class AccountForm(SiteForm):
    roles = SelectMultipleField(_l("Roles"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    hr_scope = SelectField(_l("HR scope (the org unit and everything under it)"), validate_choice=True)
    active = BooleanField(_l("Active (can sign in)"))
    email = EmailField(_l("Email address"), validators=[
        Optional(), Length(max=255), Regexp(EMAIL_RE, message=_l("This is not an email address."))])
