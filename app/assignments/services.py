"""Creating assignments and keeping the requirement rows right as people join, move and leave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, literal, or_, select, update

from app.assignments import rules
from app.assignments.models import Assignment, Requirement
from app.auth.models import Role, User, UserRole
from app.content.models import Course
from app.core import audit, signals
from app.core.database import BULK_ROWS, refresh_statistics
from app.core.exceptions import CodedError
from app.core.time import business_date, utcnow
from app.extensions import db
from app.learning.models import Completion, Enrollment
from app.org.models import OrgUnit


class AssignmentError(CodedError):
    """An assignment that cannot be made; ``code`` says why."""


@dataclass(frozen=True)
class SyncReport:
    created: int
    withdrawn: int
    restored: int
    moved: int


def create_assignment(course: Course, *, audience: OrgUnit | None, positions: list[str], rule: rules.DueRule,
                      actor: User, scope: OrgUnit | None, today: date) -> Assignment:
    """Assign ``course``; the audience must lie within the creator's scope (None scope: whole bank)."""
    try:
        rule.check()
    except rules.RuleError as error:
        raise AssignmentError(error.code) from None
    if scope is not None and (audience is None or not audience.is_within(scope)):
        raise AssignmentError("out_of_scope")
    assignment = Assignment(
        course=course, audience_org=audience, positions=sorted({p.strip() for p in positions if p.strip()}),
        created_by_id=actor.id, **_rule_columns(rule),
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record("assignment.create", actor=actor, target=course.slug, assignment=assignment.id,
                 audience=audience.code if audience else "*", positions=assignment.positions)
    sync_assignment(assignment, today)
    return assignment


def _rule_columns(rule: rules.DueRule) -> dict:
    """The assignment's columns that store its due rule."""
    return dict(
        kind=rule.kind, cycle=rule.cycle, starts_on=rule.starts_on, due_date=rule.due_date,
        due_month=rule.due_month_day[0] if rule.due_month_day else None,
        due_day=rule.due_month_day[1] if rule.due_month_day else None,
        window_start_month=rule.window[0][0] if rule.window else None,
        window_start_day=rule.window[0][1] if rule.window else None,
        window_end_month=rule.window[1][0] if rule.window else None,
        window_end_day=rule.window[1][1] if rule.window else None,
        days=rule.days,
    )


def overdue_at_once(course: Course, *, audience: OrgUnit | None, positions: list[str], rule: rules.DueRule,
                    today: date) -> int:
    """How many people an assignment would make overdue the moment it is created (a due date or
    window already past); 0 when its current period is not yet due."""
    period = rules.period_for(rule, today, today)
    if period is None or period.due_date >= today:
        return 0
    people = [p.strip() for p in positions if p.strip()]
    return db.session.scalar(
        select(func.count(User.id)).join(OrgUnit, User.org_unit_id == OrgUnit.id).where(audience_filter(audience, people))
    ) or 0


def deactivate_assignment(assignment: Assignment, *, actor: User, today: date) -> None:
    """Stop an assignment: its open requirements are withdrawn; completed ones stay as history."""
    assignment.active = False
    db.session.execute(
        update(Requirement)
        .where(Requirement.assignment_id == assignment.id, Requirement.completed_at.is_(None))
        .values(active=False, updated_at=utcnow())
    )
    audit.record("assignment.deactivate", actor=actor, target=assignment.course.slug, assignment=assignment.id)


def audience_filter(audience: OrgUnit | None, positions: list[str]):
    """WHERE clause selecting the users an assignment applies to: active employees of the roster (an
    employee number, an org unit) in the audience. Accounts made by hand without an employee number
    (HR, content and admin staff) may learn, but are never required to."""
    clauses = [User.active.is_(True), User.org_unit_id.is_not(None), User.employee_no.is_not(None),
               User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.EMPLOYEE))]
    if audience is not None:
        clauses.append(OrgUnit.path.like(audience.path + "%"))
    if positions:
        clauses.append(User.position.in_(positions))
    return and_(*clauses)


QUIET = {"synchronize_session": False}  # set-based statements: the session is expired afterwards instead
REQUIREMENT_COLUMNS = ["user_id", "course_id", "assignment_id", "period", "window_start", "due_date", "org_unit_id",
                       "org_path", "position", "active", "updated_at"]


def sync_assignment(assignment: Assignment, today: date) -> SyncReport:
    """Make the assignment's requirements match its audience for the period in force on ``today``.

    Set-based: a handful of INSERT … SELECT and UPDATE statements whatever the audience's size, so a
    roster of 200,000 people gets its requirements inside the import's transaction in seconds."""
    probe = rules.period_for(assignment.rule, today, today) if assignment.active else None
    if probe is None:
        return SyncReport(0, 0, 0, 0)
    db.session.flush()
    now = utcnow()
    audience = _audience_of(assignment)
    members = select(User.id).join(OrgUnit, User.org_unit_id == OrgUnit.id).where(audience)
    this_period = (Requirement.course_id == assignment.course_id, Requirement.period == probe.label)
    restored = _restore(this_period, members, now)
    moved = _follow_moves(this_period, members, now)
    created = _create_missing(assignment, audience, this_period, probe, today, now)
    withdrawn = _withdraw(assignment, this_period, members, now)
    for instance in list(db.session.identity_map.values()):  # the statements above bypassed the session
        if isinstance(instance, Requirement):
            db.session.expire(instance)
    _credit_existing_completions(assignment.course_id, probe.label)
    return SyncReport(created, withdrawn, restored, moved)


def _restore(this_period: tuple, members, now) -> int:
    """Withdrawn requirements of people who are in the audience again become active again."""
    return db.session.execute(
        update(Requirement).where(*this_period, Requirement.active.is_(False), Requirement.user_id.in_(members))
        .values(active=True, updated_at=now), execution_options=QUIET).rowcount


def _withdraw(assignment: Assignment, this_period: tuple, members, now) -> int:
    """The assignment's open requirements of people no longer in its audience are withdrawn."""
    return db.session.execute(
        update(Requirement).where(*this_period, Requirement.assignment_id == assignment.id,
                                  Requirement.active.is_(True), Requirement.completed_at.is_(None),
                                  Requirement.user_id.not_in(members))
        .values(active=False, updated_at=now), execution_options=QUIET).rowcount


def _audience_of(assignment: Assignment):
    """Who the assignment requires: its org subtree and positions; for a relative rule, new hires only
    (hired on or after its start, or hire date unknown)."""
    audience = audience_filter(assignment.audience_org, assignment.positions)
    if assignment.rule.kind == "relative":
        audience = and_(audience, or_(User.hire_date >= assignment.starts_on, User.hire_date.is_(None)))
    return audience


def _follow_moves(this_period: tuple, members, now) -> int:
    """Requirements of people who changed unit or position take their new unit, path and position."""
    unit_id = select(User.org_unit_id).where(User.id == Requirement.user_id).scalar_subquery()
    unit_path = (select(OrgUnit.path).join(User, User.org_unit_id == OrgUnit.id)
                 .where(User.id == Requirement.user_id).scalar_subquery())
    position = select(func.coalesce(User.position, "")).where(User.id == Requirement.user_id).scalar_subquery()
    return db.session.execute(
        update(Requirement).where(*this_period, Requirement.user_id.in_(members),
                                  or_(Requirement.org_path != unit_path, Requirement.position != position))
        .values(org_unit_id=unit_id, org_path=unit_path, position=position, updated_at=now),
        execution_options=QUIET).rowcount


def _create_missing(assignment: Assignment, audience, this_period: tuple, probe, today: date, now) -> int:
    """INSERT … SELECT a requirement for everyone in the audience without one for this period."""
    missing = and_(audience, ~select(Requirement.id).where(Requirement.user_id == User.id, *this_period).exists())
    created = 0
    for where, period in _groups(assignment, missing, probe, today):
        rows = _requirement_rows(assignment, period, now).where(where)
        # counted first: what an INSERT … SELECT reports as its rowcount differs between drivers
        count = db.session.scalar(select(func.count()).select_from(rows.subquery()))
        if count:
            db.session.execute(Requirement.__table__.insert().from_select(REQUIREMENT_COLUMNS, rows))
            created += count
    if created >= BULK_ROWS:  # the next assignment's statements plan against the rows just written
        refresh_statistics(db.session, "requirements")
    return created


def _groups(assignment: Assignment, missing, probe, today: date) -> list[tuple]:
    """(who, their period) pairs: everyone at once, or for a relative rule each day people joined."""
    if assignment.rule.kind != "relative":
        return [(missing, probe)]
    # each new hire is due N days after joining: one statement per day
    joined_days = db.session.scalars(
        select(User.hire_date).join(OrgUnit, User.org_unit_id == OrgUnit.id).where(missing).distinct()).all()
    return [(and_(missing, User.hire_date == day if day else User.hire_date.is_(None)),
             rules.period_for(assignment.rule, today, day or today)) for day in joined_days]


def _requirement_rows(assignment: Assignment, period, now):
    """The SELECT giving the new requirement rows, REQUIREMENT_COLUMNS in order (the audience is added)."""
    column = Requirement.__table__.c
    return select(
        User.id, literal(assignment.course_id, column.course_id.type), literal(assignment.id, column.assignment_id.type),
        literal(period.label, column.period.type), literal(period.window_start, column.window_start.type),
        literal(period.due_date, column.due_date.type), User.org_unit_id, OrgUnit.path,
        func.coalesce(User.position, ""), literal(True, column.active.type), literal(now, column.updated_at.type),
    ).join(OrgUnit, User.org_unit_id == OrgUnit.id)


@signals.roster_applied.connect
def _follow_roster(_sender, *, today: date) -> None:
    """People who joined, moved or left get the right requirements in the import's own transaction."""
    sync_all(today)


def sync_all(today: date) -> SyncReport:
    """Bring every active assignment up to date (after a roster import, and daily for new cycles)."""
    totals = [0, 0, 0, 0]
    for assignment in db.session.scalars(select(Assignment).where(Assignment.active.is_(True)).order_by(Assignment.id)):
        report = sync_assignment(assignment, today)
        for index, value in enumerate((report.created, report.withdrawn, report.restored, report.moved)):
            totals[index] += value
    return SyncReport(*totals)


def _credit_existing_completions(course_id: int, period: str) -> None:
    """Requirements whose learner already holds a completion earned inside the window count as done."""
    earned = (
        select(Completion.id)
        .where(Completion.user_id == Requirement.user_id, Completion.course_id == Requirement.course_id,
               or_(Requirement.period == "once", Completion.completed_on >= Requirement.window_start))
        .order_by(Completion.completed_at)
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Requirement.id, earned.label("completion_id"))
        .where(Requirement.course_id == course_id, Requirement.period == period, Requirement.completed_at.is_(None))
    ).all()
    for requirement_id, completion_id in rows:
        if completion_id is not None:
            record_completion(db.session.get(Requirement, requirement_id), db.session.get(Completion, completion_id))


def record_completion(requirement: Requirement, completion: Completion) -> None:
    """Mark the requirement completed by ``completion`` (its business day decides on time or late)."""
    requirement.completed_at = completion.completed_at
    requirement.completed_on = business_date(completion.completed_at)
    requirement.completion_id = completion.id
    requirement.score = completion.percent
    requirement.started_at = requirement.started_at or completion.completed_at


@signals.course_completed.connect
def _course_completed(_sender, *, completion: Completion) -> None:
    on_course_completed(completion)


@signals.course_started.connect
def _course_started(_sender, *, enrollment: Enrollment) -> None:
    on_course_started(enrollment)


@signals.cycle_due.connect
def _cycle_due(_sender, *, user_id: int, course_id: int) -> str | None:
    requirement = open_requirement(user_id, course_id)
    return requirement.period if requirement is not None else None


def on_course_completed(completion: Completion) -> None:
    """Credit the learner's open requirements for this course whose window the completion falls in."""
    completed_day = completion.completed_on or business_date(completion.completed_at)
    for requirement in db.session.scalars(
        select(Requirement).where(Requirement.user_id == completion.user_id,
                                  Requirement.course_id == completion.course_id,
                                  Requirement.completed_at.is_(None))
    ):
        if requirement.period == "once" or (completed_day and completed_day >= requirement.window_start):
            record_completion(requirement, completion)


def on_course_started(enrollment: Enrollment) -> None:
    """Mark the requirement this enrolment serves as started."""
    if not enrollment.cycle:
        return
    db.session.execute(
        update(Requirement)
        .where(Requirement.user_id == enrollment.user_id, Requirement.course_id == enrollment.course_id,
               Requirement.period == enrollment.cycle, Requirement.started_at.is_(None))
        .values(started_at=enrollment.started_at or utcnow())
    )


def open_requirement(user_id: int, course_id: int) -> Requirement | None:
    """The learner's active, not yet completed requirement for this course with the earliest due date."""
    return db.session.scalar(
        select(Requirement)
        .where(Requirement.user_id == user_id, Requirement.course_id == course_id, Requirement.active.is_(True),
               Requirement.completed_at.is_(None))
        .order_by(Requirement.due_date)
        .limit(1)
    )


def requirements_of(user_id: int) -> list[Requirement]:
    """The learner's active requirements, due first."""
    return list(db.session.scalars(
        select(Requirement).where(Requirement.user_id == user_id, Requirement.active.is_(True))
        .order_by(Requirement.due_date)
    ))
