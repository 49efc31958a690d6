"""Assessment and requirements exports: right figures, both formats, audited, scoped."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.core.models import AuditEvent
from app.extensions import db
from tests.conftest import csrf_token, login
from tests.reports.test_reports import bank  # noqa: F401  (fixture)


def _export(client, kind, fmt, **query):
    token = csrf_token(client, "/hr/exports")
    url = f"/hr/exports/{kind}.{fmt}?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, data={"csrf_token": token})


def test_assessment_csv_has_one_row_per_employee_with_the_formula(client, bank):  # noqa: F811
    login(client, "hr_ho")
    response = _export(client, "assessment", "csv", period="once")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["工号", "姓名", "机构", "岗位", "应完成"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"北京甲", "北京乙", "北京丙", "上海甲"}
    # 北京甲 completed late with 100%: completion points 50, exam 100, no role-play → (0.6×50 + 0.3×100) / 0.9
    assert by_name["北京甲"][4:11] == ["1", "0", "1", "0", "100.0", "", "66.7"]
    assert by_name["北京乙"][4:11] == ["1", "0", "0", "1", "", "", "0.0"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.assessment"))
    assert event.details == {"period": "once", "format": "csv"} and event.target == "HO"


def test_requirements_xlsx_matches_and_branch_scope_holds(client, app, bank):  # noqa: F811
    login(client, "hr_bj")
    response = _export(client, "requirements", "xlsx", period="once")
    content = response.data
    response.close()  # what a WSGI server does: closes the temporary file behind the download
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("工号", "姓名", "机构路径")
    assert {r[1] for r in rows[1:]} == {"北京甲", "北京乙", "北京丙"}
    statuses = {r[1]: r[8] for r in rows[1:]}
    assert statuses["北京甲"] == "逾期完成" and statuses["北京乙"] == "已逾期"
    assert all("北京分行" in r[2] for r in rows[1:])
    assert _export(client, "requirements", "csv", unit="SH", period="once").status_code == 404
    assert client.get("/hr/exports/requirements.csv").status_code == 405


def test_english_headers_on_request(client, bank):  # noqa: F811
    login(client, "hr_ho")
    text = _export(client, "requirements", "csv", period="once", lang="en").get_data(as_text=True)
    assert text.lstrip("\ufeff").startswith("Employee number,Name,Org path")
