"""Read-only figures for the assignments page (SQL aggregates over requirements)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from app.assignments.models import Assignment, Requirement, overdue
from app.extensions import db
from app.org.models import OrgUnit


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    required: int
    completed: int
    overdue: int


def assignment_figures(scope: OrgUnit | None, today: date) -> list[AssignmentRow]:
    """Active assignments within ``scope`` with required / completed / overdue counts, in one query."""
    counts = _counts(today)
    query = (
        select(Assignment, counts.c.required, counts.c.completed, counts.c.overdue)
        .outerjoin(counts, counts.c.assignment_id == Assignment.id)
        .outerjoin(OrgUnit, Assignment.audience_org_id == OrgUnit.id)
        .where(Assignment.active.is_(True))
        .order_by(Assignment.created_at.desc())
    )
    if scope is not None:
        query = query.where(OrgUnit.path.like(scope.path + "%"))
    return [AssignmentRow(a, required or 0, completed or 0, int(overdue or 0))
            for a, required, completed, overdue in db.session.execute(query)]


def _counts(today: date):
    """A subquery: each assignment's active requirements, how many are completed and how many overdue."""
    return (
        select(
            Requirement.assignment_id.label("assignment_id"),
            func.count().label("required"),
            func.count(Requirement.completed_at).label("completed"),
            func.sum(case((overdue(today), 1), else_=0))
            .label("overdue"),
        )
        .where(Requirement.active.is_(True))
        .group_by(Requirement.assignment_id)
        .subquery()
    )
