"""Cross-cutting records (the audit trail) and column types the feature models share."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app.core.time import utcnow
from app.extensions import db


def percent_check(column: str) -> CheckConstraint:
    """The database's own guard that ``column`` (NULL allowed) holds a percentage, 0 to 100."""
    return CheckConstraint(f"{column} >= 0 AND {column} <= 100", name=f"{column}_range")


def position_check(column: str = "position") -> CheckConstraint:
    """Positions in a list are counted from 1."""
    return CheckConstraint(f"{column} >= 1", name=f"{column}_from_one")


class UTCDateTime(TypeDecorator):
    """A moment, stored in UTC and always read back aware and in UTC.

    SQLite keeps timestamps as text without their offset and hands them back naive; PostgreSQL
    keeps the instant. Normalising every value written (an aware time in any zone becomes UTC; a
    naive one is taken as UTC) and every value read makes both behave alike, so no code has to
    remember which database it runs on."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return _utc(value)

    def process_result_value(self, value, dialect):
        return _utc(value)


def _utc(value: datetime | None) -> datetime | None:
    if value is None or not isinstance(value, datetime):
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(cls):
    """A Python StrEnum stored as its values in a VARCHAR(20) (no database enum type to migrate)."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class AuditEvent(db.Model):
    """Who did what sensitive thing, and when (imports, exports, role changes, syncs)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(255), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class CacheRevision(db.Model):
    """A counter each app server compares with the revision its cached copy was built at: a write to
    what the copy holds bumps it in the same transaction, and every server rebuilds (core.caching)."""

    __tablename__ = "cache_revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)
