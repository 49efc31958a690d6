"""Sign-in throttling with growing delays. Pure Python (no Flask, no database).

Failures are counted per (account, client address) and per client address, never per account
alone: a stranger guessing a colleague's password slows down only themselves, and the owner
signing in from their own desk is never blocked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Rule:
    """``free`` failures in a row cost nothing; each one after that doubles the wait, up to ``longest``.

    A key's count starts again after ``forget`` without failures.
    """

    free: int
    first_delay: timedelta = timedelta(seconds=1)
    longest: timedelta = timedelta(minutes=15)
    forget: timedelta = timedelta(hours=1)

    def blocked_until(self, failures: int, last_failed_at: datetime) -> datetime | None:
        """When the next attempt may be checked again after ``failures`` failures (None: at once)."""
        over = failures - self.free
        if over <= 0:
            return None
        delay = min(self.first_delay * (2 ** min(over - 1, 30)), self.longest)
        return last_failed_at + delay


@dataclass(frozen=True)
class Policy:
    account: Rule = Rule(free=5)
    address: Rule = Rule(free=30)


def account_key(username: str, address: str) -> str:
    """The key of one (account, client address) pair, whether or not the account exists."""
    return _digest("account", username.strip().lower(), address)


def address_key(address: str) -> str:
    """The key of one client address."""
    return _digest("address", address)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
