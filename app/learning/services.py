"""The employee learning loop: enrolment, lesson progress, completion and certificates."""

from __future__ import annotations

import html as html_lib
import math
import re
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.content.models import Course, CourseScenario, Lesson, ScenarioVersion
from app.core import signals
from app.core.exceptions import CodedError
from app.core.time import business_date, utcnow
from app.extensions import db
from app.learning.models import Attempt, Completion, Enrollment, EnrollmentStatus, LessonProgress
from app.quizzes.models import ScenarioRun

TAG_RE = re.compile(r"<[^>]+>")
SPACE_RE = re.compile(r"\s+")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand


class LearningError(CodedError):
    """A learner action that is not allowed now; ``code`` says why."""


def published_courses() -> list[Course]:
    """Every published course with a current version, in slug order."""
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.published.is_(True), Course.current_version_id.is_not(None))
            .options(selectinload(Course.current_version))
            .order_by(Course.slug)
        )
    )


def get_course(slug: str) -> Course | None:
    """The published course with this slug."""
    return db.session.scalar(
        select(Course).where(Course.slug == slug, Course.published.is_(True))
    )


def cycle_due(user: User, course: Course) -> str | None:
    """The cycle the learner's work on ``course`` counts for now ("2026", "2026H2", "once"), as the
    mandatory-training rules answer it; None when the course is not (or no longer) required."""
    answers = [value for _receiver, value in signals.cycle_due.send(None, user_id=user.id, course_id=course.id)]
    return next((value for value in answers if value is not None), None)


def find_enrollment(user: User, course: Course) -> Enrollment | None:
    """The enrolment for the learner's current cycle of ``course``.

    With an open requirement (say for 2027), that period's enrolment (None if not started yet, even
    when an earlier cycle was completed); otherwise the most recent enrolment.
    """
    cycle = cycle_due(user, course)
    query = select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    if cycle is not None:
        return db.session.scalar(query.where(Enrollment.cycle == cycle))
    return db.session.scalar(query.order_by(Enrollment.started_at.desc(), Enrollment.id.desc()).limit(1))


def enroll(user: User, course: Course) -> Enrollment:
    """Start the course on its current version for the learner's current cycle (or return that enrolment)."""
    existing = find_enrollment(user, course)
    if existing is not None:
        return existing
    enrollment = Enrollment(user=user, course=course, course_version_id=course.current_version_id,
                            cycle=cycle_due(user, course) or "", started_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
    except IntegrityError:  # a concurrent request enrolled first
        return find_enrollment(user, course)
    signals.course_started.send(None, enrollment=enrollment)
    return enrollment


def lessons_of(enrollment: Enrollment) -> list[Lesson]:
    """The lessons of the version the learner is taking, in order."""
    return list(enrollment.course_version.lessons)


def done_slugs(enrollment: Enrollment) -> set[str]:
    """Slugs of the lessons the learner has completed."""
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_slug).where(LessonProgress.enrollment_id == enrollment.id)
        )
    )


def reading_seconds(lesson: Lesson, chars_per_minute: int) -> int:
    """The least time in which the lesson can be read: its text at ``chars_per_minute`` (a quick but
    careful reader), never more than the minutes the author gives it; 0 when the rule is off."""
    if chars_per_minute <= 0:
        return 0
    texts = [lesson.body_html.get("zh_Hans") or ""]
    texts += [html for _key, html in (lesson.sections or {}).get("zh_Hans", [])] if not texts[0] else []
    plain = html_lib.unescape(TAG_RE.sub("", "".join(texts)))
    seconds = math.ceil(len(SPACE_RE.sub("", plain)) * 60 / chars_per_minute)
    return min(seconds, lesson.minutes * 60) if lesson.minutes else seconds


def complete_lesson(enrollment: Enrollment, lesson: Lesson, *, seconds_open: float | None = None,
                    seconds_needed: int = 0) -> None:
    """Record that the learner worked through ``lesson`` (idempotent).

    Refused (``read_too_fast``) while the lesson has been open for less than ``seconds_needed``.
    """
    if lesson.course_version_id != enrollment.course_version_id:
        raise LearningError("lesson_not_in_course")
    if lesson.slug in done_slugs(enrollment):
        return
    if seconds_needed and (seconds_open is None or seconds_open < seconds_needed):
        wait = seconds_needed - max(int(seconds_open or 0), 0)
        raise LearningError("read_too_fast", wait=wait, needed=seconds_needed)
    try:
        with db.session.begin_nested():
            db.session.add(LessonProgress(enrollment=enrollment, lesson_slug=lesson.slug))
    except IntegrityError:
        pass


def all_lessons_done(enrollment: Enrollment) -> bool:
    """True when every lesson of the enrolled version is done."""
    return {ls.slug for ls in lessons_of(enrollment)} <= done_slugs(enrollment)


def completion_of(enrollment: Enrollment) -> Completion | None:
    """The completion (with its certificate) of this enrolment, if the course is finished."""
    return db.session.scalar(select(Completion).where(Completion.enrollment_id == enrollment.id))


def new_certificate_code() -> str:
    """An unguessable, human-typable code such as XB-7KQ2-M9TF-3HRA."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"XB-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def exam_passed(enrollment: Enrollment) -> bool:
    """True when one of the learner's attempts at this course's exam passed."""
    return db.session.scalar(
        select(Attempt.id).where(Attempt.enrollment_id == enrollment.id, Attempt.passed.is_(True)).limit(1)
    ) is not None


def scenario_requirements(enrollment: Enrollment) -> list[tuple[CourseScenario, bool]]:
    """Each role-play the course requires, and whether the learner has met it."""
    result = []
    for requirement in enrollment.course_version.scenarios:
        scenario_id = requirement.scenario_version.scenario_id
        query = (
            select(ScenarioRun.id)
            .join(ScenarioVersion, ScenarioRun.scenario_version_id == ScenarioVersion.id)
            .where(ScenarioRun.user_id == enrollment.user_id, ScenarioVersion.scenario_id == scenario_id,
                   ScenarioRun.passed.is_(True))
        )
        if requirement.min_score is not None:
            query = query.where(ScenarioRun.percent >= requirement.min_score)
        result.append((requirement, db.session.scalar(query.limit(1)) is not None))
    return result


def complete_if_done(enrollment: Enrollment, now=None) -> Completion | None:
    """Complete the course when every lesson is done, the exam passed and every required role-play passed."""
    existing = completion_of(enrollment)
    if existing is not None:
        return existing
    if not _requirements_met(enrollment):
        return None
    now = now or utcnow()
    completion = Completion(
        enrollment_id=enrollment.id, user_id=enrollment.user_id, course_id=enrollment.course_id,
        course_version_id=enrollment.course_version_id, completed_at=now, completed_on=business_date(now),
        percent=enrollment.best_percent or 0,
        certificate_code=new_certificate_code(),
    )
    db.session.add(completion)
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.completed_at = now
    db.session.flush()
    signals.course_completed.send(None, completion=completion)
    return completion


def _requirements_met(enrollment: Enrollment) -> bool:
    """Every lesson done, the exam passed and every required role-play passed."""
    return (all_lessons_done(enrollment) and exam_passed(enrollment)
            and all(met for _, met in scenario_requirements(enrollment)))


@signals.scenario_passed.connect
def _complete_courses_waiting_for(_sender, *, user_id: int, scenario_id: int, now) -> None:
    complete_courses_requiring(user_id, scenario_id, now)


def complete_courses_requiring(user_id: int, scenario_id: int, now=None) -> list[Completion]:
    """After a passed role-play: complete every course of the learner that was waiting for it."""
    enrollments = db.session.scalars(
        select(Enrollment)
        .join(CourseScenario, CourseScenario.course_version_id == Enrollment.course_version_id)
        .join(ScenarioVersion, CourseScenario.scenario_version_id == ScenarioVersion.id)
        .where(Enrollment.user_id == user_id, ScenarioVersion.scenario_id == scenario_id,
               Enrollment.status == EnrollmentStatus.IN_PROGRESS)
    ).all()
    return [c for e in enrollments if (c := complete_if_done(e, now)) is not None]


def find_certificate(code: str) -> Completion | None:
    """The completion carrying this certificate code (case-insensitive), or None."""
    return db.session.scalar(
        select(Completion).where(Completion.certificate_code == code.strip().upper())
    )


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 李四 → 李*, Alice Wang → A*** W***: enough to recognise, not to harvest."""
    name = name.strip()
    if not name:
        return ""
    if " " in name:
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def qr_svg(url: str) -> str:
    """An inline SVG QR code for ``url`` (no external service, no script)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=3, dark="#1f2937", omitsize=False)


def completions_requiring(user_id: int, scenario_id: int) -> list[Completion]:
    """The learner's completed courses that required this role-play (to link their certificates)."""
    return list(db.session.scalars(
        select(Completion)
        .join(CourseScenario, CourseScenario.course_version_id == Completion.course_version_id)
        .join(ScenarioVersion, CourseScenario.scenario_version_id == ScenarioVersion.id)
        .where(Completion.user_id == user_id, ScenarioVersion.scenario_id == scenario_id)
    ))
