"""A visitor with no account plays a campaign quiz on a 360 px phone screen."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.time import local_now
from app.extensions import db
from app.public.models import Campaign, PublicPlay


@pytest.fixture
def running_campaign(public_content):
    item = db.session.scalar(select(Campaign).where(Campaign.slug == "antifraud-winter-2026"))
    today = local_now().date()
    item.starts_on, item.ends_on = today - timedelta(days=1), today + timedelta(days=30)
    db.session.commit()
    return item


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_visitor_plays_a_campaign_quiz_on_a_phone(phone, live_server, running_campaign):
    page = phone
    page.goto(f"{live_server}/")
    page.click(f'a[href="/c/{running_campaign.slug}"] >> nth=0')
    assert "无需注册" in page.inner_text(".privacy")
    assert _fits_the_screen(page)
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['SCREENSHOTS']}/campaign.png", full_page=True)
    page.check('input[name="track"][value="student"]')
    page.fill('input[name="nickname"]', "小林同学")
    page.select_option('select[name="region"]', "浙江")
    page.click("form.start-form button[type=submit]")

    for position in range(1, 11):
        page.wait_for_url(re.compile(rf".*/p/[^/]+/{position}$"))
        assert page.locator(".explanation").count() == 0  # nothing explained before answering
        assert _fits_the_screen(page)
        page.locator("form.answer-form label.option").first.click()
        page.click("form.answer-form button[type=submit]")
        page.wait_for_selector(".verdict")
        assert page.locator(".explanation").inner_text().strip()  # instant explanation
        assert page.locator(".answer-review li.is-key").count() >= 1
        if position == 1 and os.environ.get("SCREENSHOTS"):
            page.screenshot(path=f"{os.environ['SCREENSHOTS']}/feedback.png", full_page=True)
        page.click("a.btn-primary")

    page.wait_for_url(re.compile(r".*/result$"))
    score = int(page.inner_text(".big-score").strip().rstrip("分"))
    play = db.session.scalar(select(PublicPlay))
    db.session.refresh(play)
    assert play.finished_at is not None and round(play.percent) == score
    assert _fits_the_screen(page)
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['SCREENSHOTS']}/result.png", full_page=True)

    page.click("text=生成我的海报")
    page.wait_for_url(re.compile(r".*/share$"))
    page.wait_for_function("document.querySelector('img.poster').complete")
    assert page.evaluate("document.querySelector('img.poster').naturalWidth") == 750

    page.goto(f"{live_server}/c/{running_campaign.slug}/leaderboard")
    board = page.inner_text("table.board")
    assert "小**学" in board and "小林同学" not in board

    shots = os.environ.get("SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/board.png", full_page=True)
    page.click("form.elder-top button")
    page.wait_for_load_state()
    page.reload()
    assert "elder" in page.get_attribute("body", "class")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    page.goto(f"{live_server}/c/{running_campaign.slug}")
    assert "elder" in page.get_attribute("body", "class")
    assert not page.locator(".field.secondary").first.is_visible()  # one action per screen
    assert _fits_the_screen(page)


def _start(page, live_server, campaign) -> None:
    page.goto(f"{live_server}/c/{campaign.slug}")
    page.check('input[name="track"][value="elderly"]')
    page.click("form.start-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/p/[^/]+/1$"))


def test_with_javascript_an_answer_is_one_request_answered_in_place(phone, live_server, running_campaign):
    page = phone
    _start(page, live_server, running_campaign)
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url)) if "/p/" in request.url else None)
    page.locator("form.answer-form label.option").first.click()
    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector(".verdict")
    assert [method for method, _url in sent] == ["POST"]  # no redirect, no page load
    assert page.url.endswith("/1") and page.locator(".explanation").inner_text().strip()
    assert page.evaluate("document.querySelector('.progress-line progress').value") == 1
    assert _fits_the_screen(page)
    page.reload()  # the page shows the same answered state
    assert page.locator(".verdict").count() == 1 and page.locator("form.answer-form").count() == 0


def test_with_javascript_the_next_question_comes_in_place_and_the_address_follows(phone, live_server,
                                                                                 running_campaign):
    page = phone
    _start(page, live_server, running_campaign)
    first_stem = page.inner_text(".stem")
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.resource_type))
            if "/p/" in request.url else None)
    page.locator("form.answer-form label.option").first.click()
    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector(".verdict")
    page.click("a[data-next-question]")
    page.wait_for_url(re.compile(r".*/p/[^/]+/2$"))
    page.wait_for_selector("form.answer-form")
    assert sent == [("POST", "fetch"), ("GET", "fetch")]  # no page load at all
    assert page.inner_text(".stem") != first_stem and "第2题" in page.title()
    assert page.evaluate("document.querySelector('.progress-line progress').value") == 1
    # the question loaded in place answers in place too, and going back shows the first one answered
    page.locator("form.answer-form label.option").first.click()
    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector(".verdict")
    assert sent[-1] == ("POST", "fetch")
    page.go_back()
    page.wait_for_url(re.compile(r".*/p/[^/]+/1$"))
    page.wait_for_selector(".verdict")
    assert page.inner_text(".stem") == first_stem


def test_without_javascript_a_whole_quiz_still_plays(browser, live_server, running_campaign):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15000)
    _start(page, live_server, running_campaign)
    for position in range(1, 11):
        page.wait_for_url(re.compile(rf".*/p/[^/]+/{position}$"))
        page.locator("form.answer-form label.option").first.click()
        page.click("form.answer-form button[type=submit]")
        page.wait_for_selector(".verdict")
        assert page.locator(".explanation").inner_text().strip()
        page.click("a.btn-primary")
    page.wait_for_url(re.compile(r".*/result$"))
    assert page.inner_text(".big-score").strip()
    context.close()
