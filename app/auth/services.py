"""Accounts: creation, sign-in with lockout, role changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.auth.models import Role, User, UserRole
from app.auth.passwords import Passwords, password_problem
from app.core import audit
from app.core.exceptions import CodedError
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.org.models import OrgUnit


class AccountError(CodedError):
    """A request about an account that cannot be carried out; ``code`` names the reason."""


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


def find_user(username: str) -> User | None:
    """The account with this username (case-insensitive), or None."""
    return db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )


def create_user(
    username: str,
    *,
    name: str,
    roles: set[Role],
    hasher: Passwords,
    password: str | None = None,
    org_unit: OrgUnit | None = None,
    hr_scope: OrgUnit | None = None,
    employee_no: str | None = None,
    position: str = "",
    email: str | None = None,
    check_strength: bool = True,
    actor: User | None = None,
) -> User:
    """Create an account; a None password leaves it unable to sign in until one is set."""
    username = username.strip()
    if not username:
        raise AccountError("username_required")
    if find_user(username) is not None:
        raise AccountError("username_taken", username=username)
    if password is not None and check_strength and (problem := password_problem(password)):
        raise AccountError(problem)
    if Role.HR in roles and hr_scope is None:
        hr_scope = org_unit
    user = User(
        username=username,
        name=name or username,
        employee_no=employee_no,
        position=position,
        email=email,
        org_unit=org_unit,
        hr_scope=hr_scope,
        password_hash=hasher.hash(password) if password is not None else None,
        role_rows=[UserRole(role=role) for role in sorted(roles)],
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create", actor=actor, target=username, roles=sorted(r.value for r in roles)
    )
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked_until: datetime | None = None


def authenticate(
    username: str, password: str, *, hasher: Passwords, policy: LoginPolicy, now=None
) -> LoginResult:
    """Check credentials, counting failures and locking the account after too many."""
    now = now or utcnow()
    user = find_user(username)
    if user is None or not user.active:
        hasher.verify(None, password)
        return LoginResult(None)
    locked = as_utc(user.locked_until)
    if locked and locked > now:
        return LoginResult(None, locked_until=locked)
    if not hasher.verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= policy.max_failures:
            user.locked_until = now + policy.lockout
            user.failed_logins = 0
            audit.record("user.locked", target=user.username)
            return LoginResult(None, locked_until=user.locked_until)
        return LoginResult(None)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return LoginResult(user)


def set_password(user: User, password: str, *, hasher: Passwords, actor: User | None = None):
    """Replace the account's password after checking its strength."""
    if problem := password_problem(password):
        raise AccountError(problem)
    user.password_hash = hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.must_change_password = False
    audit.record("user.password_set", actor=actor, target=user.username)


def change_own_password(user: User, current: str, new: str, *, hasher: Passwords) -> None:
    """The account holder replaces their password; the current one must be given."""
    if not hasher.verify(user.password_hash, current):
        raise AccountError("wrong_current_password")
    if new == current:
        raise AccountError("same_password")
    set_password(user, new, hasher=hasher, actor=user)


def issue_temporary_password(user: User, *, hasher: Passwords, actor: User) -> str:
    """Give the account a random one-time password that must be replaced at the next sign-in."""
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(12))
        if password_problem(password) is None:
            break
    user.password_hash = hasher.hash(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    audit.record("user.temporary_password", actor=actor, target=user.username)
    return password
