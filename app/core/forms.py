"""Small forms shared across the site."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from app.config import LANGUAGES
from app.core.visitors import FormCSRF


class SiteForm(FlaskForm):
    """The base of every form of the site.

    - Its CSRF token is the page's (core.visitors): the session's for a signed-in user, the visitor
      cookie's for everyone else, so a public visitor needs no session.
    - WTForms' own messages come from a per-process catalog cache: Flask-WTF reads that catalog from
      disk once per request that builds a form, a measurable share of a request on the public quiz.
    """

    class Meta:
        csrf_class = FormCSRF

        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            return _wtforms_translations(str(get_locale()))


class LanguageForm(SiteForm):
    locale = StringField(_l("Language"), validators=[AnyOf(LANGUAGES)])
    next = HiddenField()


class VerifyForm(SiteForm):
    code = StringField(
        _l("Certificate code"),
        validators=[
            DataRequired(message=_l("Enter the code printed on the certificate.")),
            Length(max=40),
            Regexp(r"^\s*[A-Za-z0-9-]+\s*$", message=_l("A certificate code has only letters, digits and dashes.")),
        ],
    )


class ConfirmForm(SiteForm):
    """A bare CSRF-protected form for buttons that change state."""


@lru_cache(maxsize=8)
def _wtforms_translations(locale: str):
    from babel import support
    from flask_wtf.i18n import Translations
    from wtforms.i18n import messages_path

    catalog = support.Translations.load(messages_path(), [locale], domain="wtforms")

    class _Cached(Translations):
        def gettext(self, string):
            return catalog.ugettext(string)

        def ngettext(self, singular, plural, n):
            return catalog.ungettext(singular, plural, n)

    return _Cached()
