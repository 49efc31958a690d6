"""The trigger-kept assignment totals always equal the same counts over the requirements, and the
assignments page's figures from them follow rules.status."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select, update

from app.assignments import queries, rules, services
from app.assignments.models import AssignmentTotal, Requirement
from app.auth.models import Role
from app.content.models import Course
from app.extensions import db
from app.org.models import OrgUnit
from tests.assignments.grid import requirement_grid

TODAY = date(2026, 6, 15)


def _expected() -> set[tuple]:
    rows = db.session.execute(
        select(Requirement.assignment_id, Requirement.due_date, Requirement.completed_at, Requirement.completed_on)
        .where(Requirement.active.is_(True))).all()
    totals: dict[tuple, list[int]] = {}
    for assignment_id, due, completed_at, completed_on in rows:
        counts = totals.setdefault((assignment_id, due), [0, 0, 0])
        counts[0] += 1
        counts[1] += completed_at is not None
        counts[2] += completed_on is None
    return {(*key, *counts) for key, counts in totals.items()}


def _check() -> None:
    db.session.flush()
    db.session.expire_all()
    t = AssignmentTotal
    stored = set(db.session.execute(select(t.assignment_id, t.due_date, t.required, t.completed, t.incomplete)))
    assert stored == _expected()


def _rule(due: date) -> rules.DueRule:
    return rules.DueRule("fixed", "once", date(2026, 1, 1), due_date=due)


def test_totals_follow_every_kind_of_change(org, make_user, tiny_content):
    hr = make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    people = [make_user(f"e{i}", unit=unit) for i, unit in enumerate(["BJ01", "BJ01", "SH01", "BJ", "SH01"])]
    course = db.session.scalar(select(Course))
    assignment = services.create_assignment(course, audience=None, positions=[], rule=_rule(TODAY), actor=hr,
                                            scope=None, today=TODAY)
    _check()
    done = datetime(2026, 6, 1, 9, tzinfo=UTC)
    db.session.execute(update(Requirement).where(Requirement.user_id.in_([people[0].id, people[1].id]))
                       .values(completed_at=done, completed_on=done.date()))
    _check()
    people[0].org_unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "BJ"))  # a transfer
    people[4].active = False  # a leaver: the open requirement is withdrawn
    db.session.flush()
    services.sync_all(TODAY)
    _check()
    db.session.execute(update(Requirement).where(Requirement.user_id == people[2].id)
                       .values(due_date=TODAY + timedelta(days=30)))
    _check()
    services.deactivate_assignment(assignment, actor=hr, today=TODAY)
    _check()
    db.session.execute(delete(Requirement).where(Requirement.user_id == people[1].id))
    _check()
    db.session.execute(delete(Requirement))
    _check()
    assert db.session.scalar(select(func.count()).select_from(AssignmentTotal)) == 0


def test_page_figures_follow_the_one_rule(org, make_user, tiny_content):
    assignment, _cases = requirement_grid(make_user, TODAY, "active")
    rows = db.session.execute(select(Requirement.due_date, Requirement.completed_on, Requirement.started_at)
                              .where(Requirement.assignment_id == assignment.id, Requirement.active.is_(True))).all()
    statuses = [rules.status(due, done, started is not None, TODAY) for due, done, started in rows]
    [figures] = [row for row in queries.assignment_figures(None, TODAY) if row.assignment.id == assignment.id]
    assert (figures.required, figures.overdue) == (len(rows), statuses.count(rules.Status.OVERDUE))
    assert figures.completed == sum(s in (rules.Status.COMPLETED_ON_TIME, rules.Status.COMPLETED_LATE)
                                    for s in statuses)
    assert figures.overdue > 0 and figures.completed > 0
