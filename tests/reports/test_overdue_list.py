"""The overdue list reads only the first (due date, org path) groups the totals say hold its rows: for
every limit it gives exactly what the whole query would (the first rows by due date, unit code and
employee number)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.assignments import rules, services
from app.assignments.models import Requirement
from app.auth.models import Role
from app.content.models import Course
from app.extensions import db
from app.reports import queries

TODAY = date(2026, 6, 15)
PERIODS = ["t0", "t1", "t2", "t3"]


def _keys(rows: list[queries.OverdueRow], org: dict) -> list[tuple]:
    """Each row's due date, unit code and employee number: the list's order."""
    codes = {unit.name: code for code, unit in org.items()}
    return [(row.due_date, codes[row.unit_name], row.employee_no) for row in rows]


def test_every_limit_gives_the_first_rows_of_the_whole_list(org, make_user, tiny_content):
    hr = make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    course = db.session.scalar(select(Course))
    assignment = services.create_assignment(
        course, audience=None, positions=[], actor=hr, scope=None, today=TODAY,
        rule=rules.DueRule("fixed", "once", date(2026, 1, 1), due_date=TODAY))
    people = [make_user(f"p{i}", unit=unit) for i, unit in enumerate(["SH01", "BJ01", "BJ", "HO", "SH01", "BJ01"])]
    dues = [TODAY - timedelta(days=d) for d in (3, 1, 3)] + [TODAY]  # the last one is not overdue yet
    overdue = 0
    for index, (person, (period, due)) in enumerate(itertools.product(people, zip(PERIODS, dues, strict=True))):
        done = index % 5 == 0  # some are completed: not overdue
        overdue += not done and due < TODAY
        db.session.add(Requirement(
            user_id=person.id, course_id=course.id, assignment_id=assignment.id, period=period,
            window_start=date(2026, 1, 1), due_date=due, org_unit_id=person.org_unit_id, org_path=person.org_unit.path,
            completed_on=TODAY if done else None, completed_at=datetime(2026, 6, 1, tzinfo=UTC) if done else None))
    db.session.commit()
    head = org["HO"]
    whole = _keys(queries.overdue(head, PERIODS, TODAY, limit=1000), org)
    assert len(whole) == overdue and whole == sorted(whole)
    for limit in range(1, len(whole) + 2):
        assert _keys(queries.overdue(head, PERIODS, TODAY, limit=limit), org) == whole[:limit]
    branch = _keys(queries.overdue(org["BJ"], PERIODS, TODAY, limit=3), org)
    assert branch == [k for k in whole if k[1] in ("BJ", "BJ01")][:3]
