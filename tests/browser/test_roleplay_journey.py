"""An employee plays a bundled role-play in a real browser, reloads mid-way, resumes, and reads the debrief."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.content.models import Scenario
from app.extensions import db
from app.quizzes.models import ScenarioRun
from tests.conftest import PASSWORD

SCENARIO = "safe-account-transfer"


def test_play_reload_resume_and_debrief(page, live_server, bundled_content, make_user):
    make_user("teller02", name="陈静")
    version = db.session.scalar(select(Scenario).where(Scenario.slug == SCENARIO)).current_version
    best_path = version.best_path
    assert len(best_path) >= 3

    page.goto(f"{live_server}/login")
    page.fill('input[name="username"]', "teller02")
    page.fill('input[name="password"]', PASSWORD)
    page.click('main form button[type="submit"]')
    page.wait_for_url(f"{live_server}/learn")
    page.click('nav.mainnav a[href="/learn/scenarios"]')
    page.click(f'a[href="/learn/scenarios/{SCENARIO}"] >> nth=0')
    page.click(f'form[action="/learn/scenarios/{SCENARIO}/start"] button')

    for step, index in enumerate(best_path):
        if step == 2:
            before = page.locator("#now").get_attribute("data-node")
            page.reload()
            assert page.locator("#now").get_attribute("data-node") == before  # resumed at the same node
            assert page.locator(".feedback").count() == 2  # earlier feedback is still shown
        node = version.data["nodes"][page.locator("#now").get_attribute("data-node")]
        wanted = node["choices"][index]["text"]["zh_Hans"]  # replies are shown in an order of the run's own
        with page.expect_navigation():
            page.locator("form.reply button", has_text=wanted).click()

    page.wait_for_url(re.compile(r".*/debrief(#.*)?$"))  # the #now anchor survives the redirect
    assert page.locator("svg.chart rect.chart-bar").count() >= 3
    assert "100%" in page.locator(".score").inner_text()
    run = db.session.scalar(select(ScenarioRun))
    assert run.passed and run.steps == len(best_path)
