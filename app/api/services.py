"""Creating, checking and revoking API tokens; reading completions page by page."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import and_, select

from app.api.models import ApiToken
from app.assignments.models import Requirement, status_expression
from app.auth.models import Role, User
from app.content.models import Course
from app.core import audit
from app.core.time import business_time, utcnow
from app.extensions import db
from app.org.models import OrgUnit

TOKEN_PREFIX = "xb_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the clear token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name.strip()[:80] or "API", prefix=token[:10], token_hash=_digest(token))
    db.session.add(record)
    db.session.flush()
    audit.record("api_token.create", actor=user, target=record.prefix, name=record.name)
    return record, token


def revoke_token(record: ApiToken, actor: User) -> None:
    record.revoked_at = record.revoked_at or utcnow()
    audit.record("api_token.revoke", actor=actor, target=record.prefix)


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())))


def authenticate(header: str | None) -> User | None:
    """The active HR user behind a 'Bearer …' header with a live token, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(header[7:].strip()),
                                                      ApiToken.revoked_at.is_(None)))
    if record is None or not record.user.active or not record.user.has_role(Role.HR):
        return None
    record.last_used_at = utcnow()
    return record.user


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{last_id}".encode()).decode().rstrip("=")


MAX_ID = 2**53  # ids the database and every JSON client handle exactly


def decode_cursor(cursor: str) -> int | None:
    """The last id a cursor stands for, or None when it is not one this API wrote."""
    if len(cursor) > 40:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
    if not raw.startswith("r") or not raw[1:].isdigit() or len(raw) > 17:
        return None
    last_id = int(raw[1:])
    return last_id if last_id < MAX_ID else None


def completions_page(scope: OrgUnit, *, period: str | None, course: str | None, org: OrgUnit | None,
                     updated_since: datetime | None, after_id: int, limit: int, today: date):
    """Requirement records in scope (keyset pagination on id): one per employee, course and period."""
    clauses = _completion_filters(org or scope, period, course, updated_since, after_id)
    rows = db.session.execute(
        select(Requirement, User.employee_no, User.name, Course.slug, OrgUnit.code, status_expression(today))
        .join(User, Requirement.user_id == User.id)
        .join(Course, Requirement.course_id == Course.id)
        .outerjoin(OrgUnit, Requirement.org_unit_id == OrgUnit.id)
        .where(and_(*clauses))
        .order_by(Requirement.id)
        .limit(limit + 1)
    ).all()
    items = [_completion_item(*row) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1]["id"]) if len(rows) > limit else None
    return items, next_cursor


def _completion_filters(unit: OrgUnit, period: str | None, course: str | None, updated_since: datetime | None,
                        after_id: int) -> list:
    clauses = [Requirement.org_path.like(unit.path + "%"), Requirement.id > after_id]
    if period:
        clauses.append(Requirement.period == period)
    if course:
        clauses.append(Course.slug == course)
    if updated_since:
        clauses.append(Requirement.updated_at >= updated_since)
    return clauses


def _completion_item(r: Requirement, number: str, name: str, slug: str, code: str | None, status: str) -> dict:
    """One requirement record as the API shows it (times in the bank's zone, with their offset)."""
    return {
        "id": r.id, "employee_no": number, "name": name, "org_unit": code, "position": r.position,
        "course": slug, "period": r.period, "window_start": r.window_start.isoformat(), "due_date": r.due_date.isoformat(),
        "status": status, "active": r.active,
        "completed_at": business_time(r.completed_at).isoformat() if r.completed_at else None,
        "completed_on": r.completed_on.isoformat() if r.completed_on else None, "score": r.score,
        "updated_at": business_time(r.updated_at).isoformat() if r.updated_at else None,
    }
