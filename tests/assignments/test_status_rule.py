"""One rule for on time, late and overdue: the SQL the reports and exports use, and the totals the
database triggers keep, agree with rules.status on every case."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.assignments import rules
from app.assignments.models import Requirement, RequirementTotal, status_expression
from app.extensions import db
from tests.assignments.grid import requirement_grid

TODAY = date(2026, 6, 15)


def test_sql_and_triggers_follow_the_one_rule(make_user, tiny_content, org):
    _assignment, cases = requirement_grid(make_user, TODAY, "started")
    rows = db.session.execute(select(Requirement.period, Requirement.due_date, Requirement.completed_on,
                                     Requirement.started_at, status_expression(TODAY)).where(
        Requirement.period.like("t%"))).all()
    assert len(rows) == len(cases)
    for _period, due, completed_on, started_at, sql_status in rows:
        assert sql_status == rules.status(due, completed_on, started_at is not None, TODAY)
    on_time = sum(1 for _p, due, done, _s, _st in rows if done is not None and done <= due)
    counted = db.session.scalar(select(func.sum(RequirementTotal.on_time)).where(RequirementTotal.period.like("t%")))
    assert counted == on_time
