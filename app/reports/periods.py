"""Locking and unlocking assessment periods (head-office HR only)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import delete, select

from app.auth.models import User
from app.core import audit
from app.core.time import utcnow
from app.extensions import db
from app.org.models import OrgUnit
from app.reports import exports
from app.reports.assessment import AssessmentRow, Formula
from app.reports.models import AssessmentPeriod, AssessmentSnapshot

BATCH = 2000


def get(period: str) -> AssessmentPeriod | None:
    """The period's record, if it was ever locked."""
    return db.session.scalar(select(AssessmentPeriod).where(AssessmentPeriod.period == period))


def is_locked(period: str) -> bool:
    record = get(period)
    return record is not None and record.locked


def lock(period: str, *, root: OrgUnit, formula: Formula, actor: User) -> int:
    """Freeze the whole bank's assessment figures for ``period``; return the number of rows kept."""
    record = get(period) or AssessmentPeriod(period=period)
    if record.locked:
        return 0
    db.session.add(record)
    db.session.flush()
    db.session.execute(delete(AssessmentSnapshot).where(AssessmentSnapshot.period_id == record.id))
    batch, count = [], 0
    for row, path in exports.assessment_rows_with_paths(root, period, formula):
        batch.append({**asdict(row), "position": row.position or "", "period_id": record.id, "org_path": path})
        if len(batch) >= BATCH:
            db.session.execute(AssessmentSnapshot.__table__.insert(), batch)
            count, batch = count + len(batch), []
    if batch:
        db.session.execute(AssessmentSnapshot.__table__.insert(), batch)
        count += len(batch)
    record.locked, record.locked_at, record.locked_by_id = True, utcnow(), actor.id
    audit.record("period.lock", actor=actor, target=period, rows=count)
    return count


def unlock(period: str, *, actor: User) -> None:
    """Reopen the period: the assessment figures follow the live data again."""
    record = get(period)
    if record is None or not record.locked:
        return
    record.locked = False
    db.session.execute(delete(AssessmentSnapshot).where(AssessmentSnapshot.period_id == record.id))
    audit.record("period.unlock", actor=actor, target=period)


def assessment_rows(unit: OrgUnit, period: str, formula: Formula):
    """The assessment rows to report: frozen ones for a locked period, live ones otherwise."""
    if is_locked(period):
        return snapshot_rows(unit, period)
    return exports.assessment_rows(unit, period, formula)


def snapshot_rows(unit: OrgUnit, period: str):
    """The frozen assessment rows of a locked period within ``unit``, as export rows."""
    record = get(period)
    query = (
        select(AssessmentSnapshot).where(AssessmentSnapshot.period_id == record.id,
                                         AssessmentSnapshot.org_path.like(unit.path + "%"))
        .order_by(AssessmentSnapshot.employee_no)
        .execution_options(yield_per=BATCH)
    )
    for snapshot in db.session.scalars(query):
        yield AssessmentRow.from_record(snapshot)
