"""Read-only HR figures, always within an org subtree, from SQL aggregates over requirements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import Date, and_, bindparam, case, func, literal, select
from sqlalchemy.orm import selectinload

from app.assignments import rules
from app.assignments.models import Requirement, RequirementDay, RequirementTotal, done_on_time
from app.assignments.models import overdue as overdue_rule
from app.auth.models import User
from app.content.models import Course, CourseVersion
from app.extensions import db
from app.learning.models import Attempt, Completion, Enrollment
from app.org.models import OrgUnit
from app.quizzes.models import ScenarioRun


@dataclass(frozen=True)
class Figures:
    label: str
    required: int
    completed: int
    on_time: int
    overdue: int
    average: float | None
    key: object = None

    @property
    def completion_rate(self) -> float:
        return 100 * self.completed / self.required if self.required else 0.0

    @property
    def on_time_rate(self) -> float:
        return 100 * self.on_time / self.required if self.required else 0.0


def _columns(today: date):
    """The figures over requirement rows (for one employee's rows, where there are few)."""
    return (
        func.count(Requirement.id),
        func.count(Requirement.completed_at),
        func.sum(case((done_on_time(), 1), else_=0)),
        func.sum(case((overdue_rule(today), 1), else_=0)),
        func.avg(Requirement.score),
    )


def labels(period: str | list[str]) -> list[str]:
    """One period, or the periods of a selection (a list, such as everything due now)."""
    return [period] if isinstance(period, str) else list(period)


def _in(unit: OrgUnit, period: str | list[str]):
    return and_(Requirement.active.is_(True), Requirement.period.in_(labels(period)),
                Requirement.org_path.like(unit.path + "%"))


# Subtree figures add up RequirementTotal rows (counts per period, org path, course and due date, kept
# by database triggers) instead of scanning every requirement: the same figures, from a few thousand rows.
_T = RequirementTotal


def _sums(source, today: date):
    """required, completed, on time, overdue, score sum, score count over rows of ``source``
    (RequirementTotal or a subquery with the same columns and an ``overdue`` column)."""
    c = source if source is _T else source.c
    overdue = _overdue_total(today) if source is _T else func.sum(c.overdue)
    return (func.sum(c.required), func.sum(c.completed), func.sum(c.on_time), overdue,
            func.sum(c.score_sum), func.sum(c.score_count))


def _overdue_total(today: date):
    """The overdue requirements of RequirementTotal rows: those not completed, of rows due before today."""
    return func.sum(case((_T.due_date < today, _T.required - _T.completed), else_=0))


def _total_columns(source, today: date):
    required, completed, on_time, overdue, score_sum, score_count = _sums(source, today)
    return required, completed, on_time, overdue, score_sum / func.nullif(score_count, 0)


def _totals_in(unit: OrgUnit, period: str | list[str]):
    return and_(_T.active.is_(True), _T.period.in_(labels(period)), _T.org_path.like(unit.path + "%"))


def _figures(label, row, key=None) -> Figures:
    required, completed, on_time, overdue, average = row
    return Figures(label, int(required or 0), int(completed or 0), int(on_time or 0), int(overdue or 0),
                   None if average is None else float(average), key)


def periods(scope: OrgUnit) -> list[str]:
    """The periods with requirements in this subtree, newest first ("once" last)."""
    found = db.session.scalars(select(_T.period).where(_T.org_path.like(scope.path + "%")).distinct()).all()
    return sorted(found, key=rules.period_order)


def totals(unit: OrgUnit, period: str, today: date) -> Figures:
    """The unit's whole subtree in one row."""
    row = db.session.execute(select(*_total_columns(_T, today)).where(_totals_in(unit, period))).one()
    return _figures(unit.name, row, unit)


def by_child_unit(unit: OrgUnit, period: str, today: date) -> list[Figures]:
    """One row per direct child unit (its whole subtree), in code order."""
    required, completed, on_time, overdue, score_sum, score_count = _sums(_T, today)
    per_path = (
        select(_T.org_path, required.label("required"), completed.label("completed"), on_time.label("on_time"),
               overdue.label("overdue"), score_sum.label("score_sum"), score_count.label("score_count"))
        .where(_totals_in(unit, period)).group_by(_T.org_path).subquery()
    )
    child = db.aliased(OrgUnit)
    rows = db.session.execute(
        select(child.id, *_total_columns(per_path, today))
        .select_from(child)
        .join(per_path, per_path.c.org_path.like(child.path + literal("%")))
        .where(child.parent_id == unit.id)
        .group_by(child.id)
    ).all()
    figures = {row[0]: row[1:] for row in rows}
    children = db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.code))
    return [_figures(c.name, figures.get(c.id, (0, 0, 0, 0, None)), c) for c in children]


def by_course(unit: OrgUnit, period: str, today: date) -> list[Figures]:
    """One row per course required in the subtree."""
    rows = db.session.execute(
        select(_T.course_id, *_total_columns(_T, today)).where(_totals_in(unit, period)).group_by(_T.course_id)
    ).all()
    courses = {c.id: c for c in db.session.scalars(
        select(Course).where(Course.id.in_([r[0] for r in rows])).options(selectinload(Course.current_version))
    )}
    return sorted((_figures(courses[r[0]].slug, r[1:], courses[r[0]]) for r in rows), key=lambda f: f.label)


def by_employee(unit: OrgUnit, period: str, today: date) -> list[Figures]:
    """One row per employee directly in ``unit`` (for the lowest level of the drill-down)."""
    rows = db.session.execute(
        select(Requirement.user_id, *_columns(today))
        .where(_in(unit, period), Requirement.org_unit_id == unit.id)
        .group_by(Requirement.user_id)
    ).all()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows])))}
    return sorted((_figures(users[r[0]].name, r[1:], users[r[0]]) for r in rows),
                  key=lambda f: (f.key.employee_no or "", f.label))


class OverdueRow(NamedTuple):
    """One line of the overdue list: who, in which unit, which course, due when."""

    user_id: int
    employee_no: str | None
    name: str
    unit_name: str | None
    course_title: dict | None
    due_date: date


# The overdue list's three statements, built once with bound parameters: built per request, they cost
# the page about 1.5 ms of construction and cache-key work on top of the database's own (measured on a
# bank of a million requirements against bench/raw_queries.py).
_SUBTREE = bindparam("subtree")  # the unit's path and "%"
_PERIODS = bindparam("periods", expanding=True)
_TODAY = bindparam("today", type_=Date)
_OVERDUE_COUNT = func.sum(_T.required - _T.completed)  # _overdue_total: every row here is due before today
_OVERDUE_GROUPS = (
    select(_T.due_date, _T.org_path, _OVERDUE_COUNT)
    .outerjoin(OrgUnit, OrgUnit.path == _T.org_path)
    .where(_T.active.is_(True), _T.period.in_(_PERIODS), _T.org_path.like(_SUBTREE), _T.due_date < _TODAY)
    .group_by(_T.due_date, _T.org_path, OrgUnit.code).having(_OVERDUE_COUNT > 0)
    .order_by(_T.due_date, OrgUnit.code)
)
_OVERDUE_ROWS = (  # only the columns the page shows (the course as its id)
    select(User.id, User.employee_no, User.name, OrgUnit.name, Requirement.course_id, Requirement.due_date)
    .select_from(Requirement)
    .join(User, Requirement.user_id == User.id)
    .outerjoin(OrgUnit, Requirement.org_unit_id == OrgUnit.id)
    .where(Requirement.active.is_(True), Requirement.period.in_(_PERIODS), Requirement.org_path.like(_SUBTREE),
           overdue_rule(_TODAY))
    .order_by(Requirement.due_date, OrgUnit.code, User.employee_no)
    .limit(bindparam("limit"))
)
_OVERDUE_ROWS_OF_GROUPS = _OVERDUE_ROWS.where(Requirement.org_path.in_(bindparam("paths", expanding=True)),
                                              Requirement.due_date <= bindparam("last", type_=Date))
_COURSE_TITLES = (select(Course.id, CourseVersion.title)
                  .join(CourseVersion, Course.current_version_id == CourseVersion.id)
                  .where(Course.id.in_(bindparam("ids", expanding=True))))


def overdue(unit: OrgUnit, period: str | list[str], today: date, limit: int = 500) -> list[OverdueRow]:
    """Open requirements past their due date in the subtree, oldest due first (then by unit code and
    employee number), at most ``limit``: only the rows of the first groups that hold them are read."""
    connection = db.session.connection()  # plain rows: Core's result, not the ORM's
    where = {"subtree": unit.path + "%", "periods": labels(period), "today": today}
    groups, complete = _overdue_groups(connection, where, limit)
    if not groups:
        return []
    if complete:
        rows = connection.execute(_OVERDUE_ROWS, {**where, "limit": limit}).all()
    else:
        rows = connection.execute(_OVERDUE_ROWS_OF_GROUPS, {
            **where, "limit": limit, "paths": sorted({path for _, path in groups}),
            "last": max(due for due, _ in groups)}).all()
        if len(rows) < limit:  # the totals promised more rows than are there: read them all
            rows = connection.execute(_OVERDUE_ROWS, {**where, "limit": limit}).all()
    titles = dict(connection.execute(_COURSE_TITLES, {"ids": sorted({row.course_id for row in rows})}).all())
    return [OverdueRow(user_id, employee_no, name, unit_name, titles.get(course_id), due_date)
            for user_id, employee_no, name, unit_name, course_id, due_date in rows]


def _overdue_groups(connection, where: dict, limit: int) -> tuple[list, bool]:
    """The (due date, org path) groups with overdue requirements in the list's order (due date, unit code),
    from the totals, up to the first ones that hold ``limit`` rows; and whether that is all of them."""
    groups, total = [], 0
    for due_date, path, overdue_count in connection.execute(_OVERDUE_GROUPS, where):
        groups.append((due_date, path))
        total += overdue_count
        if total >= limit:
            return groups, False
    return groups, True


def people_in_scope(user_ids: list[int], scope: OrgUnit) -> list[int]:
    """The ids among ``user_ids`` of people who sit within ``scope``."""
    if not user_ids:
        return []
    return list(db.session.scalars(
        select(User.id).join(OrgUnit, User.org_unit_id == OrgUnit.id)
        .where(User.id.in_(user_ids), OrgUnit.path.like(scope.path + "%"))))


def employee_in_scope(employee_no: str, scope: OrgUnit) -> User | None:
    """The employee with this number, only if they sit (or last sat) within ``scope``."""
    return db.session.scalar(
        select(User).join(OrgUnit, User.org_unit_id == OrgUnit.id)
        .where(User.employee_no == employee_no, OrgUnit.path.like(scope.path + "%"))
    )


@dataclass(frozen=True)
class Transcript:
    requirements: list[tuple[Requirement, str]]  # with its status today
    attempts: list[tuple[Attempt, Enrollment]]
    runs: list[ScenarioRun]
    completions: list[Completion]


def transcript(user: User, today: date) -> Transcript:
    """Everything the employee has been asked to do and has done, newest first."""
    return Transcript(
        requirements=_requirements_with_status(user, today),
        attempts=_attempts(user),
        runs=list(db.session.scalars(
            select(ScenarioRun).where(ScenarioRun.user_id == user.id).order_by(ScenarioRun.started_at.desc())
            .options(selectinload(ScenarioRun.scenario_version))
        )),
        completions=list(db.session.scalars(
            select(Completion).where(Completion.user_id == user.id).order_by(Completion.completed_at.desc())
            .options(selectinload(Completion.course_version))
        )),
    )


def _requirements_with_status(user: User, today: date) -> list[tuple[Requirement, str]]:
    """The employee's requirements, latest period first, each with its status today."""
    requirements = db.session.scalars(
        select(Requirement).where(Requirement.user_id == user.id).order_by(Requirement.period.desc(), Requirement.due_date)
        .options(selectinload(Requirement.course).selectinload(Course.current_version))
    )
    return [(r, rules.status(r.due_date, r.completed_on, r.started_at is not None, today)) for r in requirements]


def _attempts(user: User) -> list[tuple[Attempt, Enrollment]]:
    """The employee's exam attempts, newest first, each with the enrolment it belongs to."""
    return [(attempt, enrollment) for attempt, enrollment in db.session.execute(
        select(Attempt, Enrollment).join(Enrollment, Attempt.enrollment_id == Enrollment.id)
        .where(Attempt.user_id == user.id).order_by(Attempt.started_at.desc())
        .options(selectinload(Enrollment.course_version))
    )]


def completion_curve(unit: OrgUnit, period: str) -> list[tuple[str, float]]:
    """Cumulative completion rate by the day completions happened (one GROUP BY date query)."""
    required = db.session.scalar(select(func.sum(_T.required)).where(_totals_in(unit, period))) or 0
    rows = db.session.execute(
        select(RequirementDay.completed_on, func.sum(RequirementDay.completed))
        .where(RequirementDay.period.in_(labels(period)), RequirementDay.unit_path == unit.path)
        .group_by(RequirementDay.completed_on).order_by(RequirementDay.completed_on)
    ).all()
    curve, total = [], 0
    for completed_on, count in rows:
        total += count
        curve.append((str(completed_on), 100 * total / required if required else 0.0))
    return curve
