"""Small forms shared across the site."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from app.config import LANGUAGES


class LanguageForm(FlaskForm):
    locale = StringField(_l("Language"), validators=[AnyOf(LANGUAGES)])
    next = HiddenField()


class VerifyForm(FlaskForm):
    code = StringField(
        _l("Certificate code"),
        validators=[
            DataRequired(message=_l("Enter the code printed on the certificate.")),
            Length(max=40),
            Regexp(r"^\s*[A-Za-z0-9-]+\s*$", message=_l("A certificate code has only letters, digits and dashes.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """A bare CSRF-protected form for buttons that change state."""
