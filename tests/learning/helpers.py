"""Driving the learner loop through the real pages."""

from __future__ import annotations

import re

from tests.conftest import csrf_token

QUESTION_RE = re.compile(r'<fieldset class="question" id="q(\d+)"[^>]*>(.*?)</fieldset>', re.S)


def start_course(client, slug: str):
    token = csrf_token(client, f"/learn/{slug}")
    return client.post(f"/learn/{slug}/start", data={"csrf_token": token})


def finish_lessons(client, slug: str, lesson_slugs: list[str]):
    token = csrf_token(client, f"/learn/{slug}")
    for lesson in lesson_slugs:
        assert client.get(f"/learn/{slug}/lessons/{lesson}").status_code == 200
        response = client.post(f"/learn/{slug}/lessons/{lesson}/done", data={"csrf_token": token})
        assert response.status_code == 302
    return response


def open_exam(client, slug: str) -> tuple[str, str]:
    """Start an attempt; return (attempt url, the exam page html)."""
    token = csrf_token(client, f"/learn/{slug}/exam")
    response = client.post(f"/learn/{slug}/exam/start", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def answers_for(html: str, key_by_stem: dict[str, list[str]]) -> dict[str, list[str]]:
    """Form values answering each drawn question with the key for its stem (looked up by stem)."""
    data = {}
    for position, block in QUESTION_RE.findall(html):
        stem = next(s for s in key_by_stem if s in block)
        data[f"q{position}"] = key_by_stem[stem]
    return data
