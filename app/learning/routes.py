"""Employee learning pages under /learn."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadData, URLSafeTimedSerializer
from markupsafe import Markup, escape

from app.content.models import Lesson
from app.content.questions import BLANK_RE
from app.core.forms import ConfirmForm
from app.core.time import utcnow
from app.core.urls import public_url
from app.extensions import db
from app.learning import exams, services
from app.learning.models import AttemptStatus

bp = Blueprint("learning", __name__, url_prefix="/learn")


@bp.app_template_filter("numbered_blanks")
def numbered_blanks(text: str, blanks: int = 0) -> Markup:
    """A fill question's stem with each blank (____) numbered when there are several, escaped."""
    if blanks < 2:
        return escape(text)
    parts = BLANK_RE.split(str(escape(text)))
    return Markup(parts[0] + "".join(f'<span class="blank-mark">({number})____</span>{part}'
                                     for number, part in enumerate(parts[1:], 1)))

EXAM_MESSAGES = {
    "lessons_not_done": lambda: _("Finish every lesson before you start the exam."),
    "already_passed": lambda: _("You have already passed this exam."),
    "no_attempts_left": lambda: _("You have used all your attempts. Please contact your training administrator."),
}


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in account."""


def _course_or_404(slug: str):
    course = services.get_course(slug)
    if course is None:
        abort(404)
    return course


def _enrolled(slug: str):
    """The course and the learner's enrolment; a learner who has not started is sent to the course."""
    course = _course_or_404(slug)
    enrollment = services.find_enrollment(current_user, course)
    if enrollment is None:
        flash(_("Start the course first."), "info")
        abort(redirect(url_for(".course", slug=slug)))
    return course, enrollment


def _grace() -> int:
    return current_app.config["EXAM_GRACE_SECONDS"]


@bp.get("/<slug>")
def course(slug: str):
    """The course card: lessons with ticks, the exam, the certificate."""
    course = _course_or_404(slug)
    enrollment = services.find_enrollment(current_user, course)
    version = enrollment.course_version if enrollment else course.current_version
    done = services.done_slugs(enrollment) if enrollment else set()
    state = exams.exam_state(enrollment, grace=_grace()) if enrollment else None
    completion = services.completion_of(enrollment) if enrollment else None
    next_lesson = next((ls for ls in version.lessons if ls.slug not in done), None)
    requirements = (services.scenario_requirements(enrollment) if enrollment
                    else [(requirement, False) for requirement in version.scenarios])
    return render_template(
        "learning/course.html", course=course, version=version, enrollment=enrollment, done=done,
        state=state, completion=completion, next_lesson=next_lesson, requirements=requirements,
        form=ConfirmForm(),
    )


@bp.post("/<slug>/start")
def start(slug: str):
    """Enrol in the course and open its first lesson."""
    course = _course_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    enrollment = services.enroll(current_user, course)
    db.session.commit()
    lessons = services.lessons_of(enrollment)
    if not lessons:
        return redirect(url_for(".course", slug=slug))
    return redirect(url_for(".lesson", slug=slug, lesson_slug=lessons[0].slug))


def _lesson_or_404(enrollment, lesson_slug: str) -> tuple[Lesson, list[Lesson]]:
    lessons = services.lessons_of(enrollment)
    lesson = next((ls for ls in lessons if ls.slug == lesson_slug), None)
    if lesson is None:
        abort(404)
    return lesson, lessons


def _reading_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lesson-opened")


def _seconds_needed(lesson: Lesson) -> int:
    return services.reading_seconds(lesson, int(current_app.config["LESSON_MIN_READ_CHARS_PER_MINUTE"] or 0))


def _seconds_open(lesson: Lesson) -> float | None:
    """How long ago this learner opened the lesson page, from the signed time in its form (None: unknown)."""
    try:
        opened, signed_at = _reading_serializer().loads(request.form.get("opened", ""), return_timestamp=True)
    except BadData:
        return None
    if opened != [current_user.id, lesson.id]:
        return None
    return (utcnow() - signed_at).total_seconds()


@bp.get("/<slug>/lessons/<lesson_slug>")
def lesson(slug: str, lesson_slug: str):
    """A lesson, or a case study in its own layout, with previous/next."""
    course, enrollment = _enrolled(slug)
    lesson, lessons = _lesson_or_404(enrollment, lesson_slug)
    index = lessons.index(lesson)
    return render_template(
        "learning/lesson.html", course=course, version=enrollment.course_version, lesson=lesson,
        lessons=lessons, index=index, done=services.done_slugs(enrollment),
        previous=lessons[index - 1] if index else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None, form=ConfirmForm(),
        opened=_reading_serializer().dumps([current_user.id, lesson.id]), seconds_needed=_seconds_needed(lesson),
    )


@bp.post("/<slug>/lessons/<lesson_slug>/done")
def lesson_done(slug: str, lesson_slug: str):
    """Mark the lesson done and go on to the next one (or to the exam after the last)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    course, enrollment = _enrolled(slug)
    lesson, lessons = _lesson_or_404(enrollment, lesson_slug)
    try:
        services.complete_lesson(enrollment, lesson, seconds_open=_seconds_open(lesson),
                                 seconds_needed=_seconds_needed(lesson))
    except services.LearningError as error:
        db.session.rollback()
        flash(_("This lesson takes at least %(needed)s to read. Please read on: you can mark it as read in "
                "%(wait)s.", needed=format_timedelta(error.params["needed"], threshold=1.0),
                wait=format_timedelta(error.params["wait"], threshold=1.0)), "warning")
        return redirect(url_for(".lesson", slug=slug, lesson_slug=lesson.slug))
    db.session.commit()
    return _after_lesson(slug, enrollment, lesson, lessons)


def _after_lesson(slug: str, enrollment, lesson, lessons: list):
    """On to the next lesson; after the last, to the exam if every lesson is done, else to the course page."""
    index = lessons.index(lesson)
    if index + 1 < len(lessons):
        return redirect(url_for(".lesson", slug=slug, lesson_slug=lessons[index + 1].slug))
    if services.all_lessons_done(enrollment):
        flash(_("All lessons done. You can now take the final exam."), "success")
        return redirect(url_for(".exam", slug=slug))
    flash(_("Some lessons are still open; they are marked on the course page."), "info")
    return redirect(url_for(".course", slug=slug))


@bp.get("/<slug>/exam")
def exam(slug: str):
    """Exam rules, attempts so far and the start button."""
    course, enrollment = _enrolled(slug)
    state = exams.exam_state(enrollment, grace=_grace())
    attempts = exams.attempts_of(enrollment)
    return render_template("learning/exam.html", course=course, version=enrollment.course_version,
                           state=state, attempts=attempts, form=ConfirmForm())


@bp.post("/<slug>/exam/start")
def exam_start(slug: str):
    """Open an attempt (or return to the open one)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    course, enrollment = _enrolled(slug)
    try:
        attempt = exams.start_attempt(enrollment, grace=_grace())
    except exams.ExamError as error:
        db.session.rollback()
        flash(EXAM_MESSAGES[error.code](), "warning")
        return redirect(url_for(".exam", slug=slug))
    db.session.commit()
    return redirect(url_for(".attempt", token=attempt.token))


def _attempt_or_404(token: str):
    attempt = exams.get_attempt(token, current_user.id)
    if attempt is None:
        abort(404)
    return attempt


def _responses(attempt) -> dict[int, list[str]]:
    """The answers posted for every question of the paper (a question left blank clears its answer)."""
    return {answer.position: request.form.getlist(f"q{answer.position}") for answer, _q in exams.attempt_items(attempt)}


@bp.get("/attempts/<token>")
def attempt(token: str):
    """The exam paper: drawn questions, shuffled options, the answers saved so far, no answer key."""
    attempt = _attempt_or_404(token)
    if attempt.status != AttemptStatus.OPEN:
        return redirect(url_for(".results", token=token))
    items = exams.attempt_items(attempt)
    if exams.is_overdue(attempt, grace=_grace()):
        return render_template("learning/time_up.html", attempt=attempt, course=attempt.enrollment.course,
                               answered=sum(1 for answer, _q in items if answer.response), total=len(items),
                               form=ConfirmForm())
    return render_template(
        "learning/attempt.html", attempt=attempt, items=items, course=attempt.enrollment.course,
        seconds_left=exams.seconds_left(attempt), form=ConfirmForm(),
    )


@bp.post("/attempts/<token>/save")
def save(token: str):
    """Keep the answers chosen so far (the Save button, or each change when JavaScript runs)."""
    attempt = _attempt_or_404(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        saved = exams.save_answers(attempt, _responses_to_save(attempt), grace=_grace())
    except exams.ExamError:
        db.session.rollback()
        return _closed(token)
    db.session.commit()
    if _wants_json():
        return jsonify(saved=saved, closed=False)
    flash(_("Your answers have been saved. You can continue later on this or another device, "
            "before the time limit."), "success")
    return redirect(url_for(".attempt", token=token))


def _responses_to_save(attempt) -> dict[int, list[str]]:
    """Every answer posted, or the one question named by ?only= (a change saved as it happens)."""
    single = request.form.get("only", type=int)
    responses = _responses(attempt)
    if single is not None:
        responses = {single: responses[single]} if single in responses else {}
    return responses


def _closed(token: str):
    """The reply to a save that came after the attempt closed."""
    if _wants_json():
        return jsonify(saved=0, closed=True), 409
    flash(_("This attempt is closed; your answers saved before the time limit are graded."), "warning")
    return redirect(url_for(".attempt", token=token))


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@bp.post("/attempts/<token>")
def submit(token: str):
    """Grade the attempt on the server; a second submit records nothing new."""
    attempt = _attempt_or_404(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    was_open = attempt.status == AttemptStatus.OPEN
    exams.submit_attempt(attempt, _responses(attempt), grace=_grace())
    db.session.commit()
    if was_open and attempt.status == AttemptStatus.EXPIRED:
        flash(_("The time limit had passed; the attempt was graded on the answers saved before it."), "warning")
    return redirect(url_for(".results", token=token))


@bp.get("/attempts/<token>/results")
def results(token: str):
    """Score, which questions were wrong and what to re-read; the right answers and explanations only
    when the exam's review policy allows it (never while retakes remain, by default)."""
    attempt = _attempt_or_404(token)
    if attempt.status == AttemptStatus.OPEN:
        return redirect(url_for(".attempt", token=token))
    items = exams.attempt_items(attempt)
    state = exams.exam_state(attempt.enrollment, grace=_grace())
    completion = services.completion_of(attempt.enrollment)
    return render_template(
        "learning/results.html", attempt=attempt, items=items,
        course=attempt.enrollment.course, completion=completion,
        missing_roleplays=[r for r, met in services.scenario_requirements(attempt.enrollment) if not met],
        state=state, review=state.review_allowed, topics=exams.topics_to_review(items),
        form=ConfirmForm(),
    )


@bp.get("/certificates/<code>")
def certificate(code: str):
    """The learner's own printable certificate."""
    completion = services.find_certificate(code)
    if completion is None or completion.user_id != current_user.id:
        abort(404)
    verify_url = public_url("certificates.verify", code=completion.certificate_code)
    return render_template("learning/certificate.html", completion=completion, verify_url=verify_url,
                           qr_svg=services.qr_svg(verify_url))
