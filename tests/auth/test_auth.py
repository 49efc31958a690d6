"""Signing in, rate limit, and who may open which area — tested from the outside."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, login


def test_login_with_the_right_password_opens_the_dashboard(client, make_user):
    make_user("emp")
    response = login(client, "emp")
    assert response.status_code == 302 and response.headers["Location"].endswith("/learn")
    assert client.get("/learn").status_code == 200
    assert client.get("/learn").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user):
    make_user("emp")
    wrong = login(client, "emp", "not-the-password-1")
    unknown = login(client, "nobody", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "用户名或密码错误" in response.get_data(as_text=True)


def test_login_form_fields_and_csrf(client, make_user):
    make_user("emp")
    page = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page and 'name="csrf_token"' in page
    response = client.post("/login", data={"username": "emp", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/learn").status_code == 302


def test_login_is_rate_limited_per_client(client, make_user):
    make_user("emp")
    token = csrf_token(client)
    codes = [
        client.post("/login", data={"username": f"x{i}", "password": "p", "csrf_token": token}).status_code
        for i in range(12)
    ]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    assert "请求过于频繁" in client.post("/login", data={"csrf_token": token}).get_data(as_text=True)


def test_deactivated_accounts_cannot_sign_in(client, make_user):
    user = make_user("leaver")
    user.active = False
    db.session.commit()
    assert login(client, "leaver").status_code == 401


def test_logout_needs_a_post(client, make_user):
    make_user("emp")
    login(client, "emp")
    assert client.get("/logout").status_code == 200  # a confirmation page, still signed in
    assert client.get("/learn").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/learn")})
    assert client.get("/learn").status_code == 302


@pytest.mark.parametrize(
    "path", ["/learn", "/learn/scenarios", "/hr", "/admin", "/admin/users", "/admin/audit", "/admin/scenarios"]
)
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/hr", "/admin", "/admin/users", "/admin/audit", "/admin/scenarios"])
def test_employees_get_403_on_hr_and_admin(client, make_user, path):
    make_user("emp")
    login(client, "emp")
    assert client.get(path).status_code == 403


def test_content_admin_sees_content_but_not_accounts(client, make_user, tiny_content):
    make_user("editor", roles=(Role.CONTENT_ADMIN,))
    login(client, "editor")
    page = client.get("/admin")
    assert page.status_code == 200 and "tiny-course" in page.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/hr").status_code == 403


def test_admin_sees_accounts_and_audit(client, make_user):
    make_user("root", roles=(Role.ADMIN,), name="管理员")
    make_user("emp", name="李四")
    make_user("emp2", name="张小明")
    login(client, "root")
    users = client.get("/admin/users?q=李").get_data(as_text=True)
    assert "李四" in users and "张小明" not in users
    assert "user.create" in client.get("/admin/audit").get_data(as_text=True)
