"""HR reports from the outside: figures match the data, drill-down, overdue, transcript, org scope."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.assignments import services
from app.assignments.rules import DueRule
from app.auth.models import Role
from app.content.models import Course
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import TINY_ANSWERS, csrf_token, login
from tests.learning.helpers import answers_for, finish_lessons, open_exam, start_course

YEAR = utcnow().year


@pytest.fixture
def bank(app, make_user, tiny_content, org):
    """Four employees (three in Beijing, one in Shanghai); the course required this year, overdue."""
    people = {
        "hr_ho": make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO", name="总行人力"),
        "hr_bj": make_user("hr_bj", roles=(Role.HR,), unit="BJ", scope="BJ", name="北京人力"),
        "a": make_user("bj_a", unit="BJ01", name="北京甲"),
        "b": make_user("bj_b", unit="BJ01", name="北京乙"),
        "c": make_user("bj_c", unit="BJ", name="北京丙"),
        "s": make_user("sh_a", unit="SH01", name="上海甲"),
    }
    course = db.session.scalar(select(Course))
    services.create_assignment(course, audience=None, positions=[], actor=people["hr_ho"], scope=None,
                               rule=DueRule("fixed", "once", date(YEAR, 1, 1), due_date=date(YEAR, 1, 2)),
                               today=utcnow().date())
    db.session.commit()
    learner = app.test_client()  # 北京甲 completes (late: the due date has passed)
    login(learner, "bj_a")
    start_course(learner, "tiny-course")
    finish_lessons(learner, "tiny-course", ["01-intro", "case-01"])
    url, page = open_exam(learner, "tiny-course")
    learner.post(url, data={"csrf_token": csrf_token(learner, url), **answers_for(page, TINY_ANSWERS)})
    return people


def _row(page: str, attr: str, value: str) -> list[str]:
    row = re.search(rf'data-{attr}="{value}">(.*?)</tr>', page, re.S).group(1)
    return re.findall(r'<td class="num">(?:<progress[^>]*></progress> )?([^<]*)</td>', row)


def test_head_office_figures_and_drill_down(client, bank):
    login(client, "hr_ho")
    page = client.get("/hr?period=once").get_data(as_text=True)
    # four employees are required (the HR accounts are not employees); only 北京甲 finished, late
    assert re.search(r'data-kpi="overdue">3<', page) and re.search(r'data-kpi="completion">25%<', page)
    assert re.search(r'data-kpi="on_time">0%<', page) and re.search(r'data-kpi="average">100%<', page)
    assert _row(page, "unit", "BJ") == ["3", "1", "33%", "0%", "2", "100%"]
    assert _row(page, "unit", "SH") == ["1", "0", "0%", "0%", "1", "—"]
    branch = client.get("/hr?period=once&unit=BJ").get_data(as_text=True)
    assert _row(branch, "unit", "BJ01") == ["2", "1", "50%", "0%", "1", "100%"]
    assert '<polyline class="chart-path"' in page and "<circle" in page  # 25% reached on the completion day
    sub = client.get("/hr?period=once&unit=BJ01").get_data(as_text=True)
    assert 'data-employee="E' in sub and "北京甲" in sub and "北京乙" in sub and "上海甲" not in sub
    overdue = client.get("/hr/overdue?period=once&unit=BJ01").get_data(as_text=True)
    assert "北京乙" in overdue and "北京甲" not in overdue


def test_each_overdue_row_links_to_the_transcript_and_reminds_that_person(client, bank):
    login(client, "hr_ho")
    url = "/hr/overdue?period=once&unit=BJ"
    page = client.get(url).get_data(as_text=True)
    person = bank["b"]
    row = re.search(rf'<tr><td class="mono"><a href="/hr/employees/{person.employee_no}">{person.employee_no}</a>'
                    r'(.*?)</tr>', page, re.S).group(1)
    assert "北京乙" in row and "北京分行朝阳支行" in row and "测试课程" in row and f"{YEAR}年1月2日" in row
    assert f'<button type="submit" form="remind-one" name="user" value="{person.id}" class="linkish" data-once>' in row
    assert re.search(r'<form method="post" action="/hr/overdue/remind" id="remind-one"><input id="csrf_token" '
                     r'name="csrf_token" type="hidden" value="[^"]+"><input type="hidden" name="next" '
                     r'value="/hr/overdue\?period=once&amp;unit=BJ"></form>', page)
    assert client.get(f"/hr/employees/{person.employee_no}").status_code == 200
    assert page.count('<tr><td class="mono">') == 2  # 北京乙 and 北京丙; 北京甲 has finished
    # an account without an employee number (HR exports lose them): listed, with no transcript link
    bank["c"].employee_no = None
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<tr><td class="mono">—</td><td>北京丙</td>\s*<td>北京分行</td><td>测试课程</td>', page)
    assert f'value="{bank["c"].id}" class="linkish"' in page


def test_transcript_shows_status_attempts_and_certificate(client, bank):
    login(client, "hr_ho")
    page = client.get(f"/hr/employees/{bank['a'].employee_no}").get_data(as_text=True)
    assert "逾期完成" in page and "XB-" in page and "100%" in page


def test_branch_hr_sees_nothing_outside_its_branch(client, bank):
    login(client, "hr_bj")
    page = client.get("/hr?period=once").get_data(as_text=True)
    assert "北京分行朝阳支行" in page and "上海" not in page
    for url in ("/hr?unit=SH", "/hr?unit=SH01", "/hr?unit=HO", "/hr/overdue?unit=SH01",
                f"/hr/employees/{bank['s'].employee_no}"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/hr/employees/{bank['a'].employee_no}").status_code == 200
