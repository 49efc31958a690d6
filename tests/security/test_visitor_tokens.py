"""Forms shown to visitors who are not signed in carry a token of their visitor cookie, not of a session."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.public.models import PublicPlay
from tests.conftest import csrf_token, login
from tests.public.conftest import answer, page_token, start_play

OTHER_PLAYER = "another-visitor-cookie-of-thirty-chars"


def _plays() -> int:
    return db.session.scalar(select(func.count(PublicPlay.id)))


def test_a_public_visitor_plays_chooses_a_language_and_elder_mode_without_a_session(client, campaign):
    play = start_play(client, campaign)
    for position in range(1, 11):
        assert answer(client, play, position).status_code == 303
    assert client.get(f"/p/{play}/result").status_code == 200
    token = page_token(client, f"/p/{play}/result")
    assert client.post("/elder", data={"csrf_token": token, "next": f"/p/{play}/result"}).status_code == 302
    assert client.post("/language", data={"csrf_token": token, "locale": "en",
                                          "next": f"/c/{campaign.slug}"}).status_code == 302
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert 'lang="en"' in page and client.get_cookie("xb_elder") is not None
    assert client.get_cookie("session") is None  # nothing anywhere needed one


def test_a_visitor_token_works_only_with_the_cookie_it_was_made_from(app, client, campaign):
    token = page_token(client, f"/c/{campaign.slug}")
    other = app.test_client()
    other.set_cookie("xb_player", OTHER_PLAYER)
    refused = other.post(f"/c/{campaign.slug}/play", data={"csrf_token": token, "track": "elderly"})
    assert refused.status_code == 400 and "表单已过期" in refused.get_data(as_text=True)
    cookieless = app.test_client()
    assert cookieless.post(f"/c/{campaign.slug}/play", data={"csrf_token": token, "track": "elderly"}).status_code == 400
    forged = "v1." + token[3:][::-1]
    assert client.post(f"/c/{campaign.slug}/play", data={"csrf_token": forged, "track": "elderly"}).status_code == 400
    assert _plays() == 0
    assert client.post(f"/c/{campaign.slug}/play", data={"csrf_token": token, "track": "elderly"}).status_code == 302
    assert _plays() == 1


def test_over_https_a_visitor_token_also_needs_a_referrer_from_the_site(client, campaign):
    base = "https://localhost"
    token = page_token(client, f"{base}/c/{campaign.slug}")
    data = {"csrf_token": token, "track": "elderly"}
    assert client.post(f"{base}/c/{campaign.slug}/play", data=data).status_code == 400
    assert client.post(f"{base}/c/{campaign.slug}/play", data=data,
                       headers={"Referer": "https://evil.example/x"}).status_code == 400
    assert _plays() == 0
    assert client.post(f"{base}/c/{campaign.slug}/play", data=data,
                       headers={"Referer": f"{base}/c/{campaign.slug}"}).status_code == 302


def test_the_language_chosen_before_sign_in_stays_after_sign_in_and_sign_out(client, make_user):
    make_user("emp")
    client.post("/language", data={"locale": "zh_Hant", "next": "/login", "csrf_token": csrf_token(client)})
    login(client, "emp")
    assert "退出登錄" in client.get("/learn").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/learn")})
    assert client.get("/learn").status_code == 302  # signed out
    assert 'lang="zh-Hant"' in client.get("/login").get_data(as_text=True)
