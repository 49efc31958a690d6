"""One rule for on time, late and overdue: the SQL the reports and exports use, and the totals the
database triggers keep, agree with rules.status on every case."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import func, select

from app.assignments import rules
from app.assignments import services as assignments
from app.assignments.models import Requirement, RequirementTotal, status_expression
from app.auth.models import Role
from app.content.models import Course
from app.extensions import db

TODAY = date(2026, 6, 15)


def test_sql_and_triggers_follow_the_one_rule(make_user, tiny_content, org):
    hr = make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    course = db.session.scalar(select(Course))
    assignment = assignments.create_assignment(
        course, audience=None, positions=[], actor=hr, scope=None, today=TODAY,
        rule=rules.DueRule("fixed", "once", date(2026, 1, 1), due_date=TODAY))
    cases = list(itertools.product(
        (TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1)),              # due
        (None, TODAY - timedelta(days=2), TODAY, TODAY + timedelta(days=2)),        # completed on
        (False, True)))                                                             # started
    for index, (due, completed_on, started) in enumerate(cases):
        user = make_user(f"u{index}")
        db.session.add(Requirement(
            user_id=user.id, course_id=course.id, assignment_id=assignment.id, period=f"t{index}",
            window_start=date(2026, 1, 1), due_date=due, org_unit_id=user.org_unit_id, org_path=user.org_unit.path,
            completed_on=completed_on, completed_at=None if completed_on is None else func.current_timestamp(),
            started_at=func.current_timestamp() if started else None))
    db.session.commit()
    rows = db.session.execute(select(Requirement.period, Requirement.due_date, Requirement.completed_on,
                                     Requirement.started_at, status_expression(TODAY)).where(
        Requirement.period.like("t%"))).all()
    assert len(rows) == len(cases)
    for _period, due, completed_on, started_at, sql_status in rows:
        assert sql_status == rules.status(due, completed_on, started_at is not None, TODAY)
    on_time = sum(1 for _p, due, done, _s, _st in rows if done is not None and done <= due)
    counted = db.session.scalar(select(func.sum(RequirementTotal.on_time)).where(RequirementTotal.period.like("t%")))
    assert counted == on_time
