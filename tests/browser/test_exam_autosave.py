"""Exam answers are kept as they are chosen: a reload shows them, and the deadline grades them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus
from tests.browser.test_learner_journey import COURSE, _answer, _answer_key
from tests.conftest import PASSWORD, csrf_token, login
from tests.learning.helpers import finish_lessons, start_course


def test_five_answers_survive_a_reload_and_the_deadline_grades_them(app, page, live_server, bundled_content,
                                                                     make_user):
    make_user("teller03", name="周敏")
    client = app.test_client()  # the lessons are not what this test is about: done through the pages quickly
    login(client, "teller03")
    start_course(client, COURSE)
    course_page = client.get(f"/learn/{COURSE}").get_data(as_text=True)
    lessons = sorted(set(__import__("re").findall(rf'/learn/{COURSE}/lessons/([a-z0-9-]+)', course_page)))
    finish_lessons(client, COURSE, lessons)
    assert csrf_token(client, f"/learn/{COURSE}/exam")

    page.goto(f"{live_server}/login")
    page.fill('input[name="username"]', "teller03")
    page.fill('input[name="password"]', PASSWORD)
    page.click('main form button[type="submit"]')
    page.goto(f"{live_server}/learn/{COURSE}/exam")
    page.click(f'form[action="/learn/{COURSE}/exam/start"] button')
    page.wait_for_url(f"{live_server}/learn/attempts/*")
    key = _answer_key()
    fieldsets = page.locator("fieldset.question")
    assert fieldsets.count() == 10
    chosen = {}
    for index in range(5):  # answer 5 of 10, each saved by the page as it is chosen
        fieldset = fieldsets.nth(index)
        _answer(page, fieldset, key)
        # the page saves one change at a time per question and says "saved" once the latest is stored
        page.wait_for_function(
            "(i) => document.querySelectorAll('fieldset.question .save-state')[i].dataset.state === 'saved'", arg=index)
        chosen[index] = sorted(fieldset.locator("input:checked").evaluate_all("els => els.map(e => e.value)"))

    page.reload()
    for index, values in chosen.items():
        assert sorted(fieldsets.nth(index).locator("input:checked").evaluate_all(
            "els => els.map(e => e.value)")) == values
    assert page.locator("fieldset.question input:checked").count() == sum(len(v) for v in chosen.values())

    attempt = db.session.scalar(select(Attempt))
    attempt.deadline_at = utcnow() + timedelta(seconds=4)  # the time limit runs out in a few seconds
    db.session.commit()
    page.reload()
    page.wait_for_url(f"{live_server}/learn/attempts/*/results", timeout=20000)  # the page hands the paper in
    db.session.expire_all()
    graded = db.session.get(Attempt, attempt.id)
    assert graded.status in (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)
    assert graded.score == 5.0 and graded.max_score == 10
