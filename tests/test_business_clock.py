"""One clock: at 17:30 UTC on 4 December it is 01:30 on the 5th in Beijing, and a completion then is
dated the 5th everywhere — the learner's page, the certificate, the HR pages, both exports and the API."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.assignments import services as assignments
from app.assignments.models import Requirement
from app.assignments.rules import DueRule, Status
from app.auth.models import Role
from app.content.models import Course
from app.core import time as clock
from app.extensions import db
from app.learning.models import Completion
from tests.conftest import TINY_ANSWERS, csrf_token, login
from tests.learning.helpers import answers_for, finish_lessons, open_exam, start_course

NEAR_MIDNIGHT = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)


@pytest.fixture
def frozen():
    clock.freeze(NEAR_MIDNIGHT)
    yield NEAR_MIDNIGHT
    clock.freeze(None)


def test_the_business_day_is_beijing_s(frozen):
    assert clock.business_today() == date(2026, 12, 5)
    assert clock.business_time(frozen).isoformat() == "2026-12-05T01:30:00+08:00"


def test_a_completion_near_midnight_is_dated_the_5th_everywhere(app, client, make_user, tiny_content, frozen):
    hr = make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    make_user("emp", unit="BJ01", name="王晓丽")
    course = db.session.scalar(select(Course))
    # due on the 4th: a completion at 01:30 on the 5th in Beijing is late (by the UTC day it was the 4th)
    assignments.create_assignment(course, audience=None, positions=[], actor=hr, scope=None, today=date(2026, 12, 5),
                                  rule=DueRule("fixed", "once", date(2026, 11, 1), due_date=date(2026, 12, 4)))
    db.session.commit()
    login(client, "emp")
    start_course(client, "tiny-course")
    finish_lessons(client, "tiny-course", ["01-intro", "case-01"])
    url, page = open_exam(client, "tiny-course")
    client.post(url, data={"csrf_token": csrf_token(client, url), **answers_for(page, TINY_ANSWERS)})

    completion = db.session.scalar(select(Completion))
    assert completion.completed_on == date(2026, 12, 5)
    statuses = {r.due_date: assignments.rules.status(r.due_date, r.completed_on, True, date(2026, 12, 5))
                for r in db.session.scalars(select(Requirement))}
    assert statuses == {date(2026, 12, 4): Status.COMPLETED_LATE}

    certificate = client.get(f"/learn/certificates/{completion.certificate_code}").get_data(as_text=True)
    assert "2026年12月5日" in certificate and "2026年12月4日" not in certificate
    assert "2026年12月5日" in client.get(f"/verify/{completion.certificate_code}").get_data(as_text=True)

    hr_client = client.application.test_client()
    login(hr_client, "hr_ho")
    employee_no = db.session.scalar(select(Completion)).user.employee_no
    transcript = hr_client.get(f"/hr/employees/{employee_no}").get_data(as_text=True)
    assert "2026年12月5日" in transcript

    token = csrf_token(hr_client, "/hr/exports")
    rows = list(csv.reader(io.StringIO(hr_client.post("/hr/exports/requirements.csv?period=once",
                                                      data={"csrf_token": token}).get_data().decode("utf-8-sig"))))
    completed = {row[7]: row[9] for row in rows[1:]}  # due date → completed at
    assert completed == {"2026-12-04": "2026-12-05T01:30:00+08:00"}
    assert {row[8] for row in rows[1:]} == {"逾期完成"}
    assert {row[5] for row in rows[1:]} == {"一次性"}

    workbook = load_workbook(io.BytesIO(hr_client.post("/hr/exports/requirements.xlsx?period=once",
                                                       data={"csrf_token": token}).get_data()))
    cells = list(workbook.active.iter_rows(min_row=2))
    assert {c[9].value for c in cells} == {datetime(2026, 12, 5, 1, 30)}
    assert all(c[9].is_date and c[7].is_date for c in cells)  # real date cells with a number format
    assert {c[7].value.date() for c in cells} == {date(2026, 12, 4)}

    api_token = re.search(r'class="mono temporary-password">(xb_[^<]+)<', hr_client.post(
        "/hr/api-tokens", data={"csrf_token": csrf_token(hr_client, "/hr/api-tokens"), "name": "clock"}
    ).get_data(as_text=True)).group(1)
    items = client.application.test_client().get("/api/v1/completions?period=once", headers={
        "Authorization": f"Bearer {api_token}"}).get_json()["items"]
    assert {(i["completed_at"], i["completed_on"], i["status"]) for i in items} == {
        ("2026-12-05T01:30:00+08:00", "2026-12-05", "completed_late")}
    overview = hr_client.get("/hr?period=once").get_data(as_text=True)
    assert re.search(r'data-kpi="on_time">0%<', overview)  # the totals (kept by triggers) count it late too
