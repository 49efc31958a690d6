"""Fixtures for the public site: the bundled campaigns, moved so that they run today."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.time import local_now
from app.extensions import db
from app.public.models import Campaign, PublicAnswer, PublicPlay

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUESTION_RE = re.compile(r'name="question" value="(\d+)"')


def today():
    return local_now().date()


@pytest.fixture
def campaign(public_content):
    """The bundled anti-fraud campaign, scheduled to run from yesterday for a month."""
    item = db.session.scalar(select(Campaign).where(Campaign.slug == "antifraud-winter-2026"))
    item.starts_on, item.ends_on = today() - timedelta(days=1), today() + timedelta(days=30)
    db.session.commit()
    return item


def page_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no form on {url}"
    return match.group(1)


def start_play(client, campaign, track: str = "elderly", nickname: str = "", region: str = "", expect_ok=True):
    token = page_token(client, f"/c/{campaign.slug}")
    response = client.post(f"/c/{campaign.slug}/play",
                           data={"csrf_token": token, "track": track, "nickname": nickname, "region": region})
    if not expect_ok:
        return response
    assert response.status_code == 302 and "/p/" in response.headers["Location"], response.get_data(as_text=True)[:500]
    return response.headers["Location"].split("/")[2]


def question_form(client, play_token: str, position: int) -> tuple[str, str, str]:
    """(the answer form's csrf token, question id, page html) of an unanswered question page."""
    html = client.get(f"/p/{play_token}/{position}").get_data(as_text=True)
    form = html.split('class="answer-form"', 1)[-1]
    return CSRF_RE.search(form).group(1), QUESTION_RE.search(html).group(1), html


def answer(client, play_token: str, position: int, choice=("0",)):
    csrf, question_id, _ = question_form(client, play_token, position)
    return client.post(f"/p/{play_token}/{position}", data={"csrf_token": csrf, "question": question_id,
                                                           "choice": list(choice)})


def play_row(play_token: str) -> PublicPlay:
    return db.session.scalar(select(PublicPlay).where(PublicPlay.token == play_token))


def answer_rows(play_token: str) -> list[PublicAnswer]:
    play = play_row(play_token)
    return list(db.session.scalars(select(PublicAnswer).where(PublicAnswer.play_id == play.id)
                                   .order_by(PublicAnswer.position)))


def play_through(client, play_token: str, count: int = 10, choice=("0",)) -> None:
    for position in range(1, count + 1):
        response = answer(client, play_token, position, choice)
        assert response.status_code == 303
