"""Choosing the interface language: the user's saved choice, the session, the browser, zh_Hans."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
_TRADITIONAL_REGIONS = {"tw", "hk", "mo", "hant"}


def locale_from_accept(header_values) -> str | None:
    """Map Accept-Language entries (zh-CN, zh-TW, zh-Hant-HK, en-GB…) to a supported locale."""
    for value, _quality in header_values:
        parts = value.lower().replace("_", "-").split("-")
        if parts[0] == "en":
            return "en"
        if parts[0] == "zh":
            return "zh_Hant" if _TRADITIONAL_REGIONS & set(parts[1:]) else "zh_Hans"
    return None


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    supported = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    if session.get("locale") in supported:
        return session["locale"]
    return locale_from_accept(request.accept_languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Every bank branch in scope works on China Standard Time."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
