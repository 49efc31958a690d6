"""Password hashing with argon2id, and the strength rule (at least 10 characters, zxcvbn score ≥ 3)."""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash attacks"
MAX_CHECKED = 100  # zxcvbn's cost grows with length; the first 100 characters decide
# words people here build passwords from that zxcvbn's English lists do not know
LOCAL_WORDS = (
    "xiaobao", "yinhang", "bank", "woaini", "zhongguo", "beijing", "shanghai", "guangzhou", "mima", "admin",
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
)
# zxcvbn's warnings, grouped into the hints shown (see auth.routes.PASSWORD_ERRORS)
WARNING_HINTS = {
    "common": ("common password", "commonly used password", "top-10", "top-100"),
    "keyboard": ("rows of keys", "keyboard patterns"),
    "repeats": ("repeats like",),
    "sequence": ("sequences like",),
    "dates": ("years are easy", "dates are often"),
    "names": ("names and surnames", "common names"),
}


class Passwords:
    """Hashes and checks passwords; the cost is configurable (lowered in tests)."""

    def __init__(self, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        """A salted argon2id hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when ``password`` matches ``stored_hash``.

        Without a stored hash (unknown account, no password yet) a dummy hash is checked all the
        same, so that the answer takes as long as for a real account.
        """
        if not stored_hash:
            self._check(self._dummy_hash(), password)
            return False
        return self._check(stored_hash, password)

    def _check(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash("dummy password for constant-time refusals")
        return self._dummy


def password_problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why the password is too weak (``too_short``, or ``weak:<hint>``), or None.

    ``personal`` holds the account's own words (username, name, employee number) that make a
    password easy to guess for anyone who knows the person.
    """
    if len(password) < MIN_LENGTH:
        return "too_short"
    inputs = [w for w in (*personal, *LOCAL_WORDS) if w]
    result = zxcvbn(password[:MAX_CHECKED], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    warning = (result.get("feedback") or {}).get("warning", "").lower()
    hint = next((name for name, needles in WARNING_HINTS.items() if any(n in warning for n in needles)), "general")
    return f"weak:{hint}"
