"""Certificates and A4 lobby posters print on one A4 page in every language (Chromium's own PDF)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.learning.models import Completion
from tests.conftest import PASSWORD

LANGUAGES = ("zh_Hans", "zh_Hant", "en")


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def _print(page, live_server, path: str, locale: str) -> int:
    page.goto(f"{live_server}/verify")  # any page with the language buttons
    with page.expect_navigation():
        page.click(f'form.langswitch button[value="{locale}"]')
    page.goto(f"{live_server}{path}")
    assert page.locator("html").get_attribute("lang") == locale.replace("_", "-")
    page.emulate_media(media="print")
    return _pages(page.pdf(format="A4", prefer_css_page_size=True, print_background=True))


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_lobby_poster_prints_on_one_page(page, live_server, public_content, locale):
    from app.public.models import Campaign

    slug = db.session.scalar(select(Campaign.slug).order_by(Campaign.id))
    assert _print(page, live_server, f"/c/{slug}/poster", locale) == 1
    fits = page.evaluate("() => { const a4 = document.querySelector('.a4'); return a4.scrollHeight <= a4.clientHeight + 1; }")
    assert fits  # nothing of the poster is cut off to make it fit
    page.screenshot(path=f"/tmp/poster-{locale}.png", full_page=True)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_a_certificate_prints_on_one_page(app, page, live_server, tiny_content, make_user, locale):
    from tests.conftest import TINY_ANSWERS, csrf_token, login
    from tests.learning.helpers import answers_for, finish_lessons, open_exam, start_course

    make_user("emp", name="欧阳晓丽")
    client = app.test_client()
    login(client, "emp")
    start_course(client, "tiny-course")
    finish_lessons(client, "tiny-course", ["01-intro", "case-01"])
    url, html = open_exam(client, "tiny-course")
    client.post(url, data={"csrf_token": csrf_token(client, url), **answers_for(html, TINY_ANSWERS)})
    code = db.session.scalar(select(Completion.certificate_code))
    page.goto(f"{live_server}/login")
    page.fill('input[name="username"]', "emp")
    page.fill('input[name="password"]', PASSWORD)
    page.click('main form button[type="submit"]')
    page.wait_for_load_state()
    assert _print(page, live_server, f"/learn/certificates/{code}", locale) == 1
