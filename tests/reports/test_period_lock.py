"""Closing an assessment period freezes the assessment figures; reopening makes them live again."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from app.core.models import AuditEvent
from app.extensions import db
from tests.conftest import TINY_ANSWERS, csrf_token, login
from tests.learning.helpers import answers_for, finish_lessons, open_exam, start_course
from tests.reports.test_reports import bank  # noqa: F401  (fixture)


def _assessment(client) -> dict[str, list[str]]:
    response = client.post("/hr/exports/assessment.csv?period=once", data={"csrf_token": csrf_token(client, "/hr/exports")})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return {row[1]: row for row in rows[1:]}


def _lock(client, action):
    return client.post(f"/hr/periods/once/{action}", data={"csrf_token": csrf_token(client, "/hr/exports")})


def test_locked_figures_do_not_move_until_reopened(client, app, bank):  # noqa: F811
    login(client, "hr_ho")
    assert _lock(client, "lock").status_code == 302
    before = _assessment(client)
    assert before["北京乙"][4:8] == ["1", "0", "0", "1"]

    late = app.test_client()  # 北京乙 completes after the period was closed
    login(late, "bj_b")
    start_course(late, "tiny-course")
    finish_lessons(late, "tiny-course", ["01-intro", "case-01"])
    url, page = open_exam(late, "tiny-course")
    late.post(url, data={"csrf_token": csrf_token(late, url), **answers_for(page, TINY_ANSWERS)})

    assert _assessment(client) == before  # frozen
    live = client.get("/hr/overdue?period=once").get_data(as_text=True)
    assert "北京乙" not in live  # the live views show the completion (no longer overdue)
    assert _lock(client, "unlock").status_code == 302
    assert _assessment(client)["北京乙"][4:8] == ["1", "0", "1", "0"]  # live again: completed late
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("period.%"))))
    assert actions == {"period.lock", "period.unlock"}


def test_only_head_office_hr_locks(client, bank):  # noqa: F811
    login(client, "hr_bj")
    assert _lock(client, "lock").status_code == 403
    assert 'action="/hr/periods/' not in client.get("/hr/exports?period=once").get_data(as_text=True)
