"""Head-office HR in a real browser: roster import with bad rows, fix, apply, annual assignment, live figures."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from tests.conftest import PASSWORD, TINY_ANSWERS, csrf_token, login
from tests.learning.helpers import answers_for, finish_lessons, open_exam, start_course
from tests.roster.test_roster_import import xlsx


def _workbook(path, rows):
    path.write_bytes(xlsx(rows))


def test_hr_imports_assigns_and_watches_figures_move(page, live_server, app, tiny_content, make_user, org, tmp_path):
    make_user("hr_head", roles=(Role.HR,), unit="HO", scope="HO", name="总行人力")
    good = [["E70001", "周一", "BJ01", "柜员", "zhou@bank.example", "13900000001", "2024-02-01", "在职"],
            ["E70002", "吴二", "BJ01", "柜员", None, None, "2023-07-15", "在职"],
            ["E70003", "郑三", "SH01", "大堂经理", None, None, "2022-03-03", "在职"]]
    bad = [good[0], ["E70002", "吴二", "NOPE", "柜员", None, None, "2023-07-15", "在职"],
           ["E70003", "郑三", "SH01", "大堂经理", "not-an-email", None, "2022-03-03", "在职"]]
    _workbook(tmp_path / "bad.xlsx", bad)
    _workbook(tmp_path / "good.xlsx", good)

    page.goto(f"{live_server}/login")
    page.fill('input[name="username"]', "hr_head")
    page.fill('input[name="password"]', PASSWORD)
    page.click('main form button[type="submit"]')
    page.goto(f"{live_server}/hr/roster")
    page.set_input_files('input[name="file"]', str(tmp_path / "bad.xlsx"))
    page.click('main form button[type="submit"]')
    errors = page.locator("tr.roster-error").all_inner_texts()
    assert len(errors) == 2
    assert "3" in errors[0] and "机构代码" in errors[0]
    assert "4" in errors[1] and "邮箱" in errors[1]
    assert page.locator('form[action="/hr/roster/apply"]').count() == 0
    assert db.session.scalar(select(db.func.count()).select_from(User).where(User.employee_no.like("E7%"))) == 0

    page.goto(f"{live_server}/hr/roster")
    page.set_input_files('input[name="file"]', str(tmp_path / "good.xlsx"))
    page.click('main form button[type="submit"]')
    assert page.locator('[data-count="new"]').inner_text() == "3"
    page.click('form[action="/hr/roster/apply"] button')
    page.wait_for_url(re.compile(r".*/hr/roster$"))
    assert db.session.scalar(select(db.func.count()).select_from(User).where(User.employee_no.like("E7%"))) == 3

    page.goto(f"{live_server}/hr/assignments")
    page.click("a#new-assignment")
    page.wait_for_url(re.compile(r".*/hr/assignments/new$"))
    page.select_option('select[name="course"]', "tiny-course")
    page.select_option('select[name="audience"]', "")  # the whole bank
    page.select_option('select[name="cycle"]', "annual")
    page.select_option('select[name="kind"]', "window")
    page.fill('input[name="starts_on"]', "2026-01-01")
    page.fill('input[name="window_start"]', "01-01")
    page.fill('input[name="window_end"]', "12-31")
    page.click("form.assignment-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/hr/assignments$"))
    page.goto(f"{live_server}/hr")
    assert page.locator('[data-kpi="completion"]').inner_text() == "0%"

    employee = db.session.scalar(select(User).where(User.employee_no == "E70001"))
    employee.password_hash = app.extensions["passwords"].hash(PASSWORD)
    db.session.commit()
    learner = app.test_client()
    login(learner, "E70001")
    start_course(learner, "tiny-course")
    finish_lessons(learner, "tiny-course", ["01-intro", "case-01"])
    url, exam = open_exam(learner, "tiny-course")
    learner.post(url, data={"csrf_token": csrf_token(learner, url), **answers_for(exam, TINY_ANSWERS)})

    page.reload()
    assert page.locator('[data-kpi="completion"]').inner_text() == "33%"  # 1 of the 3 imported employees
    assert page.locator('[data-kpi="on_time"]').inner_text() == "33%"
