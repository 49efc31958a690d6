"""Health check, security headers, error pages, languages, settings."""

from __future__ import annotations

from pathlib import Path

from app import create_app
from app.extensions import db
from tests.conftest import csrf_token, login


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "db": "ok"}


def test_healthz_reports_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/nope.db",
        "SECRET_KEY": "x", "TESTING": True,
    }, instance_path=str(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "error", "db": "error"}


def test_security_headers_and_cookie_flags(client, make_user):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN" and response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: the browser would ignore it
    assert all(len(response.headers.getlist(name)) == 1 for name in ("Content-Security-Policy", "X-Frame-Options"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    client.application.config["SESSION_COOKIE_SECURE"] = True
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_inline_script_in_pages(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    for path in ("/", "/login", "/learn", "/learn/tiny-course"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html


def test_secure_cookie_when_configured_for_https(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("HTTPS", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x", "TESTING": True},
                     instance_path=str(tmp_path))
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    key_file = Path(first.instance_path) / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    assert key_file.exists() and first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 32


def test_friendly_404_in_each_language(client):
    assert "页面不存在" in client.get("/nope").get_data(as_text=True)
    assert "頁面不存在" in client.get("/nope", headers={"Accept-Language": "zh-TW,zh;q=0.9"}).get_data(as_text=True)
    english = client.get("/nope", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert english.status_code == 404 and "Page not found" in english.get_data(as_text=True)


def test_unexpected_errors_show_a_friendly_500_without_traceback(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret internal detail")

    response = client.get("/boom-for-test")
    text = response.get_data(as_text=True)
    assert response.status_code == 500 and "出错了" in text
    assert "secret internal detail" not in text and "Traceback" not in text


def test_language_switch_sticks_for_anonymous_and_signed_in_users(client, make_user):
    token = csrf_token(client)
    client.post("/language", data={"locale": "en", "next": "/login", "csrf_token": token})
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "zh_Hant", "next": "/login", "csrf_token": token})
    assert "登錄" in client.get("/login").get_data(as_text=True)
    user = make_user("emp")
    login(client, "emp")
    client.post("/language", data={"locale": "en", "next": "/learn", "csrf_token": csrf_token(client, "/learn")})
    db.session.refresh(user)
    assert user.locale == "en"


def test_language_switch_ignores_offsite_redirects(client):
    token = csrf_token(client)
    response = client.post("/language", data={"locale": "en", "next": "//evil.example/x", "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_accept_language_picks_the_script():
    from app.core.i18n import locale_from_accept

    assert locale_from_accept([("zh-CN", 1)]) == "zh_Hans"
    assert locale_from_accept([("zh-HK", 1)]) == "zh_Hant"
    assert locale_from_accept([("zh-Hant-TW", 1)]) == "zh_Hant"
    assert locale_from_accept([("fr", 1), ("en-US", 0.5)]) == "en"
    assert locale_from_accept([("fr", 1)]) is None
