"""Exam attempts: drawing, time limits, attempt limits, server-side grading."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.content.models import Question, QuizVersion
from app.core.exceptions import CodedError
from app.core.time import as_utc, utcnow
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Enrollment
from app.quizzes import engine
from app.quizzes.models import Attempt, AttemptAnswer, AttemptStatus


class ExamError(CodedError):
    """An exam action that is not allowed now; ``code`` says why."""


@dataclass(frozen=True)
class ExamState:
    exam: QuizVersion
    lessons_done: bool
    attempts_used: int
    open_attempt: Attempt | None
    best: Attempt | None
    passed: bool

    @property
    def attempts_left(self) -> int | None:
        if not self.exam.max_attempts:
            return None
        return max(self.exam.max_attempts - self.attempts_used, 0)

    @property
    def can_start(self) -> bool:
        return (
            self.lessons_done and not self.passed and self.open_attempt is None
            and self.attempts_left != 0
        )


def exam_state(enrollment: Enrollment, now: datetime | None = None, grace: int = 60) -> ExamState:
    """Where the learner stands with the course exam (expiring an overrun open attempt)."""
    exam = enrollment.course_version.exam
    attempts = list(
        db.session.scalars(
            select(Attempt).where(Attempt.enrollment_id == enrollment.id).order_by(Attempt.number)
        )
    )
    open_attempt = next((a for a in attempts if a.status == AttemptStatus.OPEN), None)
    if open_attempt is not None and _overrun(open_attempt, now or utcnow(), grace):
        _expire(open_attempt, now or utcnow())
        open_attempt = None
    graded = [a for a in attempts if a.status != AttemptStatus.OPEN]
    best = max(graded, key=lambda a: (a.percent or 0, -a.number), default=None)
    return ExamState(
        exam=exam, lessons_done=learning.all_lessons_done(enrollment), attempts_used=len(attempts),
        open_attempt=open_attempt, best=best, passed=any(a.passed for a in graded),
    )


def start_attempt(enrollment: Enrollment, *, rng: random.Random | None = None, now=None,
                  grace: int = 60) -> Attempt:
    """Open a new attempt with freshly drawn questions, or return the one already open."""
    now = now or utcnow()
    state = exam_state(enrollment, now, grace)
    if state.open_attempt is not None:
        return state.open_attempt
    if not state.lessons_done:
        raise ExamError("lessons_not_done")
    if state.passed:
        raise ExamError("already_passed")
    if state.attempts_left == 0:
        raise ExamError("no_attempts_left")
    exam = state.exam
    questions = db.session.execute(
        select(Question.id, Question.options).where(Question.quiz_version_id == exam.id)
    ).all()
    drawn = engine.draw(
        [(qid, [key for key, _ in options]) for qid, options in questions], exam.draw_count,
        shuffle_options=exam.shuffle_options, rng=rng or random.SystemRandom(),
    )
    attempt = Attempt(
        token=secrets.token_hex(16), user_id=enrollment.user_id, enrollment=enrollment,
        quiz_version=exam, number=state.attempts_used + 1, started_at=now,
        deadline_at=now + timedelta(minutes=exam.time_limit_minutes) if exam.time_limit_minutes else None,
        max_score=len(drawn),
    )
    db.session.add(attempt)
    db.session.flush()
    for position, item in enumerate(drawn, 1):
        db.session.add(
            AttemptAnswer(attempt_id=attempt.id, question_id=item.question_id, position=position,
                          option_order=list(item.option_order))
        )
    db.session.flush()
    return attempt


def attempt_items(attempt: Attempt) -> list[tuple[AttemptAnswer, Question]]:
    """The drawn questions of an attempt in the order shown."""
    rows = db.session.execute(
        select(AttemptAnswer, Question)
        .join(Question, AttemptAnswer.question_id == Question.id)
        .where(AttemptAnswer.attempt_id == attempt.id)
        .order_by(AttemptAnswer.position)
    )
    return [(answer, question) for answer, question in rows]


def get_attempt(token: str, user_id: int) -> Attempt | None:
    """The learner's own attempt with this token (never someone else's)."""
    return db.session.scalar(
        select(Attempt).where(Attempt.token == token, Attempt.user_id == user_id)
    )


def submit_attempt(attempt: Attempt, responses: dict[int, list[str]], *, now=None,
                   grace: int = 60) -> Attempt:
    """Grade the attempt once. A second submit (double click, resent form) changes nothing.

    ``responses`` maps question position to the raw values posted. An attempt submitted after
    its time limit (plus ``grace`` seconds for the network) is recorded as expired with no score.
    """
    now = now or utcnow()
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
        .values(status=AttemptStatus.SUBMITTED, submitted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if claimed != 1:
        return attempt
    if _overrun(attempt, now, grace):
        _expire(attempt, now)
        return attempt
    points = []
    for answer, question in attempt_items(attempt):
        response = engine.clean_response(
            question.kind, responses.get(answer.position, []), answer.option_order
        )
        scored = engine.grade(question.kind, question.answer, response)
        answer.response = sorted(response)
        answer.points = float(scored)
        points.append(scored)
    result = engine.total(points, attempt.quiz_version.pass_mark)
    attempt.score = float(result.points)
    attempt.percent = result.percent
    attempt.passed = result.passed
    _record_best(attempt)
    db.session.flush()
    if attempt.passed:
        learning.complete_if_done(attempt.enrollment, now)
    return attempt


def _record_best(attempt: Attempt) -> None:
    enrollment = attempt.enrollment
    if enrollment.best_percent is None or (attempt.percent or 0) > enrollment.best_percent:
        enrollment.best_percent = attempt.percent


def _overrun(attempt: Attempt, now: datetime, grace: int) -> bool:
    deadline = as_utc(attempt.deadline_at)
    return deadline is not None and now > deadline + timedelta(seconds=grace)


def _expire(attempt: Attempt, now: datetime) -> None:
    attempt.status = AttemptStatus.EXPIRED
    attempt.submitted_at = attempt.submitted_at or now
    attempt.score = 0.0
    attempt.percent = 0.0
    attempt.passed = False
    db.session.flush()


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int | None:
    """Seconds until the deadline (never negative), or None without a time limit."""
    deadline = as_utc(attempt.deadline_at)
    if deadline is None:
        return None
    return max(int((deadline - (now or utcnow())).total_seconds()), 0)




def attempts_of(enrollment: Enrollment) -> list[Attempt]:
    """The learner's attempts on this course, newest first."""
    return list(
        db.session.scalars(
            select(Attempt).where(Attempt.enrollment_id == enrollment.id).order_by(Attempt.number.desc())
        )
    )
