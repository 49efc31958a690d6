"""Command-line tools: accounts and the demo bank."""

from __future__ import annotations

from pathlib import Path

from flask_babel import refresh
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.extensions import db
from app.org.models import OrgKind, OrgUnit
from tests.conftest import login


def test_users_create_reads_the_password_from_stdin(runner, client, org):
    result = runner.invoke(args=["users", "create", "wang", "--role", "hr", "--org", "BJ", "--name", "王经理"],
                           input="Str0ng-password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "wang"))
    assert user.roles == {Role.HR} and user.hr_scope.code == "BJ" and user.name == "王经理"
    assert "Str0ng-password" not in (user.password_hash or "")
    assert login(client, "wang", "Str0ng-password").status_code == 302


def test_users_create_refuses_bad_input_and_changes_nothing(runner, org):
    cases = [
        (["users", "create", "a", "--role", "employee"], "short\n", "至少需要10个字符"),
        (["users", "create", "b", "--role", "hr"], "Str0ng-password\n", "needs --org"),
        (["users", "create", "c", "--role", "employee", "--org", "NOPE"], "Str0ng-password\n", "no org unit"),
        (["users", "create", "d", "--role", "wizard"], "Str0ng-password\n", "Invalid value"),
    ]
    for args, stdin, message in cases:
        result = runner.invoke(args=args, input=stdin, env={"XIAOBAO_LANG": "zh_Hans"})
        assert result.exit_code != 0 and message in result.output, result.output
    refresh()  # a command line runs once per process; here the test's app context cached the locale
    english = runner.invoke(args=cases[0][0], input=cases[0][1], env={"XIAOBAO_LANG": "", "LANG": "en_GB.UTF-8"})
    assert "at least 10 characters" in english.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_seed_builds_the_bank_once(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    kinds = dict(db.session.execute(select(OrgUnit.kind, func.count()).group_by(OrgUnit.kind)).all())
    assert kinds[OrgKind.HEAD_OFFICE] == 1 and kinds[OrgKind.BRANCH] == 3 and kinds[OrgKind.SUB_BRANCH] == 12
    users = db.session.scalar(select(func.count()).select_from(User))
    assert 190 <= users <= 220
    for name in ("admin", "content", "hr_head", "hr_beijing"):
        assert name in first.output
    accounts = Path(app.instance_path, "demo-accounts.txt").read_text(encoding="utf-8")
    assert "hr_beijing" in accounts and accounts in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0 and "already there" in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    beijing_hr = db.session.scalar(select(User).where(User.username == "hr_beijing"))
    assert beijing_hr.hr_scope.name == "示例银行北京分行"
