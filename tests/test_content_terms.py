"""Content written only in Simplified Chinese still reads right in Traditional Chinese and English."""

from __future__ import annotations

from tests.conftest import csrf_token, login


def _in(client, locale: str, path: str) -> str:
    client.post("/language", data={"locale": locale, "next": path, "csrf_token": csrf_token(client, path)})
    return client.get(path).get_data(as_text=True)


def test_competencies_audience_and_the_role_play_button_in_every_language(client, make_user, bundled_content):
    make_user("emp")
    login(client, "emp")
    hant = _in(client, "zh_Hant", "/learn/scenarios")
    assert "傾聽與共情" in hant and "倾听与共情" not in hant
    assert ">開始<" in hant and "作答中" not in hant
    client.post("/learn/scenarios/safe-account-transfer/start",
                data={"csrf_token": csrf_token(client, "/learn/scenarios/safe-account-transfer")})
    assert ">繼續<" in client.get("/learn/scenarios").get_data(as_text=True)
    course = client.get("/learn/complaint-handling").get_data(as_text=True)
    assert "櫃員" in course and "柜员" not in course  # the course's audience, converted
    english = _in(client, "en", "/learn/scenarios")
    assert "Listening and empathy" in english and ">Continue<" in english
