"""The assessment rows' role-play average counts the runs finished in the period, the period being the
bank's business year (Beijing time), the same on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from app.assignments import services
from app.assignments.rules import DueRule
from app.content.models import Course, Scenario, ScenarioVersion
from app.extensions import db
from app.quizzes.models import RunStatus, ScenarioRun
from app.reports import exports
from app.reports.assessment import Formula


def test_role_play_average_takes_the_runs_finished_in_the_period(app, org, make_user, tiny_content):
    hr = make_user("hr", unit="HO")
    learner = make_user("learner", unit="BJ01", name="北京甲")
    course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
    rule = DueRule(kind="window", cycle="annual", starts_on=date(2026, 1, 1), window=((1, 1), (12, 31)))
    services.create_assignment(course, audience=org["BJ"], positions=[], rule=rule, actor=hr, scope=None,
                               today=date(2026, 5, 1))
    version = ScenarioVersion(scenario=Scenario(slug="s"), number=1, content_hash="0" * 64, title={"zh_Hans": "情景"},
                              data={}, best_path=[])
    db.session.add(version)
    db.session.flush()
    for number, (finished, percent) in enumerate(((datetime(2026, 3, 1, 2, tzinfo=UTC), 80.0),
                                                  (datetime(2026, 12, 31, 23, tzinfo=UTC), 60.0),
                                                  (datetime(2025, 12, 31, 23, tzinfo=UTC), 10.0)), 1):
        db.session.add(ScenarioRun(token=f"t{number}", user_id=learner.id, scenario_version_id=version.id,
                                   number=number, status=RunStatus.FINISHED, current="end", started_at=finished,
                                   finished_at=finished, percent=percent, passed=percent >= 60))
    db.session.commit()
    rows = list(exports.assessment_rows(org["HO"], "2026", Formula.from_config(app.config)))
    # 2026-03-01 (80) and 2026-01-01 07:00 in Beijing (10) are in 2026; 2027-01-01 07:00 in Beijing (60) is not
    assert [(row.name, row.scenario_average) for row in rows] == [("北京甲", 45.0)]
