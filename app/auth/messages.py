"""Sentences shown for refused account requests, shared by the pages and the command line."""

from __future__ import annotations

from flask_babel import gettext as _


def password_message(code: str) -> str:
    """The sentence shown on the password field for a refused password."""
    hints = {
        "weak:common": _("This password is on the lists of the most common passwords."),
        "weak:keyboard": _("Rows and patterns of keys are easy to guess."),
        "weak:repeats": _("Repeated characters or words are easy to guess."),
        "weak:sequence": _("Sequences such as abc or 6543 are easy to guess."),
        "weak:dates": _("Years and dates are easy to guess."),
        "weak:names": _("Names and surnames on their own are easy to guess."),
        "weak:general": _("It is built from words or parts that are easy to guess, such as your name, "
                          "username or employee number."),
    }
    messages = {
        "wrong_current_password": _("The current password is not right."),
        "same_password": _("Choose a password different from the current one."),
        "too_short": _("The password must be at least 10 characters long."),
    }
    if code in hints:
        return _("This password is too easy to guess. %(hint)s Try a short phrase of three or four unrelated "
                 "words, or add less predictable characters.", hint=hints[code])
    return messages.get(code, code)
