"""Accounts: creation, sign-in with throttling, passwords, sessions, roles and status."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.auth import throttle
from app.auth.models import Role, SignInThrottle, User, UserRole
from app.auth.passwords import Passwords, password_problem
from app.core import audit
from app.core.exceptions import CodedError
from app.core.time import utcnow
from app.extensions import db
from app.org.models import OrgUnit

TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class AccountError(CodedError):
    """A request about an account that cannot be carried out; ``code`` names the reason."""


def find_user(username: str) -> User | None:
    """The account with this username (case-insensitive), or None."""
    return db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )


def employee_no_taken(employee_no: str) -> bool:
    """True when an account already has this employee number (in any letter case)."""
    return db.session.scalar(
        select(User.id).where(func.lower(User.employee_no) == employee_no.strip().lower()).limit(1)
    ) is not None


def personal_words(user_or_name: User | str, *more: str | None) -> tuple[str, ...]:
    """The words of an account that make a password easy to guess for people who know its owner."""
    if isinstance(user_or_name, User):
        return tuple(w for w in (user_or_name.username, user_or_name.name, user_or_name.employee_no, *more) if w)
    return tuple(w for w in (user_or_name, *more) if w)


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
    _refuse_new_account(username, name, password, employee_no, check_strength=check_strength)
    if Role.HR in roles and hr_scope is None:
        hr_scope = org_unit
    user = User(
        username=username, name=name or username, employee_no=employee_no, position=position, email=email,
        org_unit=org_unit, hr_scope=hr_scope,
        password_hash=hasher.hash(password) if password is not None else None,
        role_rows=[UserRole(role=role) for role in sorted(roles)],
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, target=username, roles=sorted(r.value for r in roles))
    return user


def _refuse_new_account(username: str, name: str, password: str | None, employee_no: str | None, *,
                        check_strength: bool) -> None:
    """Raise AccountError if the account cannot be made: no username, a name or number taken, a weak password."""
    if not username:
        raise AccountError("username_required")
    if find_user(username) is not None:
        raise AccountError("username_taken", username=username)
    if employee_no and employee_no_taken(employee_no):
        raise AccountError("employee_no_taken", employee_no=employee_no)
    if password is not None and check_strength and (
            problem := password_problem(password, personal_words(username, name, employee_no))):
        raise AccountError(problem)


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    throttled: bool = False


def authenticate(username: str, password: str, *, address: str, hasher: Passwords,
                 policy: throttle.Policy | None = None, now: datetime | None = None) -> LoginResult:
    """Check credentials, with growing delays after repeated failures from one client.

    An unknown account, a wrong password, a deactivated account and a throttled client all cost
    one password-hash check and look the same to the caller; no account is ever locked, so nobody
    can lock a colleague out by guessing at their username.
    """
    now = now or utcnow()
    policy = policy or throttle.Policy()
    own_key = throttle.account_key(username, address)
    rules = {own_key: policy.account, throttle.address_key(address): policy.address}
    rows = {row.key: row for row in db.session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(rules)))}
    user = find_user(username)
    if any(row.blocked_until and row.blocked_until > now for row in rows.values()):
        hasher.verify(None, password)
        return LoginResult(None, throttled=True)
    usable = user is not None and user.active
    if not hasher.verify(user.password_hash if usable else None, password) or not usable:
        return _failed(rules, rows, now)
    return _signed_in(user, rows.get(own_key), now)


def _failed(rules: dict[str, throttle.Rule], rows: dict[str, SignInThrottle], now: datetime) -> LoginResult:
    """A failed sign-in counts against the account (from this client) and against the client's address."""
    for key, rule in rules.items():
        _count_failure(rows.get(key), key, rule, now)
    return LoginResult(None)


def _signed_in(user: User, own_row: SignInThrottle | None, now: datetime) -> LoginResult:
    """A successful sign-in forgets the account's failures from this client."""
    if own_row is not None:
        db.session.delete(own_row)
    user.last_login_at = now
    return LoginResult(user)


def _count_failure(row: SignInThrottle | None, key: str, rule: throttle.Rule, now: datetime) -> None:
    if row is None:
        row = SignInThrottle(key=key, failures=0, last_failed_at=now)
        db.session.add(row)
    elif now - row.last_failed_at > rule.forget:
        row.failures = 0
    row.failures += 1
    row.last_failed_at = now
    row.blocked_until = rule.blocked_until(row.failures, now)


def end_sessions(user: User) -> None:
    """Sign the account out of every browser it is signed in on."""
    user.session_epoch = (user.session_epoch or 0) + 1


def load_session_user(session_id: str) -> User | None:
    """The account of a session id written by User.get_id, unless its sessions were ended since."""
    user_id, _, epoch = session_id.partition(".")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or epoch != str(user.session_epoch or 0):
        return None
    return user


def set_password(user: User, password: str, *, hasher: Passwords, actor: User | None = None):
    """Replace the account's password after checking its strength; other sessions end."""
    if problem := password_problem(password, personal_words(user)):
        raise AccountError(problem)
    user.password_hash = hasher.hash(password)
    user.must_change_password = False
    end_sessions(user)
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
    while True:
        password = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(12))
        if password_problem(password, personal_words(user)) is None:
            break
    user.password_hash = hasher.hash(password)
    user.must_change_password = True
    end_sessions(user)
    audit.record("user.temporary_password", actor=actor, target=user.username)
    return password


def update_account(user: User, *, roles: set[Role], hr_scope: OrgUnit | None, active: bool, email: str | None,
                   actor: User) -> None:
    """Change an account's roles, HR scope, status and email; a change of roles or status ends its sessions.

    Administrators cannot take their own administrator role away or deactivate themselves, so that
    the bank never locks itself out of its accounts.
    """
    _refuse_update(user, roles, hr_scope, active, actor)
    before = _account_facts(user, user.roles, user.active)
    if roles != user.roles:
        user.role_rows = [row for row in user.role_rows if row.role in roles] + [
            UserRole(role=role) for role in sorted(roles - user.roles)]
    user.hr_scope = hr_scope if Role.HR in roles else None
    user.email = email or None
    after = _account_facts(user, roles, active)
    if before["roles"] != after["roles"] or before["active"] != active or before["hr_scope"] != after["hr_scope"]:
        end_sessions(user)
    user.active = active
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changed:
        audit.record("user.update", actor=actor, target=user.username, **changed)


def _refuse_update(user: User, roles: set[Role], hr_scope: OrgUnit | None, active: bool, actor: User) -> None:
    if user.id == actor.id and (Role.ADMIN not in roles or not active):
        raise AccountError("own_admin_access")
    if not roles:
        raise AccountError("no_role")
    if Role.HR in roles and hr_scope is None:
        raise AccountError("hr_needs_scope")


def _account_facts(user: User, roles: set[Role], active: bool) -> dict:
    """What the audit trail compares before and after an update."""
    return {"roles": sorted(r.value for r in roles), "active": active,
            "hr_scope": user.hr_scope.code if user.hr_scope else None, "email": user.email}


def deactivate(user: User) -> None:
    """A leaver: the account stays (history, certificates) but can no longer sign in anywhere."""
    if user.active:
        user.active = False
        end_sessions(user)


def set_own_email(user: User, email: str | None) -> None:
    """The account holder sets the address reminders are sent to."""
    user.email = email or None
    audit.record("user.email_set", actor=user, target=user.username)


def hr_scope_of(user) -> OrgUnit | None:
    """The part of the bank an HR user answers for: their scope, the whole bank (the head office)
    for an administrator without one, or None when the account has no HR scope at all."""
    if user.hr_scope is not None:
        return user.hr_scope
    if Role.ADMIN in user.roles:
        return db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
    return None
