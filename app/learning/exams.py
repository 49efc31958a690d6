"""Exam attempts: drawing, time limits, attempt limits, server-side grading."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.content.models import Question, QuizVersion
from app.core.exceptions import CodedError
from app.core.time import utcnow
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Attempt, AttemptAnswer, AttemptStatus, Enrollment
from app.quizzes import engine


class ExamError(CodedError):
    """An exam action that is not allowed now; ``code`` says why."""


@dataclass(frozen=True)
class ExamState:
    exam: QuizVersion
    lessons_done: bool
    attempts_used: int
    open_attempt: Attempt | None  # open and still within its time
    best: Attempt | None
    passed: bool
    overdue_attempt: Attempt | None = None  # open past its deadline: to be graded on what was saved

    @property
    def attempts_left(self) -> int | None:
        if not self.exam.max_attempts:
            return None
        return max(self.exam.max_attempts - self.attempts_used, 0)

    @property
    def can_start(self) -> bool:
        return (
            self.lessons_done and not self.passed and self.open_attempt is None
            and self.overdue_attempt is None and self.attempts_left != 0
        )

    @property
    def review_allowed(self) -> bool:
        """Whether finished attempts may show right answers and explanations (the bank's review policy)."""
        policy = self.exam.review
        if policy == "immediately":
            return True
        if policy == "after_pass":
            return self.passed
        if policy == "after_last_attempt":
            return self.passed or (self.attempts_left == 0 and self.open_attempt is None
                                   and self.overdue_attempt is None)
        return False


def exam_state(enrollment: Enrollment, now: datetime | None = None, grace: int = 60) -> ExamState:
    """Where the learner stands with the course exam. Reads only: an open attempt past its deadline
    is reported as overdue and graded by the next write (close_overdue)."""
    exam = enrollment.course_version.exam
    attempts = list(
        db.session.scalars(
            select(Attempt).where(Attempt.enrollment_id == enrollment.id).order_by(Attempt.number)
        )
    )
    still_open = next((a for a in attempts if a.status == AttemptStatus.OPEN), None)
    overdue = still_open if still_open is not None and _overrun(still_open, now or utcnow(), grace) else None
    graded = [a for a in attempts if a.status != AttemptStatus.OPEN]
    best = max(graded, key=lambda a: (a.percent or 0, -a.number), default=None)
    return ExamState(
        exam=exam, lessons_done=learning.all_lessons_done(enrollment), attempts_used=len(attempts),
        open_attempt=None if overdue else still_open, best=best, passed=any(a.passed for a in graded),
        overdue_attempt=overdue,
    )


def close_overdue(enrollment: Enrollment, now: datetime | None = None, grace: int = 60) -> Attempt | None:
    """Grade the open attempt whose time has run out on the answers saved before its deadline."""
    state = exam_state(enrollment, now, grace)
    if state.overdue_attempt is None:
        return None
    return submit_attempt(state.overdue_attempt, None, now=now, grace=grace)


def start_attempt(enrollment: Enrollment, *, rng: random.Random | None = None, now=None,
                  grace: int = 60) -> Attempt:
    """Open a new attempt with freshly drawn questions, or return the one already open.

    A double click (two requests at once) opens one attempt: the second lands on it.
    """
    now = now or utcnow()
    close_overdue(enrollment, now, grace)
    state = exam_state(enrollment, now, grace)
    if state.open_attempt is not None:
        return state.open_attempt
    if not state.lessons_done:
        raise ExamError("lessons_not_done")
    if state.passed:
        raise ExamError("already_passed")
    if state.attempts_left == 0:
        raise ExamError("no_attempts_left")
    try:
        with db.session.begin_nested():
            return _new_attempt(enrollment, state, rng or random.SystemRandom(), now)
    except IntegrityError:  # the other click of a double click opened it first
        opened = exam_state(enrollment, now, grace).open_attempt
        if opened is None:
            raise
        return opened


def _new_attempt(enrollment: Enrollment, state: ExamState, rng: random.Random, now: datetime) -> Attempt:
    exam = state.exam
    questions = db.session.execute(
        select(Question.id, Question.options).where(Question.quiz_version_id == exam.id)
    ).all()
    drawn = engine.draw(
        [(qid, [key for key, _ in options]) for qid, options in questions], exam.draw_count,
        shuffle_options=exam.shuffle_options, rng=rng,
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


def save_answers(attempt: Attempt, responses: dict[int, list[str]], *, now=None, grace: int = 60) -> int:
    """Keep the learner's current answers on the server (as they choose them); returns how many.

    ``responses`` maps question position to the raw values posted; a position given with no
    value clears that answer. Refused once the attempt is closed or its time (plus ``grace``) is up.
    """
    now = now or utcnow()
    if attempt.status != AttemptStatus.OPEN or _overrun(attempt, now, grace):
        raise ExamError("attempt_closed")
    saved = 0
    for answer, question in attempt_items(attempt):
        if answer.position in responses:
            response = engine.clean_response(question.kind, responses[answer.position], answer.option_order)
            answer.response = response
            saved += 1
    db.session.flush()
    return saved


def submit_attempt(attempt: Attempt, responses: dict[int, list[str]] | None, *, now=None,
                   grace: int = 60) -> Attempt:
    """Grade the attempt once. A second submit (double click, resent form) changes nothing.

    ``responses`` (question position → raw values posted) are saved first while the attempt is
    within its time limit plus ``grace`` seconds; an attempt handed in later, or closed because
    its time ran out, is graded on the answers saved before the deadline (status ``expired``).
    """
    now = now or utcnow()
    overrun = _overrun(attempt, now, grace)
    if responses is not None and not overrun and attempt.status == AttemptStatus.OPEN:
        save_answers(attempt, responses, now=now, grace=grace)
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
        .values(status=AttemptStatus.EXPIRED if overrun else AttemptStatus.SUBMITTED,
                submitted_at=min(now, attempt.deadline_at + timedelta(seconds=grace)) if overrun else now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if claimed != 1:
        return attempt
    points = []
    for answer, question in attempt_items(attempt):
        scored = engine.grade(question.kind, question.answer, answer.response or [])
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
    deadline = attempt.deadline_at
    return deadline is not None and now > deadline + timedelta(seconds=grace)


def is_overdue(attempt: Attempt, now: datetime | None = None, grace: int = 60) -> bool:
    """True for an open attempt whose time limit (plus ``grace``) has passed."""
    return attempt.status == AttemptStatus.OPEN and _overrun(attempt, now or utcnow(), grace)


def topics_to_review(items: list[tuple[AttemptAnswer, Question]]) -> list[str]:
    """The knowledge tags of the questions not fully right, most missed first (what to re-read)."""
    counts: dict[str, int] = {}
    for answer, question in items:
        if (answer.points or 0) < 1:
            for tag in question.tags or []:
                counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts, key=lambda tag: (-counts[tag], tag))


def overdue_attempts(now: datetime | None = None, grace: int = 60) -> list[Attempt]:
    """Every open attempt whose time limit (plus ``grace``) has passed."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Attempt).where(Attempt.status == AttemptStatus.OPEN, Attempt.deadline_at.is_not(None),
                              Attempt.deadline_at < now - timedelta(seconds=grace))
    )
    return [a for a in candidates if _overrun(a, now, grace)]


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int | None:
    """Seconds until the deadline (never negative), or None without a time limit."""
    deadline = attempt.deadline_at
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
