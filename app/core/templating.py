"""Template helpers: languages, localised content text, dates."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from flask import Flask, g
from flask_babel import format_date, format_datetime, format_timedelta, get_locale, get_translations
from jinja2 import pass_context

from app.core.i18n import HTML_LANG, LANGUAGE_NAMES
from app.core.multilingual import pick, term
from app.core.time import as_utc
from app.core.urls import url_maker


def current_locale() -> str:
    """The active locale as one of zh_Hans, zh_Hant, en."""
    locale = get_locale()
    if locale is None:
        return "zh_Hans"
    if locale.language == "zh":
        return "zh_Hant" if locale.script == "Hant" else "zh_Hans"
    return "en"


@pass_context
def _date_filter(context, value, fmt: str = "medium") -> str:
    """A date or datetime in the reader's language (datetimes shown in China Standard Time); the language
    is the page's own (its context), not looked up again for each of the rows of a long list."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return format_date(as_utc(value), fmt)
    return _plain_date(value, fmt, context.get("current_locale") or current_locale())


def day_text(value: date, fmt: str = "medium") -> str:
    """A calendar day in the reader's language, as the templates' ``date`` filter writes it."""
    return _plain_date(value, fmt, current_locale())


@lru_cache(maxsize=4096)
def _plain_date(value: date, fmt: str, locale: str) -> str:
    """A calendar day depends on the language only: formatted once per day, format and language (a list of
    500 rows shows a handful of due dates). ``locale`` is current_locale(), the key of Flask-Babel's own."""
    return format_date(value, fmt)


def _translations():
    """The request's translations for templates, looked up once per request and language.

    Flask-Babel's template callables look the translations up again for every string (nine context
    lookups, 8 µs; a campaign page has forty strings). The locale object Flask-Babel keeps for the
    request is the key: ``force_locale`` (emails in the recipient's language) replaces it, so the
    translations follow it in and out."""
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    cached = g.get("_xb_translations")
    if cached is None or locale is None or cached[0] is not locale:
        found = get_translations()
        cached = (getattr(g.get("_flask_babel"), "babel_locale", None), found)
        g._xb_translations = cached
    return cached[1]


def register(app: Flask) -> None:
    """Expose helpers to every template."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )

    @app.context_processor
    def _context():
        locale = current_locale()
        return {
            "current_locale": locale,
            "html_lang": HTML_LANG[locale],
            "language_names": LANGUAGE_NAMES,
            "t": lambda texts: pick(texts, locale),
            "term": lambda text: term(text, locale),
        }

    app.jinja_env.globals["url_maker"] = url_maker
    app.jinja_env.filters["datetime"] = lambda v, fmt="medium": format_datetime(as_utc(v), fmt) if v else ""
    app.jinja_env.filters["date"] = _date_filter
    app.jinja_env.filters["points"] = lambda v: "" if v is None else f"{v:.2f}".rstrip("0").rstrip(".")
    app.jinja_env.filters["duration"] = lambda seconds: format_timedelta(seconds, threshold=1.0)
    app.jinja_env.filters["pct"] = lambda v: "" if v is None else f"{v:.0f}%"
