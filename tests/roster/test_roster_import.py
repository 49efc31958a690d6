"""Roster import: bad rows named by row and column, preview counts, all-or-nothing apply, scope."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import time
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.core.models import AuditEvent
from app.core.uploads import UploadStore
from app.extensions import db
from app.org.models import OrgUnit
from app.roster import files as roster
from tests.conftest import csrf_token, login

HEADER = ["工号", "姓名", "机构代码", "岗位", "邮箱", "手机", "入职日期", "状态"]


def xlsx(rows, org_rows=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "员工"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if org_rows:
        units = workbook.create_sheet("机构")
        units.append(["机构代码", "机构名称", "上级机构代码", "机构类型"])
        for row in org_rows:
            units.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["E90001", "赵一", "BJ01", "柜员", "zhao@example.com", "13800000001", "2023-05-06", "在职"],
    ["E90002", "钱二", "SH01", "大堂经理", None, None, "2022/01/15", "在职"],
]


def test_bad_rows_are_named_by_row_and_column():
    content = xlsx([
        GOOD[0],
        ["E90002", "", "BJ01", "柜员", "not-an-email", "12345", "2022-13-01", "在职"],
        ["E90001", "重复", "BJ01", "柜员", None, None, "2022-01-01", "休假"],
    ])
    parsed = roster.read("roster.xlsx", content)
    found = {(e.row, e.column, e.reason) for e in parsed.errors}
    assert found == {
        (3, "姓名", "required"), (3, "邮箱", "bad_email"), (3, "手机", "bad_mobile"), (3, "入职日期", "bad_date"),
        (4, "工号", "duplicate_in_file"), (4, "状态", "bad_status"),
    }
    assert [e.employee_no for e in parsed.employees] == ["E90001"]


def test_csv_in_gb18030_with_english_headers():
    text = "employee number,name,org unit code,position,hire date,status\nE1,李雷,BJ01,柜员,2024-01-02,active\n"
    parsed = roster.read("r.csv", text.encode("gb18030"))
    assert parsed.errors == [] and parsed.employees[0].name == "李雷"


def _upload(client, content: bytes, name="roster.xlsx"):
    token = csrf_token(client, "/hr/roster")
    return client.post("/hr/roster", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def _apply(client, page: str):
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    return client.post("/hr/roster/apply", data={"csrf_token": csrf_token(client, "/hr/roster"), "token": token})


def _count(page: str, name: str) -> int:
    return int(re.search(rf'data-count="{name}">(\d+)<', page).group(1))


def test_upload_preview_then_apply_counts_and_audit(client, make_user, org):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    mover = make_user("mover", unit="BJ01")
    leaver = make_user("leaver", unit="BJ01")
    login(client, "hr_ho")
    rows = [*GOOD,
            [mover.employee_no, mover.name, "SH01", "柜员", None, None, "2020-01-01", "在职"],
            [leaver.employee_no, leaver.name, "BJ01", "柜员", None, None, "2020-01-01", "离职"]]
    preview = _upload(client, xlsx(rows, [["SH02", "上海分行静安支行", "SH", "支行"]]))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert (_count(page, "new"), _count(page, "transferred"), _count(page, "leaving"), _count(page, "new_units")) == (
        2, 1, 1, 1)
    assert db.session.scalar(select(func.count()).select_from(User)) == 3  # nothing changed yet
    done = _apply(client, page)
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.employee_no == "E90002")).org_unit.code == "SH01"
    assert db.session.get(User, mover.id).org_unit.code == "SH01"
    assert db.session.get(User, leaver.id).active is False  # deactivated, not deleted
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "SH02")).path.startswith(org["SH"].path)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.import"))
    assert event.target == "roster.xlsx" and event.details["new"] == 2 and event.details["leaving"] == 1


def test_a_file_with_bad_rows_changes_nothing_and_cannot_be_applied(client, make_user, org):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr_ho")
    rows = [GOOD[0], ["E90003", "孙三", "NOPE", "柜员", None, None, "2021-01-01", "在职"],
            ["E90004", "李四", "BJ01", "柜员", None, "99", "2021-01-01", "在职"]]
    page = _upload(client, xlsx(rows)).get_data(as_text=True)
    errors = re.findall(r'<tr class="roster-error"><td>[^<]*</td><td class="num">(\d+)</td><td>[A-Z]+ · ([^<]*)</td>', page)
    assert errors == [("3", "机构代码"), ("4", "手机")]
    assert 'action="/hr/roster/apply"' not in page
    users_before = db.session.scalar(select(func.count()).select_from(User))
    token = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "roster.import"))
    assert token == 0 and users_before == 1


def test_branch_hr_cannot_import_outside_its_branch(client, make_user, org):
    make_user("hr_bj", roles=(Role.HR,), unit="BJ", scope="BJ")
    outsider = make_user("outsider", unit="SH01")
    login(client, "hr_bj")
    rows = [GOOD[0], GOOD[1], [outsider.employee_no, "改名", "BJ01", "柜员", None, None, "2020-01-01", "在职"]]
    page = _upload(client, xlsx(rows)).get_data(as_text=True)
    rows_with_errors = re.findall(r'<tr class="roster-error"><td>[^<]*</td><td class="num">(\d+)</td>', page)
    assert rows_with_errors == ["3", "4"]  # a Shanghai unit, and a Shanghai employee
    assert db.session.get(User, outsider.id).org_unit.code == "SH01"


def test_employees_cannot_open_the_roster(client, make_user, org):
    make_user("emp")
    login(client, "emp")
    assert client.get("/hr/roster").status_code == 403
    assert client.get("/hr/roster/template.xlsx").status_code == 403


def test_templates_download_and_read_back(client, make_user, org):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr_ho")
    workbook = load_workbook(io.BytesIO(client.get("/hr/roster/template.xlsx").data))
    assert [c.value for c in workbook["员工"][1]] == HEADER
    parsed = roster.read("t.csv", client.get("/hr/roster/template.csv").data)
    assert parsed.errors == [] and parsed.employees[0].employee_no == "E200001"


def test_cli_import_checks_then_applies(runner, org, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(GOOD))
    english = {"XIAOBAO_LANG": "en"}
    dry = runner.invoke(args=["roster", "import", str(path)], env=english)
    assert dry.exit_code == 0 and "2 new" in dry.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    applied = runner.invoke(args=["roster", "import", str(path), "--yes"], env=english)
    assert applied.exit_code == 0, applied.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["E1", "", "BJ01", "柜员", None, None, "2020-01-01", "在职"]]))
    result = runner.invoke(args=["roster", "import", str(bad), "--yes"], env=english)
    assert result.exit_code != 0 and "row 2, column B (姓名): a value is required" in result.output


def _job_page(client, location: str, seconds: float = 60):
    """Follow the progress page as the browser does (it refreshes itself) until the import is over."""
    deadline = time.monotonic() + seconds
    while True:
        page = client.get(location).get_data(as_text=True)
        state = re.search(r'id="roster-job" data-state="(\w+)"', page).group(1)
        if state != "running" or time.monotonic() > deadline:
            return state, page
        assert '<meta http-equiv="refresh"' in page
        time.sleep(0.2)


def test_a_large_roster_is_applied_after_the_request_with_a_progress_page(app, client, make_user, org):
    other = app.test_client()
    app.config["ROSTER_BACKGROUND_ROWS"] = 1  # two new people count as large here
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr_ho")
    page = _upload(client, xlsx(GOOD)).get_data(as_text=True)
    started = _apply(client, page)
    location = started.headers["Location"]
    assert started.status_code == 302 and re.fullmatch(r"/hr/roster/progress/[0-9a-f]{32}", location)
    assert _apply(client, page).headers["Location"] == location  # a second click follows the same import
    state, done = _job_page(client, location)
    assert state == "done" and "花名册已导入：新增2人，变更0人，调动0人，离职0人，跳过0行。" in done
    db.session.expire_all()
    assert sorted(db.session.scalars(select(User.employee_no).where(User.employee_no.like("E9%")))) == ["E90001", "E90002"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "roster.import")) == 1
    assert client.get(location).status_code == 200  # the outcome stays readable; the file itself is gone
    assert sorted(p.suffix for p in (Path(app.instance_path) / "uploads" / "roster").glob(location[-32:] + ".*")) == [
        ".claim", ".json"]
    assert _apply(client, page).headers["Location"] == location  # and it cannot be applied twice

    make_user("hr_other", roles=(Role.HR,), unit="HO", scope="HO")
    login(other, "hr_other")
    assert other.get(location).headers["Location"].endswith("/hr/roster")  # only for the one who imported


def test_an_import_whose_worker_stopped_says_so(app, client, make_user, org):
    hr = make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr_ho")
    store = UploadStore(Path(app.instance_path) / "uploads" / "roster")
    token = store.save(xlsx(GOOD), "roster.xlsx", hr.id)
    store.update_note(token, job={"state": "running", "step": "writing", "at": time.time()})
    assert _job_page(client, f"/hr/roster/progress/{token}", seconds=0)[0] == "running"
    store.update_note(token, job={"state": "running", "step": "writing", "at": time.time() - 3600})  # silent for an hour
    state, page = _job_page(client, f"/hr/roster/progress/{token}")
    assert state == "interrupted" and '<meta http-equiv="refresh"' not in page
    ended = subprocess.Popen(["true"])  # a worker that has ended: its process id is free
    ended.wait()
    store.update_note(token, job={"state": "running", "step": "writing", "at": time.time(),
                                  "host": socket.gethostname(), "pid": ended.pid})
    assert _job_page(client, f"/hr/roster/progress/{token}")[0] == "interrupted"
    store.update_note(token, job={"state": "failed", "at": time.time()})
    state, page = _job_page(client, f"/hr/roster/progress/{token}")
    assert state == "failed" and "导入未能完成，没有任何改动" in page
