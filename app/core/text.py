"""Checks of short text values shared by forms and imports."""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+$")


def is_email(value: str) -> bool:
    """A plausible email address (one @, a dotted domain, no spaces or markup)."""
    return bool(EMAIL_RE.match(value or ""))
