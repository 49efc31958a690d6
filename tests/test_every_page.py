"""Every GET route of the app, as every role and anonymously, over a demo bank with activity: no 5xx.

Routes come from app.url_map, so a new page is crawled without anyone remembering to add it; each
URL parameter is filled with real ids of the demo data (and with a few that do not exist)."""

from __future__ import annotations

import re

import pytest
from flask import current_app, url_for
from sqlalchemy import select

from app.api.services import create_token
from app.auth.models import User
from app.content.models import Course, PublicModule, Scenario
from app.extensions import db
from app.learning.models import Attempt, Completion
from app.org.models import OrgUnit
from app.public import attribution
from app.public.models import Campaign, PublicPlay
from app.quizzes.models import ScenarioRun
from tests.conftest import PASSWORD, csrf_token, login
from tests.learning.helpers import answers_for, finish_lessons, open_exam, start_course

ROLES = ("anonymous", "E100004", "hr_head", "hr_beijing", "content", "admin")
SKIPPED = {"static"}  # files, not pages


def _demo_bank(app, runner):
    """The demo bank with its year of activity, made by `flask demo seed` itself; known passwords."""
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    hasher = app.extensions["passwords"]
    for user in db.session.scalars(select(User).where(User.username.in_(ROLES[1:]))):
        user.password_hash = hasher.hash(PASSWORD)
    hr = db.session.scalar(select(User).where(User.username == "hr_head"))
    token = create_token(hr, "crawler")[1]
    db.session.commit()
    return token


def _learner_activity(app):
    client = app.test_client()
    login(client, "E100004")
    course = db.session.scalar(select(Course).where(Course.slug == "complaint-handling"))
    start_course(client, course.slug)
    finish_lessons(client, course.slug, [lesson.slug for lesson in course.current_version.lessons])
    url, page = open_exam(client, course.slug)
    answers = {q.stem["zh_Hans"]: list(q.answer) for q in course.current_version.exam.questions}
    client.post(url, data={"csrf_token": csrf_token(client, url), **answers_for(page, answers)})
    start = client.post("/learn/scenarios/complaint-first-contact/start",
                        data={"csrf_token": csrf_token(client, "/learn/scenarios/complaint-first-contact")})
    run_url = start.headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    key = re.search(r'name="reply" value="([^"]+)"', page).group(1)
    client.post(run_url, data={"csrf_token": csrf_token(client, run_url), "node": re.search(
        r'name="node" value="([^"]+)"', page).group(1), "step": 0, "reply": key})


def _values() -> dict[str, list]:
    """Real values (and a missing one) for every URL parameter name, by endpoint."""
    first = db.session.scalar
    course = first(select(Course).where(Course.slug == "complaint-handling"))
    campaign = first(select(Campaign).order_by(Campaign.id))
    play = first(select(PublicPlay).where(PublicPlay.finished_at.is_not(None)).order_by(PublicPlay.id))
    employee = first(select(User).where(User.username == "E100004"))
    unit = first(select(OrgUnit).where(OrgUnit.code == "XB1100"))
    attempt = first(select(Attempt).where(Attempt.user_id == employee.id).order_by(Attempt.id))
    run = first(select(ScenarioRun).where(ScenarioRun.user_id == employee.id).order_by(ScenarioRun.id))
    completion = first(select(Completion).order_by(Completion.id))
    secret = current_app.secret_key
    return {
        "learning.course": [{"slug": course.slug}, {"slug": "no-such-course"}],
        "learning.exam": [{"slug": course.slug}, {"slug": "consumer-rights"}],
        "learning.lesson": [{"slug": course.slug, "lesson_slug": course.current_version.lessons[0].slug},
                            {"slug": course.slug, "lesson_slug": "nope"}],
        "learning.attempt": [{"token": attempt.token if attempt else "0" * 32}, {"token": "x"}],
        "learning.results": [{"token": attempt.token if attempt else "0" * 32}],
        "learning.certificate": [{"code": completion.certificate_code if completion else "XB-0000"}, {"code": "nope"}],
        "scenarios.intro": [{"slug": "complaint-first-contact"}, {"slug": "nope"}],
        "scenarios.play": [{"token": run.token if run else "0" * 32}],
        "scenarios.debrief": [{"token": run.token if run else "0" * 32}],
        "admin.scenario": [{"slug": first(select(Scenario.slug))}, {"slug": "nope"}],
        "admin.account": [{"user_id": employee.id}, {"user_id": 10**9}],
        "banks.bank": [{"slug": "complaint-handling"}, {"slug": "public/antifraud"}, {"slug": "nope"}],
        "banks.preview": [{"token": "0" * 32}, {"token": "x"}],
        "campaign_admin.show": [{"campaign_id": campaign.id}, {"campaign_id": 10**9}],
        "campaign_admin.edit": [{"campaign_id": campaign.id}],
        "campaign_admin.links": [{"campaign_id": campaign.id}],
        "api.org_summary": [{"code": "XB0000"}, {"code": "XB1100", "period": "2026"}, {"code": "nope"}],
        "api.completions": [{}, {"period": "once", "limit": "5"}],
        "public.campaign": [{"slug": campaign.slug}, {"slug": "nope"}],
        "public.branch_entry": [{"slug": campaign.slug, "code": attribution.sign(secret, campaign.slug, unit.code)},
                                {"slug": campaign.slug, "code": "bad"}],
        "public.leaderboard": [{"slug": campaign.slug}, {"slug": campaign.slug, "board": "all"}],
        "public.lobby_poster": [{"slug": campaign.slug}, {"slug": campaign.slug, "b": "forged"}],
        "public.module": [{"slug": first(select(PublicModule.slug))}, {"slug": "nope"}],
        "public.question": [{"token": play.token, "position": 1}, {"token": play.token, "position": 99}],
        "public.poster_png": [{"token": play.token}],
        "public.result": [{"token": play.token}, {"token": "nope"}],
        "public.share": [{"token": play.token}],
        "reports.overview": [{}, {"unit": "XB1100"}, {"unit": "XB0001"}, {"period": "once"}, {"unit": "XB1101"},
                             {"period": "2026H1"}, {"period": "now", "unit": "XB1101"}],
        "reports.overdue": [{}, {"unit": "XB0001"}, {"period": "once"}, {"unit": "XB1100", "period": "once"},
                            {"period": "2026H1"}],
        "reports.employee": [{"employee_no": employee.employee_no}, {"employee_no": "nope"}],
        "reports.exports": [{}, {"period": "once"}, {"period": "2026H1"}],
        "roster.template": [{"ext": "xlsx"}, {"ext": "csv"}, {"ext": "exe"}],
        "roster.preview": [{"token": "0" * 32}, {"token": "x", "section": "nope", "page": "-3"}],
        "roster.progress": [{"token": "0" * 32}, {"token": "x"}],
        "certificates.verify": [{"code": completion.certificate_code if completion else "XB-0000"}, {"code": "XB-NOPE"}],
        "certificates.verify_lookup": [{}, {"code": "xb-0000-0000-0000"}, {"code": "<script>"}],
    }


def test_no_page_answers_5xx_for_any_role(app, runner, bundled_content):
    app.config["RATELIMIT_ENABLED"] = False
    token = _demo_bank(app, runner)
    _learner_activity(app)
    with app.test_request_context():
        values = _values()
        urls = []
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in SKIPPED:
                continue
            if rule.arguments and rule.endpoint not in values:
                pytest.fail(f"no values for {rule.endpoint} {rule.rule}: add them to _values()")
            for kwargs in values.get(rule.endpoint, [{}]):
                urls.append(url_for(rule.endpoint, **kwargs))
    failures = []
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            assert login(client, role).status_code == 302, role
        for url in urls:
            headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") and role == "hr_head" else {}
            status = client.get(url, headers=headers).status_code
            if status >= 500:
                failures.append((role, url, status))
    assert failures == []
    assert len(urls) > 80
