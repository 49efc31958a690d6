"""Mandatory training: who must take which course by when, and one requirement row per person and period."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    case,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.assignments.rules import DueRule, Status
from app.auth.models import User
from app.content.models import Course
from app.core.models import UTCDateTime, percent_check
from app.core.time import utcnow
from app.extensions import db
from app.org.models import OrgUnit


class Assignment(db.Model):
    """A course assigned to an audience (an org subtree and/or positions) with a due rule and a cycle."""

    __tablename__ = "assignments"
    __table_args__ = (CheckConstraint("due_date >= starts_on", name="due_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    audience_org_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    positions: Mapped[list] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(10))
    cycle: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    due_month: Mapped[int | None] = mapped_column(Integer)
    due_day: Mapped[int | None] = mapped_column(Integer)
    window_start_month: Mapped[int | None] = mapped_column(Integer)
    window_start_day: Mapped[int | None] = mapped_column(Integer)
    window_end_month: Mapped[int | None] = mapped_column(Integer)
    window_end_day: Mapped[int | None] = mapped_column(Integer)
    days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    audience_org: Mapped[OrgUnit | None] = relationship()

    @property
    def rule(self) -> DueRule:
        """The engine's view of the due rule."""
        return DueRule(
            kind=self.kind, cycle=self.cycle, starts_on=self.starts_on, due_date=self.due_date,
            due_month_day=(self.due_month, self.due_day) if self.due_month else None,
            window=((self.window_start_month, self.window_start_day), (self.window_end_month, self.window_end_day))
            if self.window_start_month else None,
            days=self.days,
        )


class Requirement(db.Model):
    """One employee, one course, one period (a year, or "once"): the fact behind every HR figure."""

    __tablename__ = "requirements"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "period"),
        Index("ix_requirements_org_path_period", "org_path", "period"),
        Index("ix_requirements_course_period", "course_id", "period"),
        Index("ix_requirements_org_unit_period", "org_unit_id", "period"),
        # the open rows only (a fraction of a bank's million): the overdue list reads them by unit and due date
        Index("ix_requirements_open_org_path_due_date", "org_path", "due_date",
              sqlite_where=text("completed_on IS NULL"), postgresql_where=text("completed_on IS NULL")),
        percent_check("score"),
        CheckConstraint("due_date >= window_start", name="due_after_window_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    window_start: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    org_path: Mapped[str] = mapped_column(String(255))
    position: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the business day of completed_at (BUSINESS_TZ): what "on time" compares with the due date
    completed_on: Mapped[date | None] = mapped_column(Date)
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("completions.id"))
    score: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    assignment: Mapped[Assignment] = relationship()


class RequirementTotal(db.Model):
    """Requirement counts per period, org path, course, due date and active flag.

    Kept by database triggers on ``requirements`` (migration 20261123_3b7e1c2d9a40), whatever writes
    the rows: the HR figures of a subtree add up a few thousand of these instead of scanning a
    million requirements. ``overdue`` is ``required - completed`` over the rows due before today.
    """

    __tablename__ = "requirement_totals"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    org_path: Mapped[str] = mapped_column(String(255), primary_key=True)
    course_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    required: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0)
    score_count: Mapped[int] = mapped_column(Integer, default=0)


class RequirementDay(db.Model):
    """Completions of active requirements per period, org unit and day, trigger-kept like RequirementTotal.

    A completion counts for its employee's unit and for every unit above it (``unit_path`` is the
    path of that unit), so that one unit's completion curve is read by key.
    """

    __tablename__ = "requirement_days"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    unit_path: Mapped[str] = mapped_column(String(255), primary_key=True)
    completed_on: Mapped[date] = mapped_column(Date, primary_key=True)
    completed: Mapped[int] = mapped_column(Integer, default=0)


class AssignmentTotal(db.Model):
    """Each assignment's active requirements per due date: how many, how many completed, how many not.

    Kept by database triggers on ``requirements`` (migration 20261205_f3c91d7a4e28) like RequirementTotal,
    so that the assignments page reads a few rows per assignment instead of every requirement. Overdue
    (rules.status) is ``incomplete`` over the rows due before today.
    """

    __tablename__ = "assignment_totals"

    assignment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    required: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)  # completed_at set
    incomplete: Mapped[int] = mapped_column(Integer, default=0)  # completed_on not set


def done_on_time(columns=None):
    """SQL: completed no later than the due date (rules.status's completed_on_time), by business day."""
    r = columns if columns is not None else Requirement.__table__.c
    return and_(r.completed_on.is_not(None), r.completed_on <= r.due_date)


def done_late(columns=None):
    """SQL: completed after the due date (rules.status's completed_late)."""
    r = columns if columns is not None else Requirement.__table__.c
    return and_(r.completed_on.is_not(None), r.completed_on > r.due_date)


def overdue(today: date, columns=None):
    """SQL: not completed and the due date is past (rules.status's overdue)."""
    r = columns if columns is not None else Requirement.__table__.c
    return and_(r.completed_on.is_(None), r.due_date < today)


def status_expression(today: date):
    """The requirement status as SQL, for lists and exports: rules.status, case by case (tested against it)."""
    return case(
        (done_on_time(), Status.COMPLETED_ON_TIME.value),
        (done_late(), Status.COMPLETED_LATE.value),
        (overdue(today), Status.OVERDUE.value),
        (Requirement.started_at.is_not(None), Status.IN_PROGRESS.value),
        else_=Status.NOT_STARTED.value,
    )


class Reminder(db.Model):
    """A reminder email sent (to an employee, or a digest to an HR user), at most one per kind and day."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("user_id", "kind", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(Date, index=True)
    items: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
