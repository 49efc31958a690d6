"""Reading a staff roster exported by an HR system (CSV or XLSX). Pure Python: no Flask, no database.

Every problem is reported with its row number (as the spreadsheet shows it), the column header
as written in the file, and the reason. Headers may be Chinese or English.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from app.core.exceptions import CodedError
from app.core.text import EMAIL_RE
from app.core.uploads import ZipLimits, check_zip_package

EMPLOYEE_COLUMNS = {
    "employee_no": ("工号", "员工编号", "employee number", "employee_no", "employee no"),
    "name": ("姓名", "name"),
    "org_code": ("机构代码", "机构编码", "org unit code", "org_code", "org code"),
    "position": ("岗位", "职位", "position"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail"),
    "mobile": ("手机", "手机号", "手机号码", "mobile"),
    "hire_date": ("入职日期", "hire date", "hire_date"),
    "status": ("状态", "在职状态", "status"),
}
ORG_COLUMNS = {
    "code": ("机构代码", "机构编码", "org unit code", "code"),
    "name": ("机构名称", "name", "org unit name"),
    "parent_code": ("上级机构代码", "上级机构编码", "parent code", "parent_code"),
    "kind": ("机构类型", "类型", "kind", "type"),
}
REQUIRED_EMPLOYEE = ("employee_no", "name", "org_code", "position", "hire_date", "status")
ACTIVE_WORDS = {"在职", "active", "试用", "在岗"}
LEFT_WORDS = {"离职", "left", "inactive", "退休", "已离职"}
KIND_WORDS = {
    "总行": "head_office", "head office": "head_office", "head_office": "head_office",
    "分行": "branch", "branch": "branch",
    "支行": "sub_branch", "sub-branch": "sub_branch", "sub_branch": "sub_branch",
    "部门": "department", "department": "department",
}
MOBILE_RE = re.compile(r"^1\d{10}$")
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_ROWS = 200_000



@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.sheet} " if self.sheet else ""
        return f"{where}row {self.row}, column {self.column}: {self.reason}"


@dataclass(frozen=True)
class EmployeeRow:
    row: int
    employee_no: str
    name: str
    org_code: str
    position: str
    email: str | None
    mobile: str | None
    hire_date: date
    active: bool


@dataclass(frozen=True)
class OrgRow:
    row: int
    code: str
    name: str
    parent_code: str | None
    kind: str


@dataclass
class Roster:
    employees: list[EmployeeRow] = field(default_factory=list)
    org_units: list[OrgRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    employee_sheet: str = ""
    org_sheet: str = ""
    titles: dict[str, str] = field(default_factory=dict)  # field → header as written in the file
    org_titles: dict[str, str] = field(default_factory=dict)

    def employee_error(self, row: int, field_name: str, reason: str) -> RowError:
        return RowError(self.employee_sheet, row, self.titles.get(field_name, field_name), reason)

    def org_error(self, row: int, field_name: str, reason: str) -> RowError:
        return RowError(self.org_sheet, row, self.org_titles.get(field_name, field_name), reason)


class RosterFileError(CodedError):
    """The file cannot be read at all (wrong format, no header, too large); ``code`` says which."""


def read(filename: str, content: bytes, limits: ZipLimits = ZipLimits()) -> Roster:
    """Parse a roster file; CSV holds employees (or org units), XLSX may hold both sheets.

    A workbook is checked against ``limits`` before it is unpacked (UploadRefused)."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        check_zip_package(content, limits)
        sheets = _xlsx_sheets(content)
    elif lower.endswith(".csv"):
        sheets = [("", _csv_rows(content))]
    else:
        raise RosterFileError("unsupported_type")
    roster = Roster()
    for sheet, rows in sheets:
        if not rows:
            continue
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        if _match(header, ORG_COLUMNS, ("code", "name", "kind")) and not _match(header, EMPLOYEE_COLUMNS, ("employee_no",)):
            _read_orgs(sheet, header, rows[1:], roster)
        elif _match(header, EMPLOYEE_COLUMNS, ("employee_no", "name")):
            _read_employees(sheet, header, rows[1:], roster)
    if not roster.employees and not roster.org_units and not roster.errors:
        raise RosterFileError("no_header")
    return roster


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError("encoding")
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > MAX_ROWS:
        raise RosterFileError("too_many_rows")
    return rows


def _xlsx_sheets(content: bytes) -> list[tuple[str, list[list]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or non-xlsx file
        raise RosterFileError("unreadable") from exc
    sheets = []
    for sheet in workbook.worksheets:
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS:
                raise RosterFileError("too_many_rows")
        sheets.append((sheet.title, rows))
    workbook.close()
    return sheets


def _columns(header: list[str], spec: dict) -> dict[str, int]:
    found = {}
    for index, title in enumerate(header):
        key = title.strip().lower()
        for field_name, names in spec.items():
            if key in names and field_name not in found:
                found[field_name] = index
    return found


def _match(header, spec, needed) -> bool:
    columns = _columns(header, spec)
    return all(name in columns for name in needed)


def _cell(values: list, index: int | None):
    if index is None or index >= len(values):
        return None
    value = values[index]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_employees(sheet: str, header: list[str], rows: list[list], roster: Roster) -> None:
    columns = _columns(header, EMPLOYEE_COLUMNS)
    for name in REQUIRED_EMPLOYEE:
        if name not in columns:
            roster.errors.append(RowError(sheet, 1, EMPLOYEE_COLUMNS[name][0], "missing_column"))
    if any(e.row == 1 and e.reason == "missing_column" for e in roster.errors):
        return
    title = {name: header[index] for name, index in columns.items()}
    roster.employee_sheet, roster.titles = sheet, title
    seen: dict[str, int] = {}
    for offset, values in enumerate(rows, start=2):
        if all(v in (None, "") for v in values):
            continue
        errors_before = len(roster.errors)

        def fail(field_name, reason, row=offset):
            roster.errors.append(RowError(sheet, row, title.get(field_name, field_name), reason))

        raw = {name: _cell(values, index) for name, index in columns.items()}
        for name in REQUIRED_EMPLOYEE:
            if raw.get(name) in (None, ""):
                fail(name, "required")
        employee_no = str(raw.get("employee_no") or "").strip()
        if employee_no and not EMPLOYEE_NO_RE.match(employee_no):
            fail("employee_no", "bad_employee_no")
        if employee_no.lower() in seen:
            fail("employee_no", "duplicate_in_file")
        hire = _date(raw.get("hire_date"))
        if raw.get("hire_date") not in (None, "") and hire is None:
            fail("hire_date", "bad_date")
        email = raw.get("email")
        if email and not EMAIL_RE.match(str(email)):
            fail("email", "bad_email")
        mobile = _text(raw.get("mobile"))
        if mobile and not MOBILE_RE.match(mobile):
            fail("mobile", "bad_mobile")
        status = str(raw.get("status") or "").strip().lower()
        if status and status not in ACTIVE_WORDS | LEFT_WORDS:
            fail("status", "bad_status")
        if len(roster.errors) > errors_before:
            continue
        seen[employee_no.lower()] = offset
        roster.employees.append(EmployeeRow(
            offset, employee_no, _text(raw["name"]), _text(raw["org_code"]), _text(raw["position"]),
            str(email) if email else None, mobile or None, hire, status in ACTIVE_WORDS,
        ))


def _read_orgs(sheet: str, header: list[str], rows: list[list], roster: Roster) -> None:
    columns = _columns(header, ORG_COLUMNS)
    title = {name: header[index] for name, index in columns.items()}
    roster.org_sheet, roster.org_titles = sheet, title
    seen = set()
    for offset, values in enumerate(rows, start=2):
        if all(v in (None, "") for v in values):
            continue
        raw = {name: _text(_cell(values, index)) for name, index in columns.items()}
        errors_before = len(roster.errors)
        for name in ("code", "name", "kind"):
            if not raw.get(name):
                roster.errors.append(RowError(sheet, offset, title.get(name, name), "required"))
        kind = KIND_WORDS.get((raw.get("kind") or "").lower())
        if raw.get("kind") and kind is None:
            roster.errors.append(RowError(sheet, offset, title["kind"], "bad_kind"))
        if raw.get("code") in seen:
            roster.errors.append(RowError(sheet, offset, title["code"], "duplicate_in_file"))
        if len(roster.errors) > errors_before:
            continue
        seen.add(raw["code"])
        roster.org_units.append(OrgRow(offset, raw["code"], raw["name"], raw.get("parent_code") or None, kind))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores numeric codes and mobiles as numbers
    return str(value).strip()


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
