"""The trigger-kept requirement totals always equal the same figures added up from the requirements."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import and_, case, delete, func, select, update

from app.assignments import services
from app.assignments.models import Requirement, RequirementDay, RequirementTotal
from app.assignments.rules import DueRule
from app.auth.models import User
from app.content.models import Course
from app.extensions import db
from app.learning.models import Completion, Enrollment, EnrollmentStatus
from app.org.models import OrgUnit

TODAY = date(2026, 5, 10)


def _expected_totals() -> set[tuple]:
    r = Requirement
    rows = db.session.execute(
        select(r.period, r.org_path, r.course_id, r.due_date, r.active, func.count(), func.count(r.completed_at),
               func.sum(case((and_(r.completed_at.is_not(None), func.date(r.completed_at) <= r.due_date), 1),
                             else_=0)),
               func.coalesce(func.sum(r.score), 0), func.count(r.score))
        .group_by(r.period, r.org_path, r.course_id, r.due_date, r.active)
    ).all()
    return {(*row[:5], row[5], row[6], int(row[7]), round(float(row[8]), 6), row[9]) for row in rows}


def _stored_totals() -> set[tuple]:
    t = RequirementTotal
    return {(*row[:8], round(float(row[8]), 6), row[9])
            for row in db.session.execute(select(t.period, t.org_path, t.course_id, t.due_date, t.active, t.required,
                                                 t.completed, t.on_time, t.score_sum, t.score_count))}


def _expected_days() -> dict[tuple, int]:
    days: dict[tuple, int] = {}
    for period, path, completed in db.session.execute(
        select(Requirement.period, Requirement.org_path, func.date(Requirement.completed_at))
        .where(Requirement.active.is_(True), Requirement.completed_at.is_not(None))
    ):
        prefixes = [path[:i + 1] for i in range(1, len(path)) if path[i] == "/"]
        for prefix in prefixes:
            key = (period, prefix, str(completed))
            days[key] = days.get(key, 0) + 1
    return days


def _stored_days() -> dict[tuple, int]:
    d = RequirementDay
    return {(p, u, str(on)): n for p, u, on, n in db.session.execute(
        select(d.period, d.unit_path, d.completed_on, d.completed))}


def _check() -> None:
    db.session.flush()
    db.session.expire_all()
    assert _stored_totals() == _expected_totals()
    assert _stored_days() == _expected_days()


def _complete(user: User, course: Course, when: datetime, percent: float) -> None:
    enrollment = Enrollment(user_id=user.id, course_id=course.id, cycle="2026",
                            course_version_id=course.current_version_id, status=EnrollmentStatus.COMPLETED,
                            started_at=when, completed_at=when, best_percent=percent)
    db.session.add(enrollment)
    db.session.flush()
    completion = Completion(enrollment_id=enrollment.id, user_id=user.id, course_id=course.id,
                            course_version_id=course.current_version_id, completed_at=when, percent=percent,
                            certificate_code=f"XB-TEST-{user.id:04d}-{course.id:04d}")
    db.session.add(completion)
    db.session.flush()
    services.on_course_completed(completion)


def test_totals_follow_every_kind_of_change(app, org, make_user, tiny_content):
    hr = make_user("hr", unit="HO")
    people = [make_user(f"e{i}", unit=unit) for i, unit in enumerate(["BJ01", "BJ01", "SH01", "BJ", "SH01"])]
    course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
    rule = DueRule(kind="window", cycle="annual", starts_on=date(2026, 1, 1), window=((1, 1), (3, 31)))
    assignment = services.create_assignment(course, audience=None, positions=[], rule=rule, actor=hr, scope=None,
                                            today=TODAY)
    _check()
    assert db.session.scalar(select(func.sum(RequirementTotal.required))) == 6  # hr is an employee here too

    _complete(people[0], course, datetime(2026, 3, 1, 9, tzinfo=UTC), 90.0)   # on time
    _complete(people[1], course, datetime(2026, 4, 2, 9, tzinfo=UTC), 70.0)   # late
    _complete(people[2], course, datetime(2026, 3, 1, 3, tzinfo=UTC), 85.0)   # on time, same day as the first
    _check()

    # a transfer (roster import → sync moves the open and the completed requirement with the person)
    for person, unit in ((people[0], "SH01"), (people[3], "BJ01")):
        person.org_unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == unit))
    db.session.flush()
    services.sync_all(TODAY)
    _check()

    # a leaver: the open requirement is withdrawn (active = false), the completed one stays
    people[4].active = False
    people[1].active = False
    db.session.flush()
    services.sync_all(TODAY)
    _check()

    # hand-written bulk statements and deletions are followed too
    db.session.execute(update(Requirement).where(Requirement.user_id == people[2].id).values(score=95.0))
    db.session.execute(update(Requirement).where(Requirement.user_id == people[3].id)
                       .values(started_at=datetime(2026, 2, 1, tzinfo=UTC)))
    _check()
    services.deactivate_assignment(assignment, actor=hr, today=TODAY)
    _check()
    db.session.execute(delete(Requirement).where(Requirement.user_id == people[0].id))
    _check()
    db.session.execute(delete(Requirement))
    _check()
    assert db.session.scalar(select(func.count()).select_from(RequirementTotal)) == 0
    assert db.session.scalar(select(func.count()).select_from(RequirementDay)) == 0
