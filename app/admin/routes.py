"""Content and account administration."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, or_, select

from app.auth.decorators import role_required
from app.auth.models import Role, User, UserRole
from app.content.models import Course, CourseVersion, Lesson, Question, Quiz
from app.core.models import AuditEvent
from app.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.get("")
@role_required(Role.CONTENT_ADMIN)
def content():
    """Courses and question banks as loaded by `flask content sync`, with their versions."""
    courses = db.session.execute(
        select(Course, CourseVersion, func.count(Lesson.id))
        .join(CourseVersion, Course.current_version_id == CourseVersion.id)
        .outerjoin(Lesson, Lesson.course_version_id == CourseVersion.id)
        .group_by(Course.id, CourseVersion.id)
        .order_by(Course.slug)
    ).all()
    quizzes = db.session.execute(
        select(Quiz, func.count(Question.id))
        .outerjoin(Question, Question.quiz_version_id == Quiz.current_version_id)
        .group_by(Quiz.id)
        .order_by(Quiz.slug)
    ).all()
    last_sync = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "content.sync").order_by(AuditEvent.at.desc()).limit(1)
    )
    return render_template("admin/content.html", courses=courses, quizzes=quizzes, last_sync=last_sync)


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """Accounts, searchable by name, username or employee number, filterable by role."""
    query = select(User).order_by(User.username)
    term = request.args.get("q", "").strip()[:64]
    if term:
        like = f"%{term}%"
        query = query.where(or_(User.name.like(like), User.username.like(like), User.employee_no.like(like)))
    role = request.args.get("role")
    if role in {r.value for r in Role}:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(role))))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", page=page, term=term, role=role, roles=list(Role))


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    """The audit trail, newest first."""
    page = db.paginate(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
                       per_page=PAGE_SIZE, error_out=False)
    actors = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({e.actor_id for e in page.items if e.actor_id}))
    )}
    return render_template("admin/audit.html", page=page, actors=actors)
