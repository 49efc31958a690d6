"""Read-only completion figures for HR, computed by SQL aggregates within an org subtree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User, UserRole
from app.content.models import Course
from app.extensions import db
from app.learning.models import Completion, Enrollment
from app.org.models import OrgUnit


@dataclass(frozen=True)
class Figures:
    label: str
    employees: int
    started: int
    completed: int
    average: float | None
    key: object = None

    @property
    def rate(self) -> float:
        return 100 * self.completed / self.employees if self.employees else 0.0


def _learners(scope: OrgUnit):
    """Active employees whose org unit lies within ``scope``."""
    return (
        select(User.id.label("user_id"), OrgUnit.path.label("path"))
        .join(OrgUnit, User.org_unit_id == OrgUnit.id)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.EMPLOYEE))
        .where(User.active.is_(True), OrgUnit.path.like(scope.path + "%"))
        .subquery()
    )


def course_figures(scope: OrgUnit, courses: list[Course]) -> list[Figures]:
    """Per course: employees in scope, how many started, completed, and their average score."""
    learners = _learners(scope)
    employees = db.session.scalar(select(func.count()).select_from(learners)) or 0
    rows = db.session.execute(
        select(
            Enrollment.course_id,
            func.count(Enrollment.id),
            func.count(Completion.id),
            func.avg(Completion.percent),
        )
        .join(learners, learners.c.user_id == Enrollment.user_id)
        .outerjoin(Completion, Completion.enrollment_id == Enrollment.id)
        .group_by(Enrollment.course_id)
    ).all()
    by_course = {course_id: (started, done, avg) for course_id, started, done, avg in rows}
    result = []
    for course in courses:
        started, done, avg = by_course.get(course.id, (0, 0, None))
        result.append(Figures(course.slug, employees, started, done, avg, key=course))
    return result


def child_unit_figures(scope: OrgUnit, course: Course) -> list[Figures]:
    """For each direct child of ``scope`` (or ``scope`` itself when it has none): the course figures."""
    children = list(db.session.scalars(
        select(OrgUnit).where(OrgUnit.parent_id == scope.id).order_by(OrgUnit.code)
        .options(selectinload(OrgUnit.children))
    )) or [scope]
    learners = _learners(scope)
    prefix_cases = [(learners.c.path.like(child.path + "%"), child.id) for child in children]
    unit = case(*prefix_cases, else_=None).label("unit_id")
    per_unit = (
        select(
            unit,
            func.count(learners.c.user_id),
            func.count(Enrollment.id),
            func.count(Completion.id),
            func.avg(Completion.percent),
        )
        .select_from(learners)
        .outerjoin(Enrollment, and_(Enrollment.user_id == learners.c.user_id, Enrollment.course_id == course.id))
        .outerjoin(Completion, Completion.enrollment_id == Enrollment.id)
        .group_by(unit)
    )
    figures = {row[0]: row[1:] for row in db.session.execute(per_unit).all()}
    result = []
    for child in children:
        employees, started, done, avg = figures.get(child.id, (0, 0, 0, None))
        result.append(Figures(child.name, employees, started, done, avg, key=child))
    return result
