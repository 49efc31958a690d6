"""Read-only figures for the assignments page (SQL aggregates over the trigger-kept assignment totals)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from app.assignments.models import Assignment, AssignmentTotal
from app.content.models import Course, CourseVersion
from app.extensions import db
from app.org.models import OrgUnit


@dataclass(frozen=True)
class AssignmentRow:
    """One line of the assignments page: the assignment (its rule), its course's title, its audience and figures."""

    assignment: Assignment
    course_title: dict | None
    audience_name: str | None  # None: the whole bank
    required: int
    completed: int
    overdue: int


def assignment_figures(scope: OrgUnit | None, today: date) -> list[AssignmentRow]:
    """Active assignments within ``scope`` with required / completed / overdue counts, in one query
    (the course title and the audience's name come with it: no query per row)."""
    counts = _counts(today)
    query = (
        select(Assignment, CourseVersion.title, OrgUnit.name, counts.c.required, counts.c.completed, counts.c.overdue)
        .join(Course, Assignment.course_id == Course.id)
        .outerjoin(CourseVersion, Course.current_version_id == CourseVersion.id)
        .outerjoin(counts, counts.c.assignment_id == Assignment.id)
        .outerjoin(OrgUnit, Assignment.audience_org_id == OrgUnit.id)
        .where(Assignment.active.is_(True))
        .order_by(Assignment.created_at.desc())
    )
    if scope is not None:
        query = query.where(OrgUnit.path.like(scope.path + "%"))
    return [AssignmentRow(a, title, audience, int(required or 0), int(completed or 0), int(overdue or 0))
            for a, title, audience, required, completed, overdue in db.session.execute(query)]


def _counts(today: date):
    """A subquery: each assignment's active requirements, how many are completed and how many overdue
    (not completed, of those due before today: rules.status), added up from the trigger-kept totals."""
    t = AssignmentTotal
    return (
        select(
            t.assignment_id.label("assignment_id"),
            func.sum(t.required).label("required"),
            func.sum(t.completed).label("completed"),
            func.sum(case((t.due_date < today, t.incomplete), else_=0)).label("overdue"),
        )
        .group_by(t.assignment_id)
        .subquery()
    )
