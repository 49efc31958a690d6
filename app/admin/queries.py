"""Read-only queries behind the administration pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from app.auth.models import Role, User, UserRole
from app.content.models import Course, CourseVersion, Lesson, Question, Quiz, Scenario, ScenarioVersion
from app.core.models import AuditEvent
from app.extensions import db
from app.quizzes.models import ScenarioDecision, ScenarioRun


def courses_with_versions():
    """(course, current version, lesson count) for every loaded course."""
    return db.session.execute(
        select(Course, CourseVersion, func.count(Lesson.id))
        .join(CourseVersion, Course.current_version_id == CourseVersion.id)
        .outerjoin(Lesson, Lesson.course_version_id == CourseVersion.id)
        .group_by(Course.id, CourseVersion.id)
        .order_by(Course.slug)
    ).all()


def quizzes_with_counts():
    """(quiz, question count of its current version) for every loaded question bank."""
    return db.session.execute(
        select(Quiz, func.count(Question.id))
        .outerjoin(Question, Question.quiz_version_id == Quiz.current_version_id)
        .group_by(Quiz.id)
        .order_by(Quiz.slug)
    ).all()


def last_sync() -> AuditEvent | None:
    """The most recent content sync that changed something."""
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "content.sync").order_by(AuditEvent.at.desc()).limit(1)
    )


def users_query(term: str, role: str | None):
    """Accounts matching a search term (name, username, employee number) and an optional role."""
    query = select(User).order_by(User.username)
    if term:
        like = f"%{term}%"
        query = query.where(or_(User.name.like(like), User.username.like(like), User.employee_no.like(like)))
    if role in {r.value for r in Role}:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(role))))
    return query


def audit_query():
    """The audit trail, newest first."""
    return select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def users_by_id(ids: set[int]) -> dict[int, User]:
    """Accounts keyed by id (for naming the actors of audit events in one query)."""
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


@dataclass(frozen=True)
class ScenarioFigures:
    scenario: Scenario
    runs: int
    finished: int
    passed: int
    average: float | None

    @property
    def pass_rate(self) -> float:
        return 100 * self.passed / self.finished if self.finished else 0.0


def scenario_figures() -> list[ScenarioFigures]:
    """Per published scenario: runs started, finished, passed and the average score, in one query."""
    rows = db.session.execute(
        select(
            Scenario,
            func.count(ScenarioRun.id),
            func.count(ScenarioRun.finished_at),
            func.coalesce(func.sum(case((ScenarioRun.passed.is_(True), 1), else_=0)), 0),
            func.avg(ScenarioRun.percent),
        )
        .outerjoin(ScenarioVersion, ScenarioVersion.scenario_id == Scenario.id)
        .outerjoin(ScenarioRun, ScenarioRun.scenario_version_id == ScenarioVersion.id)
        .where(Scenario.published.is_(True))
        .group_by(Scenario.id)
        .order_by(Scenario.slug)
    ).all()
    return [ScenarioFigures(s, runs, finished, int(passed), avg) for s, runs, finished, passed, avg in rows]


def ending_counts(version_id: int) -> dict[str, int]:
    """How many finished runs of this version reached each ending."""
    return dict(db.session.execute(
        select(ScenarioRun.ending, func.count())
        .where(ScenarioRun.scenario_version_id == version_id, ScenarioRun.ending.is_not(None))
        .group_by(ScenarioRun.ending)
    ).all())


def choice_counts(version_id: int) -> dict[str, dict[int, int]]:
    """For each node of this version: how many decisions took each choice (GROUP BY node, choice)."""
    counts: dict[str, dict[int, int]] = {}
    for node_id, choice_index, count in db.session.execute(
        select(ScenarioDecision.node_id, ScenarioDecision.choice_index, func.count())
        .where(ScenarioDecision.scenario_version_id == version_id)
        .group_by(ScenarioDecision.node_id, ScenarioDecision.choice_index)
    ):
        counts.setdefault(node_id, {})[choice_index] = count
    return counts
