"""A learner's courses as their mandatory training sees them: what is due when, and how it stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select

from app.assignments import rules
from app.assignments import services as assignments
from app.assignments.models import Requirement
from app.auth.models import User
from app.content.models import Course, CourseVersion, Lesson
from app.core.time import business_today
from app.extensions import db
from app.learning.models import Completion, Enrollment, LessonProgress
from app.learning.services import published_courses


@dataclass(frozen=True)
class CourseRow:
    """One course on a learner's dashboard."""

    course: Course
    version: CourseVersion
    enrollment: Enrollment | None
    lessons_done: int
    lessons_total: int
    completion: Completion | None
    requirement: Requirement | None = None
    today: date | None = None

    @property
    def due_status(self) -> str | None:
        """not_started / in_progress / completed_on_time / completed_late / overdue, when the course is required."""
        r = self.requirement
        if r is None:
            return None
        return rules.status(r.due_date, r.completed_on, self.enrollment is not None, self.today)

    def sort_key(self):
        order = {"overdue": 0, "in_progress": 1, "not_started": 1}
        pressing = order.get(self.due_status, 2) if self.requirement else 3
        due = self.requirement.due_date if self.requirement and self.requirement.completed_at is None else date.max
        return (pressing, due, self.course.slug)

    @property
    def status(self) -> str:
        if self.completion is not None:
            return "completed"
        return "in_progress" if self.enrollment is not None else "not_started"

    @property
    def progress_percent(self) -> int:
        if self.completion is not None:
            return 100
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0




def dashboard(user: User, today: date | None = None) -> list[CourseRow]:
    """The learner's courses with due dates, status, progress and score, in a fixed number of queries.

    Overdue courses come first, then those due soonest, then the rest.
    """
    today = today or business_today()
    courses = published_courses()
    requirements = _most_pressing(user)
    enrollments = _current_enrollments(user, courses, requirements)
    version_ids = {c.current_version_id for c in courses} | {e.course_version_id for e in enrollments.values()}
    versions = {v.id: v for v in db.session.scalars(select(CourseVersion).where(CourseVersion.id.in_(version_ids)))}
    progress = _progress(user, version_ids)
    rows = [_row(course, enrollments.get(course.id), versions, progress, requirements.get(course.id), today)
            for course in courses]
    rows.sort(key=CourseRow.sort_key)
    return rows


class _Progress(NamedTuple):
    lessons: dict[int, int]  # per course version
    done: dict[int, int]  # lessons done per enrolment
    completions: dict[int, Completion]  # per enrolment


def _progress(user: User, version_ids: set[int]) -> _Progress:
    """The lessons of each course version, and the learner's lessons done and completions per enrolment."""
    lesson_counts = dict(db.session.execute(
        select(Lesson.course_version_id, func.count())
        .where(Lesson.course_version_id.in_(version_ids)).group_by(Lesson.course_version_id)
    ).all())
    done_counts = dict(db.session.execute(
        select(LessonProgress.enrollment_id, func.count()).join(Enrollment)
        .where(Enrollment.user_id == user.id).group_by(LessonProgress.enrollment_id)
    ).all())
    completions = {c.enrollment_id: c for c in db.session.scalars(select(Completion).where(Completion.user_id == user.id))}
    return _Progress(lesson_counts, done_counts, completions)


def _row(course: Course, enrollment: Enrollment | None, versions: dict[int, CourseVersion], progress: _Progress,
         requirement: Requirement | None, today: date) -> CourseRow:
    """The course's row: the version the learner follows (their enrolment's, else the current one)."""
    version = versions[enrollment.course_version_id if enrollment else course.current_version_id]
    return CourseRow(
        course, version, enrollment, progress.done.get(enrollment.id, 0) if enrollment else 0,
        progress.lessons.get(version.id, 0), progress.completions.get(enrollment.id) if enrollment else None,
        requirement, today,
    )


def _most_pressing(user: User) -> dict[int, Requirement]:
    """Per course, the learner's open requirement due first (else the one due first)."""
    requirements: dict[int, Requirement] = {}
    for requirement in assignments.requirements_of(user.id):  # due first
        current = requirements.get(requirement.course_id)
        if current is None or (current.completed_at is not None and requirement.completed_at is None):
            requirements[requirement.course_id] = requirement
    return requirements


def _current_enrollments(user: User, courses: list[Course], requirements: dict[int, Requirement]) -> dict:
    """Per course, the enrolment that counts now: the due cycle's (a new cycle starts afresh), else the latest."""
    history = list(db.session.scalars(
        select(Enrollment).where(Enrollment.user_id == user.id).order_by(Enrollment.started_at, Enrollment.id)
    ))
    by_cycle = {(e.course_id, e.cycle): e for e in history}
    latest = {e.course_id: e for e in history}

    def current(course_id: int) -> Enrollment | None:
        wanted = requirements.get(course_id)
        if wanted is not None and wanted.completed_at is None:
            return by_cycle.get((course_id, wanted.period))
        return latest.get(course_id)

    return {c.id: e for c in courses if (e := current(c.id)) is not None}
