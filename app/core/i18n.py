"""Choosing the interface language: the user's saved choice, the language cookie, the browser, zh_Hans."""

from __future__ import annotations

import os

from flask import current_app, has_request_context, request
from flask_login import current_user

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
_TRADITIONAL_REGIONS = {"tw", "hk", "mo", "hant"}
# the language chosen with the switch, kept by the browser (signed in or not, across sign-in and out):
# a cookie of its own, so that a visitor needs no session for it (any value is theirs to choose)
LOCALE_COOKIE = "xb_lang"


def locale_from_accept(header_values) -> str | None:
    """Map Accept-Language entries (zh-CN, zh-TW, zh-Hant-HK, en-GB…) to a supported locale."""
    for value, _quality in header_values:
        parts = value.lower().replace("_", "-").split("-")
        if parts[0] == "en":
            return "en"
        if parts[0] == "zh":
            return "zh_Hant" if _TRADITIONAL_REGIONS & set(parts[1:]) else "zh_Hans"
    return None


def environment_locale(environ=os.environ) -> str | None:
    """The language the command line asked for: XIAOBAO_LANG, else LC_ALL / LC_MESSAGES / LANG
    (zh_CN.UTF-8 → zh_Hans, zh_TW → zh_Hant, en_US → en); None for C, POSIX or nothing."""
    for name in ("XIAOBAO_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").split(".")[0]
        if value and value not in ("C", "POSIX"):
            return locale_from_accept([(value, 1)]) or (value if value in ("zh_Hans", "zh_Hant", "en") else None)
    return None


def select_locale() -> str:
    """Flask-Babel's locale selector (commands: the environment's language)."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return environment_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    if (chosen := request.cookies.get(LOCALE_COOKIE)) in supported:
        return chosen
    return locale_from_accept(request.accept_languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Dates and times are shown in the bank's business time zone (BUSINESS_TZ)."""
    return current_app.config["BUSINESS_TZ"]
