"""Closed assessment periods and their frozen figures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import UTCDateTime, percent_check
from app.extensions import db


class AssessmentPeriod(db.Model):
    """A period (a year, or "once") that head-office HR has closed for performance assessment."""

    __tablename__ = "assessment_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(10), unique=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AssessmentSnapshot(db.Model):
    """One employee's assessment figures as they stood when the period was locked."""

    __tablename__ = "assessment_snapshots"
    __table_args__ = (percent_check("score"), percent_check("exam_average"), percent_check("scenario_average"))

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("assessment_periods.id"), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    employee_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    org_name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(64))
    required: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)
    missing: Mapped[int] = mapped_column(Integer)
    exam_average: Mapped[float | None] = mapped_column(Float)
    scenario_average: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
