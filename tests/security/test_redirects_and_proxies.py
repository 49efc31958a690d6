"""Every `next` lands on this site; client addresses behind proxies; oversized uploads."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app import create_app
from app.auth.models import Role
from app.core.redirects import local_path
from app.extensions import db
from tests.conftest import IsolatedClient, _test_config, csrf_token, login

BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example",
    "\\/evil.example", "/\t/evil.example", "/%09/evil.example", "/%2F/evil.example", "%2F%2Fevil.example",
    "/%5Cevil.example", "/%255Cevil.example", "https:evil.example", "https://evil.example", "http:/evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "/\r\n/evil.example",
    "/%0d%0a/evil.example", " //evil.example", "/\u3000/evil.example", "/\u200b/evil.example", "evil.example",
    "//evil.example/%2e%2e", "/%2f%2fevil.example", "\\/\\/evil.example", "/.\\evil.example", "%252F%252Fevil.example",
]


@pytest.mark.parametrize("payload", BYPASSES)
def test_the_helper_refuses_every_known_bypass(payload):
    assert local_path(payload) is None


@pytest.mark.parametrize("good", ["/learn", "/learn/consumer-rights?tab=2#exam", "/hr/overdue?period=2026",
                                  "/c/%E6%B4%BB%E5%8A%A8"])
def test_local_paths_pass(good):
    assert local_path(good) == good


def _lands_locally(response) -> bool:
    location = response.headers["Location"]
    parts = urlsplit(location)
    return response.status_code in (302, 303) and parts.netloc in ("", "localhost") and location.startswith("/") \
        and not location.startswith("//") and "\\" not in location


@pytest.mark.parametrize("payload", BYPASSES)
def test_sign_in_language_and_elder_mode_stay_on_the_site(client, make_user, payload):
    make_user("wang")
    token = csrf_token(client)
    response = client.post("/language", data={"locale": "en", "next": payload, "csrf_token": token})
    assert _lands_locally(response), response.headers["Location"]
    response = client.post("/elder", data={"next": payload, "csrf_token": token})
    assert _lands_locally(response), response.headers["Location"]
    response = client.post(f"/login?next={payload}", data={"username": "wang", "password": "Correct-horse-42",
                                                          "next": payload, "csrf_token": token})
    assert _lands_locally(response), response.headers["Location"]


def _app(database_url, tmp_path, **config):
    app = create_app({**_test_config(database_url), "LOGIN_RATE_LIMIT": "3 per minute", **config},
                     instance_path=str(tmp_path / "proxy-instance"))
    app.test_client_class = IsolatedClient
    return app


def _post_logins(app, addresses):
    codes = []
    with app.app_context():
        client = app.test_client()
        for address in addresses:
            token = csrf_token(client)
            codes.append(client.post("/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": token},
                                     headers={"X-Forwarded-For": address}).status_code)
        db.session.remove()
        db.engine.dispose()  # this app's own pool: close its connections now, not at garbage collection
    return codes


def test_without_trusted_proxies_a_forged_forwarded_header_does_not_escape_the_limit(app, database_url, tmp_path):
    codes = _post_logins(_app(database_url, tmp_path), [f"203.0.113.{n}" for n in range(5)])
    assert codes.count(429) == 2  # one client (the proxy's address): 3 let through, then limited


def test_behind_one_trusted_proxy_each_client_has_its_own_limit(app, database_url, tmp_path):
    codes = _post_logins(_app(database_url, tmp_path, TRUSTED_PROXIES=1), [f"203.0.113.{n}" for n in range(5)])
    assert 429 not in codes
    codes = _post_logins(_app(database_url, tmp_path, TRUSTED_PROXIES=1), ["198.51.100.7"] * 5)
    assert codes.count(429) == 2


def test_an_upload_over_the_limit_gets_a_friendly_413(app, client, make_user):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr")
    token = csrf_token(client, "/hr/roster")
    boundary = "xiaobao-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode() + b"x" * (2 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/hr/roster", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "1 MB" in response.get_data(as_text=True)
