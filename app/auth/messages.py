"""Sentences shown for refused account requests, shared by the pages and the command line."""

from __future__ import annotations

from flask_babel import gettext as _

# the hint added to "too easy to guess", by the kind of weakness found (translated when asked)
PASSWORD_HINTS = {
    "weak:common": lambda: _("This password is on the lists of the most common passwords."),
    "weak:keyboard": lambda: _("Rows and patterns of keys are easy to guess."),
    "weak:repeats": lambda: _("Repeated characters or words are easy to guess."),
    "weak:sequence": lambda: _("Sequences such as abc or 6543 are easy to guess."),
    "weak:dates": lambda: _("Years and dates are easy to guess."),
    "weak:names": lambda: _("Names and surnames on their own are easy to guess."),
    "weak:general": lambda: _("It is built from words or parts that are easy to guess, such as your name, "
                              "username or employee number."),
}
PASSWORD_MESSAGES = {
    "wrong_current_password": lambda: _("The current password is not right."),
    "same_password": lambda: _("Choose a password different from the current one."),
    "too_short": lambda: _("The password must be at least 10 characters long."),
}


def password_message(code: str) -> str:
    """The sentence shown on the password field for a refused password."""
    if code in PASSWORD_HINTS:
        return _("This password is too easy to guess. %(hint)s Try a short phrase of three or four unrelated "
                 "words, or add less predictable characters.", hint=PASSWORD_HINTS[code]())
    return PASSWORD_MESSAGES[code]() if code in PASSWORD_MESSAGES else code
