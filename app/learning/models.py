"""A learner's progress through a course version, exam attempts and completions."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from app.auth.models import User
from app.content.models import Course, CourseVersion, Question, QuizVersion
from app.core.models import UTCDateTime, enum_column, percent_check, position_check
from app.core.time import utcnow
from app.extensions import db


class EnrollmentStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Enrollment(db.Model):
    """A learner taking one course in one cycle; pinned to the course version they started."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "cycle"), percent_check("best_percent"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    # the requirement period this enrolment serves ("2026", "once"), or "" for self-directed study
    cycle: Mapped[str] = mapped_column(String(10), default="", server_default="")
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    status: Mapped[EnrollmentStatus] = mapped_column(
        enum_column(EnrollmentStatus), default=EnrollmentStatus.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    best_percent: Mapped[float | None] = mapped_column(Float)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    course_version: Mapped[CourseVersion] = relationship()
    progress: Mapped[list[LessonProgress]] = relationship(back_populates="enrollment")


class LessonProgress(db.Model):
    """A lesson the learner has worked through."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    lesson_slug: Mapped[str] = mapped_column(String(100))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="progress")


class Completion(db.Model):
    """A finished course: every lesson done and the exam passed; carries the certificate code."""

    __tablename__ = "completions"
    __table_args__ = (percent_check("percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the business day of completed_at (BUSINESS_TZ): the date a certificate and every export show
    completed_on: Mapped[date | None] = mapped_column(Date)
    percent: Mapped[float] = mapped_column(Float)
    certificate_code: Mapped[str] = mapped_column(String(32), unique=True)

    user: Mapped[User] = relationship()
    course_version: Mapped[CourseVersion] = relationship()


class AttemptStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    EXPIRED = "expired"


class Attempt(db.Model):
    """One sitting of an exam; graded once, on the server."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "number"),
        # at most one open attempt per learner and exam, whatever races the requests run
        Index("uq_attempts_one_open", "enrollment_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        percent_check("percent"),
        CheckConstraint("score >= 0 AND score <= max_score", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[AttemptStatus] = mapped_column(enum_column(AttemptStatus), default=AttemptStatus.OPEN)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[int] = mapped_column(Integer, default=0)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    enrollment: Mapped[Enrollment] = relationship()
    quiz_version: Mapped[QuizVersion] = relationship()
    answers: WriteOnlyMapped[AttemptAnswer] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.position"
    )


class AttemptAnswer(db.Model):
    """A drawn question in an attempt, with the option order shown and the learner's response."""

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "position"), position_check())

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    option_order: Mapped[list] = mapped_column(JSON, default=list)
    response: Mapped[list | None] = mapped_column(JSON)
    points: Mapped[float | None] = mapped_column(Float)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
