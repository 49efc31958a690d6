"""Requirements in every state the on-time rule knows, for the tests that check a figure against it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import func, select

from app.assignments import rules, services
from app.assignments.models import Assignment, Requirement
from app.auth.models import Role
from app.content.models import Course
from app.extensions import db


def requirement_grid(make_user, today: date, flag: str) -> tuple[Assignment, list[tuple]]:
    """A head-office assignment of the tiny course and one requirement per (due yesterday, today or
    tomorrow) × (not completed, completed two days early, on the day, two days late) × ``flag``
    (``"active"`` or ``"started"``) false and true, committed: (the assignment, the cases)."""
    hr = make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    course = db.session.scalar(select(Course))
    assignment = services.create_assignment(course, audience=None, positions=[], actor=hr, scope=None, today=today,
                                            rule=rules.DueRule("fixed", "once", date(2026, 1, 1), due_date=today))
    cases = list(itertools.product(
        (today - timedelta(days=1), today, today + timedelta(days=1)),              # due
        (None, today - timedelta(days=2), today, today + timedelta(days=2)),        # completed on
        (False, True)))                                                             # the flag
    for index, (due, completed_on, on) in enumerate(cases):
        user = make_user(f"u{index}")
        flagged = {"active": on} if flag == "active" else {"started_at": func.current_timestamp() if on else None}
        db.session.add(Requirement(
            user_id=user.id, course_id=course.id, assignment_id=assignment.id, period=f"t{index}",
            window_start=date(2026, 1, 1), due_date=due, org_unit_id=user.org_unit_id, org_path=user.org_unit.path,
            completed_on=completed_on, completed_at=None if completed_on is None else func.current_timestamp(),
            **flagged))
    db.session.commit()
    return assignment, cases
