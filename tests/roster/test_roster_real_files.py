"""Rosters as HR systems and Excel really produce them, each built here: title rows, decorated
headers, lost leading zeros, serial dates, formulas, markup, every encoding, XLS and WPS files."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.extensions import db
from app.roster import files as roster
from tests.conftest import csrf_token, login
from tests.workbooks import with_cached_formula, with_part_changed

HEADER = ["工号", "姓名", "机构代码", "岗位", "入职日期", "状态"]


def book(rows, *, header=HEADER, before=(), sheet_first=None, epoch=None) -> bytes:
    """A workbook: optional sheet in front, rows above the header, then the header and the rows."""
    workbook = Workbook()
    if epoch:
        workbook.epoch = epoch
    sheet = workbook.active
    if sheet_first:
        sheet.title = sheet_first
        sheet.append(["本表为导出说明，请勿修改"])
        sheet = workbook.create_sheet("人员信息")
    for row in before:
        sheet.append(row)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(parsed) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.reason) for e in parsed.errors}


def test_the_header_is_found_below_merged_titles_notes_and_blank_rows_on_any_sheet():
    content = book([["100123", "王小明", "BJ01", "柜员", "2021-03-15", "在职"]],
                   header=["工号（必填）", "姓 名", "机构\n代码", "岗位名称", "入职日期*", "在职状态"],
                   before=[["示例银行员工花名册（北森导出 2026-12）"], [], ["说明：带*为必填项"]],
                   sheet_first="说明")
    parsed = roster.read("北森导出.xlsx", content)
    assert parsed.errors == [] and parsed.employee_sheet == "人员信息"
    assert parsed.employees[0].employee_no == "100123" and parsed.employees[0].row == 5
    english = book([["100124", "Li Lei", "BJ01", "Teller", "2021-03-15", "Active"]],
                   header=["Employee ID", "Full Name", "Org Unit Code", "Job Title", "Hire Date", "Employment Status"])
    assert roster.read("sf.xlsx", english).employees[0].name == "Li Lei"


def test_employee_numbers_stay_text_and_lost_leading_zeros_are_caught(client, make_user):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr_ho")
    rows = [[100123, "甲", "BJ01", "柜员", "2021-03-15", "在职"], [100124, "乙", "BJ01", "柜员", "2021-03-15", "在职"],
            ["012345", "丙", "BJ01", "柜员", "2021-03-15", "在职"], [124, "丁", "BJ01", "柜员", "2021-03-15", "在职"]]
    token = csrf_token(client, "/hr/roster")
    page = client.post("/hr/roster", data={"csrf_token": token, "file": (io.BytesIO(book(rows)), "r.xlsx")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "000124" in page and re.search(r'<td class="num">5</td><td>A · 工号</td>', page)
    assert 'action="/hr/roster/apply"' not in page and "补足为6位" in page
    upload = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    padded = client.post("/hr/roster/pad", data={"csrf_token": token, "token": upload, "width": "6"},
                         follow_redirects=True).get_data(as_text=True)
    assert 'action="/hr/roster/apply"' in padded
    client.post("/hr/roster/apply", data={"csrf_token": token, "token": upload})
    numbers = set(db.session.scalars(select(User.employee_no).where(User.name.in_(["甲", "乙", "丙", "丁"]))))
    assert numbers == {"100123", "100124", "012345", "000124"}  # never stored as 124


@pytest.mark.parametrize(("cell", "expected"), [
    (44270, date(2021, 3, 15)), ("2021/3/15", date(2021, 3, 15)), ("2021-03-15", date(2021, 3, 15)),
    ("2021年3月15日", date(2021, 3, 15)), ("2021.3.15", date(2021, 3, 15)), (date(2021, 3, 15), date(2021, 3, 15)),
])
def test_dates_as_excel_and_people_write_them(cell, expected):
    parsed = roster.read("r.xlsx", book([["100123", "王", "BJ01", "柜员", cell, "在职"]]))
    assert parsed.errors == [] and parsed.employees[0].hire_date == expected


def test_serial_dates_of_the_1904_date_system():
    parsed = roster.read("mac.xlsx", book([["100123", "王", "BJ01", "柜员", 42808, "在职"]], epoch=CALENDAR_MAC_1904))
    assert parsed.employees[0].hire_date == date(2021, 3, 15)


def test_impossible_dates_are_located():
    parsed = roster.read("r.xlsx", book([["100123", "王", "BJ01", "柜员", "2021-02-30", "在职"],
                                         ["100124", "李", "BJ01", "柜员", "2021年13月1日", "在职"]]))
    assert errors_of(parsed) == {(2, "入职日期", "bad_date"), (3, "入职日期", "bad_date")}


def test_text_is_normalised():
    parsed = roster.read("r.xlsx", book([["１００１２３", "  王\u3000小明 ", "ＢＪ０１", " 柜员 ", "2021-03-15", " 在职 "],
                                         ["100124", "Li  Lei", "BJ01", "柜员", "2021-03-15", "在职"]]))
    first, second = parsed.employees
    assert (first.employee_no, first.name, first.org_code, first.position) == ("100123", "王小明", "BJ01", "柜员")
    assert second.name == "Li  Lei"  # Latin names keep their spaces


def test_formula_cells_are_refused_with_or_without_a_cached_value():
    content = book([["100123", "=CONCAT(\"王\",\"明\")", "BJ01", "柜员", "2021-03-15", "在职"],
                    ["100124", "李四", "BJ01", "柜员", "2021-03-15", "在职"]])
    content = with_cached_formula(content, "C3", 'UPPER("bj01")', "BJ01")
    parsed = roster.read("r.xlsx", content)
    assert errors_of(parsed) == {(2, "姓名", "formula"), (3, "机构代码", "formula")}
    assert parsed.employees == []


@pytest.mark.parametrize("name", ["<b>王</b>", "王\x07明", "王\ufffe明", "王\u202e明", "王\uffff", "王" * 81])
def test_markup_control_characters_non_characters_bidi_and_overlong_names_are_located(name):
    text = f"工号,姓名,机构代码,岗位,入职日期,状态\n100123,{name},BJ01,柜员,2021-03-15,在职\n"  # Excel refuses some
    parsed = roster.read("r.csv", text.encode("utf-8"))
    assert len(parsed.errors) == 1 and parsed.errors[0].column == "姓名" and parsed.employees == []
    assert parsed.errors[0].reason in ("refused_character", "too_long")


def test_every_value_longer_than_its_column_is_located():
    parsed = roster.read("r.xlsx", book([["1" * 33, "王", "B" * 33, "柜" * 65, "2021-03-15", "在职"]]))
    assert errors_of(parsed) >= {(2, "工号", "too_long"), (2, "机构代码", "too_long"), (2, "岗位", "too_long")}


def test_status_words_of_hr_systems(client, make_user):
    words = {"在职": True, "在岗": True, "试用": True, "试用期": True, "实习": True,
             "离职": False, "已离职": False, "退休": False, "辞退": False, "解聘": False}
    rows = [[f"1001{n:02d}", f"员工{n}", "BJ01", "柜员", "2021-03-15", word] for n, word in enumerate(words)]
    parsed = roster.read("r.xlsx", book(rows + [["100199", "某", "BJ01", "柜员", "2021-03-15", "休假"]]))
    assert [e.active for e in parsed.employees] == list(words.values())
    assert errors_of(parsed) == {(12, "状态", "bad_status")}
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    known = make_user("known", unit="BJ01")
    from app.roster import services as roster_services

    plan = roster_services.plan(roster.read("r.xlsx", book(
        [["100501", "新来的离职者", "BJ01", "柜员", "2021-03-15", "退休"],
         [known.employee_no, known.name, "BJ01", "柜员", "2021-03-15", "解聘"]])), None)
    assert [(row.employee_no, reason) for row, reason in plan.skipped] == [("100501", "left_before_joining")]
    assert [c.user_id for c in plan.leaving] == [known.id]


TEXT = "工号,姓名,机构代码,岗位,入职日期,状态\n100123,王小明,BJ01,柜员,2021/3/15,在职\n"


@pytest.mark.parametrize(("name", "content"), [
    ("utf8.csv", TEXT.encode("utf-8")),
    ("bom.csv", TEXT.encode("utf-8-sig")),
    ("gbk.csv", TEXT.encode("gbk")),
    ("gb18030.csv", TEXT.encode("gb18030")),
    ("unicode.txt", TEXT.replace(",", "\t").encode("utf-16")),  # Excel's "Unicode text"
])
def test_every_encoding_people_save_csv_in(name, content):
    parsed = roster.read(name, content)
    assert parsed.errors == [] and parsed.employees[0].name == "王小明"


def test_old_xls_workbooks_are_read_and_their_formulas_refused():
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("员工", cell_overwrite_ok=True)
    for row, values in enumerate([HEADER, ["000123", "王小明", "BJ01", "柜员", "2021-03-15", "在职"],
                                  ["000124", "李四", "BJ01", "柜员", "2021-03-15", "在职"]]):
        for column, value in enumerate(values):
            sheet.write(row, column, value)
    sheet.write(2, 1, xlwt.Formula('"李"&"四"'))
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = roster.read("用友导出.xls", buffer.getvalue())
    assert [e.employee_no for e in parsed.employees] == ["000123"]
    assert errors_of(parsed) == {(3, "姓名", "formula")}


def test_a_wps_workbook_with_absolute_part_names_is_read():
    content = book([["100123", "王小明", "BJ01", "柜员", "2021-03-15", "在职"]])
    wps = with_part_changed(content, "xl/_rels/workbook.xml.rels",
                            lambda data: data.replace(b'Target="worksheets/', b'Target="/xl/worksheets/'))
    parsed = roster.read("wps.et", wps)
    assert parsed.errors == [] and parsed.employees[0].name == "王小明"


def test_the_preview_lists_every_change_row_by_row_and_pages(client, make_user):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    mover = make_user("mover", unit="BJ01", name="调动者")
    changer = make_user("changer", unit="BJ01", name="改名前")
    login(client, "hr_ho")
    rows = [[f"2{n:05d}", f"新人{n}", "BJ01", "柜员", "2024-03-01", "在职"] for n in range(130)]
    rows += [[mover.employee_no, "调动者", "SH01", "柜员", "2024-03-01", "在职"],
             [changer.employee_no, "改名后", "BJ01", "柜员", "2024-03-01", "在职"],
             ["299999", "早已离职", "BJ01", "柜员", "2020-01-01", "离职"]]
    token = csrf_token(client, "/hr/roster")
    page = client.post("/hr/roster", data={"csrf_token": token, "file": (io.BytesIO(book(rows)), "r.xlsx")},
                       content_type="multipart/form-data", follow_redirects=True)
    upload = re.search(r"/hr/roster/preview/([0-9a-f]{32})", page.request.url).group(1)
    html = page.get_data(as_text=True)
    assert "新人0" in html and "新人99" in html and "新人100" not in html and "第1页，共2页" in html
    second = client.get(f"/hr/roster/preview/{upload}?section=new&page=2").get_data(as_text=True)
    assert "新人129" in second
    changed = client.get(f"/hr/roster/preview/{upload}?section=changed").get_data(as_text=True)
    assert "<del>改名前</del> → <ins>改名后</ins>" in changed
    moved = client.get(f"/hr/roster/preview/{upload}?section=transferred").get_data(as_text=True)
    assert "<del>BJ01</del> → <ins>SH01</ins>" in moved
    skipped = client.get(f"/hr/roster/preview/{upload}?section=skipped").get_data(as_text=True)
    assert "早已离职" in skipped and "无需处理" in skipped
    assert db.session.scalar(select(func.count()).select_from(User)) == 3  # the preview changed nothing


def test_the_command_line_speaks_the_page_s_sentences(runner, org, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(book([["100123", "王<明>", "BJ01", "柜员", "2021-03-15", "在职"]]))
    chinese = runner.invoke(args=["roster", "import", str(path)], env={"XIAOBAO_LANG": "zh_Hans"})
    assert chinese.exit_code != 0 and "第2行 B列（姓名）：含有姓名或名称中不允许的字符" in chinese.output
