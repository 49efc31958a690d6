"""The one place that decides whether a ``next`` address from a request may be redirected to."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import redirect, url_for

MAX_LENGTH = 2000
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}


def local_path(target: object) -> str | None:
    """``target`` when it is a path on this site (``/learn?x=1``), otherwise None.

    Refused: absolute and protocol-relative URLs (``https:x``, ``//x``), backslashes that browsers
    read as slashes (``/\\x``), control and invisible characters that browsers strip (``/\\t/x``),
    and the same tricks percent-encoded once or twice.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return None
    once = unquote(target)
    for candidate in (target, once, unquote(once)):
        if not _plain_local(candidate):
            return None
    return target


def _plain_local(candidate: str) -> bool:
    if not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate:
        return False
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in candidate):
        return False
    parts = urlsplit(candidate)
    return not parts.scheme and not parts.netloc


def redirect_back(target: object, fallback_endpoint: str, **values):
    """Redirect to ``target`` when it is local, else to ``fallback_endpoint``."""
    return redirect(local_path(target) or url_for(fallback_endpoint, **values))
