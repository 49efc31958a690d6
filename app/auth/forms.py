"""Sign-in forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app.core.forms import SiteForm
from app.core.text import EMAIL_RE


class LoginForm(SiteForm):
    username = StringField(
        _l("Username or employee number"),
        validators=[DataRequired(message=_l("Enter your username.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class PasswordChangeForm(SiteForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(message=_l("Enter your current password."))],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Enter a new password.")), Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(message=_l("Enter the new password again.")),
        EqualTo("new", message=_l("The two new passwords differ.")),
    ], render_kw={"autocomplete": "new-password"})


class EmailForm(SiteForm):
    email = EmailField(_l("Email address for reminders"), validators=[
        Optional(), Length(max=255), Regexp(EMAIL_RE, message=_l("This is not an email address."))],
        render_kw={"autocomplete": "email"})
