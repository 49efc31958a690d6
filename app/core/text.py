"""Checks of short text values shared by forms and imports."""

from __future__ import annotations

import re
import unicodedata

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+$")


def is_email(value: str) -> bool:
    """A plausible email address (one @, a dotted domain, no spaces or markup)."""
    return bool(EMAIL_RE.match(value or ""))


def normalised(text: str) -> str:
    """Text as compared rather than shown: full-width → half-width (NFKC), case folded, no whitespace.

    Used to grade typed answers and to recognise a question already in a bank.
    """
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return "".join(char for char in folded if not char.isspace())
