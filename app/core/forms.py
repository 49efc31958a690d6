"""Small forms shared across the site."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.config import LANGUAGES
from app.core.i18n import LANGUAGE_NAMES


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES])
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
