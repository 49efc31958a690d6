"""Every stored moment reads back aware and in UTC, on SQLite as on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from app.core.models import AuditEvent
from app.extensions import db

BEIJING = timezone(timedelta(hours=8))


def test_a_moment_written_in_any_zone_reads_back_as_the_same_instant_in_utc(app):
    written = datetime(2026, 12, 5, 0, 30, tzinfo=BEIJING)  # 16:30 UTC the day before
    naive = datetime(2026, 12, 4, 10, 0)  # taken as UTC, as every stored time is
    db.session.add_all([AuditEvent(at=written, action="t.aware"), AuditEvent(at=naive, action="t.naive")])
    db.session.commit()
    db.session.expire_all()
    aware_back = db.session.scalar(select(AuditEvent.at).where(AuditEvent.action == "t.aware"))
    naive_back = db.session.scalar(select(AuditEvent.at).where(AuditEvent.action == "t.naive"))
    assert aware_back == written and aware_back.tzinfo == UTC and aware_back.hour == 16
    assert naive_back == naive.replace(tzinfo=UTC) and naive_back.tzinfo == UTC
    # compared in SQL with a time in another zone, the instant decides (text comparison on SQLite would not)
    later = datetime(2026, 12, 5, 0, 0, tzinfo=BEIJING)  # 16:00 UTC: before the first event
    found = db.session.scalars(select(AuditEvent.action).where(AuditEvent.at > later).order_by(AuditEvent.id)).all()
    assert found == ["t.aware"]
