"""Changing one's own password, temporary passwords issued by an administrator, and the CLI."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.auth.models import Role, User
from app.core.models import AuditEvent
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, login


def _change(client, current, new, confirm=None):
    token = csrf_token(client, "/account/password")
    return client.post("/account/password", data={"csrf_token": token, "current": current, "new": new,
                                                  "confirm": confirm if confirm is not None else new})


def test_change_own_password(client, make_user):
    make_user("emp")
    login(client, "emp")
    wrong = _change(client, "not-it-123456", "Another-pass-77")
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.get_data(as_text=True)
    weak = _change(client, PASSWORD, "short")
    assert weak.status_code == 400 and "密码至少需要10个字符。" in weak.get_data(as_text=True)
    differ = _change(client, PASSWORD, "Another-pass-77", "Another-pass-78")
    assert differ.status_code == 400
    assert _change(client, PASSWORD, "Another-pass-77").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/learn")})
    assert login(client, "emp", PASSWORD).status_code == 401
    assert login(client, "emp", "Another-pass-77").status_code == 302


def test_temporary_password_must_be_replaced_at_first_sign_in(client, app, make_user):
    make_user("root", roles=(Role.ADMIN,), name="管理员")
    employee = make_user("imported", password=None)  # e.g. created by a roster import
    assert login(app.test_client(), "imported", "").status_code in (400, 401)
    login(client, "root")
    page = client.post(f"/admin/users/{employee.id}/temporary-password",
                       data={"csrf_token": csrf_token(client, "/admin/users")})
    assert page.headers["Cache-Control"] == "no-store"
    password = re.search(r'class="mono temporary-password">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.temporary_password"))
    assert password not in (db.session.get(User, employee.id).password_hash or "")

    learner = app.test_client()
    assert login(learner, "imported", password).status_code == 302
    gated = learner.get("/learn")
    assert gated.status_code == 302 and gated.headers["Location"].endswith("/account/password")
    assert _change(learner, password, "My-own-pass-2026").status_code == 302
    assert learner.get("/learn").status_code == 200


def test_only_admins_issue_temporary_passwords(client, make_user):
    make_user("hr", roles=(Role.HR,), unit="HO", scope="HO")
    target = make_user("emp")
    login(client, "hr")
    response = client.post(f"/admin/users/{target.id}/temporary-password", data={"csrf_token": csrf_token(client, "/learn")})
    assert response.status_code == 403


def test_cli_set_password(runner, client, make_user):
    make_user("emp")
    assert runner.invoke(args=["users", "set-password", "emp"], input="short\n").exit_code != 0
    result = runner.invoke(args=["users", "set-password", "emp"], input="Fresh-pass-2026\n")
    assert result.exit_code == 0, result.output
    assert login(client, "emp", "Fresh-pass-2026").status_code == 302
