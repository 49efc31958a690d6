"""The whole employee loop through the test client: course, lessons, exam, results, certificate."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus, Completion, LessonProgress
from tests.conftest import TINY_ANSWERS, csrf_token, login
from tests.learning.helpers import answers_for, finish_lessons, open_exam, start_course

SLUG = "tiny-course"
LESSONS = ["01-intro", "case-01"]


def _attempts() -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt))


def test_dashboard_lists_published_courses_as_not_started(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    page = client.get("/learn").get_data(as_text=True)
    assert "测试课程" in page and "未开始" in page


def test_full_loop_from_first_lesson_to_verified_certificate(client, make_user, tiny_content):
    make_user("emp", name="张三丰")
    login(client, "emp")
    response = start_course(client, SLUG)
    assert response.headers["Location"].endswith(f"/learn/{SLUG}/lessons/01-intro")
    lesson = client.get(f"/learn/{SLUG}/lessons/01-intro").get_data(as_text=True)
    assert "<script>alert" not in lesson and "<table>" in lesson and "要点一" in lesson
    case = client.get(f"/learn/{SLUG}/lessons/case-01").get_data(as_text=True)
    assert 'class="case-section case-analysis"' in case and "案例分析" in case

    finish_lessons(client, SLUG, LESSONS)
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 2
    url, exam_page = open_exam(client, SLUG)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **answers_for(exam_page, TINY_ANSWERS)})
    results = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "100%" in results and "SECRET-EXPLANATION-2" in results

    completion = db.session.scalar(select(Completion))
    assert completion.percent == 100.0
    certificate = client.get(f"/learn/certificates/{completion.certificate_code}").get_data(as_text=True)
    assert "张三丰" in certificate and completion.certificate_code in certificate and "<svg" in certificate

    client.post("/logout", data={"csrf_token": csrf_token(client, "/learn")})
    public = client.get(f"/verify/{completion.certificate_code}")
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and "张*丰" in text and "张三丰" not in text and "测试课程" in text
    assert client.get("/verify/XB-0000-0000-0000").status_code == 404
    lookup = client.get(f"/verify?code={completion.certificate_code.lower()}")
    assert lookup.headers["Location"].endswith(f"/verify/{completion.certificate_code}")


def test_no_answer_key_before_submission(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    start_course(client, SLUG)
    finish_lessons(client, SLUG, LESSONS)
    url, page = open_exam(client, SLUG)
    for secret in ("SECRET-EXPLANATION", "测试规则", '"answer"', "correct"):
        assert secret not in page
    assert "选项乙" in page  # the options themselves are there
    values = set(re.findall(r'name="q\d+" value="([^"]+)"', page))
    assert values == {"A", "B", "C", "D", "true", "false"}  # every option offered, none singled out


def test_exam_is_closed_until_every_lesson_is_done(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    start_course(client, SLUG)
    finish_lessons(client, SLUG, LESSONS[:1])
    token = csrf_token(client, f"/learn/{SLUG}/exam")
    response = client.post(f"/learn/{SLUG}/exam/start", data={"csrf_token": token}, follow_redirects=True)
    assert "请先学完全部课程，再参加考试。" in response.get_data(as_text=True)
    assert _attempts() == 0


def test_double_submit_records_one_attempt(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    start_course(client, SLUG)
    finish_lessons(client, SLUG, LESSONS)
    url, page = open_exam(client, SLUG)
    data = {"csrf_token": csrf_token(client, url), **answers_for(page, TINY_ANSWERS)}
    first = client.post(url, data=data)
    wrong = {k: ["A"] if v != ["A"] else ["C"] for k, v in answers_for(page, TINY_ANSWERS).items()}
    second = client.post(url, data={"csrf_token": data["csrf_token"], **wrong})
    assert first.headers["Location"] == second.headers["Location"]
    assert _attempts() == 1
    attempt = db.session.scalar(select(Attempt))
    assert attempt.percent == 100.0 and attempt.status == AttemptStatus.SUBMITTED


def test_partial_multiple_choice_and_failing_then_attempt_limit(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    start_course(client, SLUG)
    finish_lessons(client, SLUG, LESSONS)
    for _ in range(2):  # max_attempts: 2
        url, page = open_exam(client, SLUG)
        answers = answers_for(page, {"单选题干": ["A"], "多选题干": ["A", "C"], "判断题干": ["false"]})
        client.post(url, data={"csrf_token": csrf_token(client, url), **answers})
    attempts = list(db.session.scalars(select(Attempt)))
    assert [a.percent for a in attempts] == [55.56, 55.56]  # (0 + 2/3 + 1) / 3
    assert not any(a.passed for a in attempts)
    token = csrf_token(client, f"/learn/{SLUG}/exam")
    page = client.post(f"/learn/{SLUG}/exam/start", data={"csrf_token": token}, follow_redirects=True)
    assert "您的作答次数已用完，请联系培训管理员。" in page.get_data(as_text=True)
    assert _attempts() == 2
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 0


def test_time_limit_is_enforced_on_the_server(app, client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    start_course(client, SLUG)
    finish_lessons(client, SLUG, LESSONS)
    url, page = open_exam(client, SLUG)
    attempt = db.session.scalar(select(Attempt))
    attempt.deadline_at = utcnow() - timedelta(seconds=app.config["EXAM_GRACE_SECONDS"] + 5)
    db.session.commit()
    client.post(url, data={"csrf_token": csrf_token(client, "/learn"), **answers_for(page, TINY_ANSWERS)})
    db.session.refresh(attempt)
    assert attempt.status == AttemptStatus.EXPIRED and not attempt.passed and attempt.percent == 0
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 0


def test_another_learners_attempt_and_certificate_are_not_found(client, app, make_user, tiny_content):
    make_user("alice")
    make_user("bob")
    login(client, "alice")
    start_course(client, SLUG)
    finish_lessons(client, SLUG, LESSONS)
    url, page = open_exam(client, SLUG)
    client.post(url, data={"csrf_token": csrf_token(client, url), **answers_for(page, TINY_ANSWERS)})
    code = db.session.scalar(select(Completion.certificate_code))
    other = app.test_client()
    login(other, "bob")
    assert other.get(url).status_code == 404
    assert other.get(url + "/results").status_code == 404
    assert other.post(url, data={"csrf_token": csrf_token(other, "/learn")}).status_code == 404
    assert other.get(f"/learn/certificates/{code}").status_code == 404


def test_state_changes_need_post_with_csrf(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    assert client.get(f"/learn/{SLUG}/start").status_code == 405
    assert client.post(f"/learn/{SLUG}/start").status_code == 400
    assert client.post(f"/learn/{SLUG}/lessons/01-intro/done").status_code == 400


def test_lessons_need_enrolment_and_unknown_pages_are_404(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    response = client.get(f"/learn/{SLUG}/lessons/01-intro")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/learn/{SLUG}")
    assert client.get("/learn/no-such-course").status_code == 404
    start_course(client, SLUG)
    assert client.get(f"/learn/{SLUG}/lessons/no-such-lesson").status_code == 404
