"""Read-only queries behind the administration pages."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from app.auth.models import Role, User, UserRole
from app.content.models import Course, CourseVersion, Lesson, Question, Quiz
from app.core.models import AuditEvent
from app.extensions import db


def courses_with_versions():
    """(course, current version, lesson count) for every loaded course."""
    return db.session.execute(
        select(Course, CourseVersion, func.count(Lesson.id))
        .join(CourseVersion, Course.current_version_id == CourseVersion.id)
        .outerjoin(Lesson, Lesson.course_version_id == CourseVersion.id)
        .group_by(Course.id, CourseVersion.id)
        .order_by(Course.slug)
    ).all()


def quizzes_with_counts():
    """(quiz, question count of its current version) for every loaded question bank."""
    return db.session.execute(
        select(Quiz, func.count(Question.id))
        .outerjoin(Question, Question.quiz_version_id == Quiz.current_version_id)
        .group_by(Quiz.id)
        .order_by(Quiz.slug)
    ).all()


def last_sync() -> AuditEvent | None:
    """The most recent content sync that changed something."""
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "content.sync").order_by(AuditEvent.at.desc()).limit(1)
    )


def users_query(term: str, role: str | None):
    """Accounts matching a search term (name, username, employee number) and an optional role."""
    query = select(User).order_by(User.username)
    if term:
        like = f"%{term}%"
        query = query.where(or_(User.name.like(like), User.username.like(like), User.employee_no.like(like)))
    if role in {r.value for r in Role}:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(role))))
    return query


def audit_query():
    """The audit trail, newest first."""
    return select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def users_by_id(ids: set[int]) -> dict[int, User]:
    """Accounts keyed by id (for naming the actors of audit events in one query)."""
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
