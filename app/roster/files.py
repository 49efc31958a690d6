"""Reading a staff roster as HR systems (北森, 用友, SAP SuccessFactors) and hand-kept Excel sheets
export it. Pure Python: no Flask, no database.

The header row is looked for in the first ten rows of every sheet (below titles, notes and blank
rows), decorated headers such as 工号（必填） match, and every problem is reported with its sheet,
row and column (letter and header as written) and a reason code the pages turn into a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from app.core.exceptions import CodedError
from app.core.sheets import (
    Header,
    Row,
    Sheet,
    SheetError,
    code_text,
    column_letter,
    excel_date,
    find_header,
    person_name,
    read_tables,
    refused_character,
)
from app.core.text import EMAIL_RE
from app.core.uploads import ZipLimits

EMPLOYEE_COLUMNS = {
    "employee_no": ("工号", "员工工号", "员工编号", "员工号", "职工号", "人员编号", "人员代码", "employee number",
                    "employee no", "employee id", "emp no", "personnel number", "person id", "user id", "employee_no"),
    "name": ("姓名", "员工姓名", "人员姓名", "名字", "name", "full name", "employee name"),
    "org_code": ("机构代码", "机构编码", "机构号", "部门编码", "部门代码", "组织编码", "组织代码", "网点号", "网点代码",
                 "org unit code", "org code", "organization code", "department code", "org_code"),
    "position": ("岗位", "岗位名称", "职位", "职位名称", "职务", "position", "job title", "job"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "邮件地址", "email", "e-mail", "mail"),
    "mobile": ("手机", "手机号", "手机号码", "移动电话", "联系电话", "mobile", "mobile phone", "phone"),
    "hire_date": ("入职日期", "入行日期", "到岗日期", "hire date", "start date", "date of joining", "hire_date"),
    "status": ("状态", "在职状态", "员工状态", "人员状态", "用工状态", "任职状态", "status", "employment status"),
}
ORG_COLUMNS = {
    "code": ("机构代码", "机构编码", "组织编码", "org unit code", "code"),
    "name": ("机构名称", "组织名称", "name", "org unit name"),
    "parent_code": ("上级机构代码", "上级机构编码", "上级组织编码", "parent code", "parent_code"),
    "kind": ("机构类型", "类型", "组织类型", "kind", "type"),
}
REQUIRED_EMPLOYEE = ("employee_no", "name", "org_code", "position", "hire_date", "status")
ACTIVE_WORDS = ("在职", "在岗", "试用", "试用期", "实习", "active")
LEFT_WORDS = ("离职", "已离职", "退休", "辞退", "解聘", "left", "inactive")
KIND_WORDS = {
    "总行": "head_office", "head office": "head_office", "head_office": "head_office",
    "分行": "branch", "branch": "branch",
    "支行": "sub_branch", "网点": "sub_branch", "sub-branch": "sub_branch", "sub_branch": "sub_branch",
    "部门": "department", "department": "department",
}
# the database columns' sizes (users, org_units): a longer value is a located error, the same on SQLite and PostgreSQL
MAX_LENGTH = {"employee_no": 32, "name": 80, "org_code": 32, "position": 64, "email": 255, "mobile": 20,
              "code": 32, "parent_code": 32}
MOBILE_RE = re.compile(r"^1\d{10}$")
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
DIGITS_RE = re.compile(r"^\d+$")


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str  # the header as written in the file
    reason: str
    letter: str = ""  # the column's letter (A, B…)
    params: tuple = ()  # (name, value) pairs for the sentence, e.g. (("suggestion", "000124"),)

    def __str__(self) -> str:
        where = f"{self.sheet} " if self.sheet else ""
        column = f"{self.letter} ({self.column})" if self.letter else self.column
        return f"{where}row {self.row}, column {column}: {self.reason}"

    @property
    def values(self) -> dict:
        return dict(self.params)


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
    number_was_numeric: bool = False  # the 工号 cell held a number (leading zeros may be lost)


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
    letters: dict[str, str] = field(default_factory=dict)  # field → column letter
    org_titles: dict[str, str] = field(default_factory=dict)
    org_letters: dict[str, str] = field(default_factory=dict)

    def employee_error(self, row: int, field_name: str, reason: str, **params) -> RowError:
        return RowError(self.employee_sheet, row, self.titles.get(field_name, field_name), reason,
                        self.letters.get(field_name, ""), tuple(params.items()))

    def org_error(self, row: int, field_name: str, reason: str, **params) -> RowError:
        return RowError(self.org_sheet, row, self.org_titles.get(field_name, field_name), reason,
                        self.org_letters.get(field_name, ""), tuple(params.items()))


class RosterFileError(CodedError):
    """The file cannot be read at all (type, encoding, damage, no header, too large); ``code`` says which."""


def read(filename: str, content: bytes, limits: ZipLimits = ZipLimits()) -> Roster:
    """Parse a roster file: CSV/TSV (UTF-8, GBK/GB18030, UTF-16), XLSX or XLS; any sheet may hold the
    employees, and a second one new org units. A workbook is checked against ``limits`` first."""
    try:
        sheets = read_tables(filename, content, limits)
    except SheetError as error:
        raise RosterFileError(error.code) from None
    roster = Roster()
    for sheet in sheets:
        org_header = find_header(sheet, ORG_COLUMNS, ("code", "name", "kind"))
        employee_header = find_header(sheet, EMPLOYEE_COLUMNS, ("employee_no", "name"))
        if employee_header is not None and not roster.employee_sheet and not roster.employees:
            _read_employees(sheet, employee_header, roster)
        elif org_header is not None and not roster.org_units:
            _read_orgs(sheet, org_header, roster)
    if not roster.employees and not roster.org_units and not roster.errors:
        raise RosterFileError("no_header")
    return roster


def _data_rows(sheet: Sheet, header: Header) -> list[Row]:
    start = sheet.rows.index(header.row) + 1
    return [row for row in sheet.rows[start:] if not row.is_blank()]


def _read_employees(sheet: Sheet, header: Header, roster: Roster) -> None:
    columns = header.columns
    roster.employee_sheet, roster.titles = sheet.name, dict(header.titles)
    roster.letters = {name: column_letter(index) for name, index in columns.items()}
    if _missing_columns(sheet, header, roster):
        return
    seen: set[str] = set()
    for row in _data_rows(sheet, header):
        key = code_text(row.value(columns["employee_no"])).lower()
        duplicate = bool(key) and key in seen
        if duplicate:
            roster.errors.append(roster.employee_error(row.number, "employee_no", "duplicate_in_file"))
        seen.add(key)
        employee = _employee(row, columns, roster, sheet.date1904)
        if employee is not None and not duplicate:
            roster.employees.append(employee)


def _missing_columns(sheet: Sheet, header: Header, roster: Roster) -> bool:
    """Report each required employee column the header lacks; True if any is missing."""
    missing = [name for name in REQUIRED_EMPLOYEE if name not in header.columns]
    for name in missing:
        roster.errors.append(RowError(sheet.name, header.row.number, EMPLOYEE_COLUMNS[name][0], "missing_column"))
    return bool(missing)


Fail = Callable[..., None]  # fail(field_name, reason, **params): report one problem of the row being read


def _employee(row: Row, columns: dict[str, int], roster: Roster, date1904: bool) -> EmployeeRow | None:
    """The row as an employee; None when it has problems (each one added to the roster's errors)."""
    before = len(roster.errors)

    def fail(field_name: str, reason: str, **params) -> None:
        roster.errors.append(roster.employee_error(row.number, field_name, reason, **params))

    if _has_formulas(row, columns, fail):
        return None
    raw = {name: row.value(index) for name, index in columns.items()}
    number, name, position = _person(raw, fail)
    org_code = code_text(raw.get("org_code"))
    email, mobile = _contact(raw, fail)
    hire, status = _hire_and_status(raw, date1904, fail)
    _check_lengths({"employee_no": number, "name": name, "org_code": org_code, "position": position,
                    "email": email or "", "mobile": mobile or ""}, fail)
    if len(roster.errors) > before:
        return None
    numeric = isinstance(raw.get("employee_no"), int | float) and not isinstance(raw.get("employee_no"), bool)
    return EmployeeRow(row.number, number, name, org_code, position, email, mobile, hire, status in ACTIVE_WORDS,
                       numeric)


def _has_formulas(row: Row, columns: dict[str, int], fail: Fail) -> bool:
    """Report each cell of the row that holds a formula (a roster takes values only); True if any does."""
    found = False
    for field_name, index in columns.items():
        if index < len(row.cells) and row.cells[index].formula:
            fail(field_name, "formula")
            found = True
    return found


def _person(raw: dict, fail: Fail) -> tuple[str, str, str]:
    """The employee number, name and position, checked after every required cell is."""
    for name in REQUIRED_EMPLOYEE:
        if raw.get(name) in (None, "") or (isinstance(raw[name], str) and not raw[name].strip()):
            fail(name, "required")
    number = code_text(raw.get("employee_no"))
    if number and not EMPLOYEE_NO_RE.match(number):
        fail("employee_no", "bad_employee_no")
    name = person_name(raw.get("name"))
    position = str(raw.get("position") or "").strip()
    for field_name, text in (("name", name), ("position", position)):
        if text and (char := refused_character(text)):
            fail(field_name, "refused_character", char=f"U+{ord(char):04X}")
    return number, name, position


def _contact(raw: dict, fail: Fail) -> tuple[str | None, str | None]:
    """The email (lower case) and the mobile number (without spaces, dashes or +86), checked."""
    email = code_text(raw.get("email")).lower() or None
    if email and not EMAIL_RE.match(email):
        fail("email", "bad_email")
    mobile = re.sub(r"[\s-]", "", code_text(raw.get("mobile"))).removeprefix("+86") or None
    if mobile and not MOBILE_RE.match(mobile):
        fail("mobile", "bad_mobile")
    return email, mobile


def _hire_and_status(raw: dict, date1904: bool, fail: Fail) -> tuple[date | None, str]:
    """The hire date and the status word (lower case), checked."""
    hire = excel_date(raw.get("hire_date"), date1904)
    if raw.get("hire_date") not in (None, "") and hire is None:
        fail("hire_date", "bad_date")
    status = code_text(raw.get("status")).lower()
    if status and status not in ACTIVE_WORDS + LEFT_WORDS:
        fail("status", "bad_status", words="、".join(w for w in ACTIVE_WORDS + LEFT_WORDS if not w.isascii()))
    return hire, status


def _check_lengths(values: dict[str, str], fail: Fail) -> None:
    for field_name, value in values.items():
        if len(value) > MAX_LENGTH[field_name]:
            fail(field_name, "too_long", limit=MAX_LENGTH[field_name])


def _read_orgs(sheet: Sheet, header: Header, roster: Roster) -> None:
    columns = header.columns
    roster.org_sheet, roster.org_titles = sheet.name, dict(header.titles)
    roster.org_letters = {name: column_letter(index) for name, index in columns.items()}
    seen: set[str] = set()
    for row in _data_rows(sheet, header):
        org = _org_unit(row, columns, roster, seen)
        if org is not None:
            seen.add(org.code.lower())
            roster.org_units.append(org)


def _org_unit(row: Row, columns: dict[str, int], roster: Roster, seen: set[str]) -> OrgRow | None:
    """The row as a new org unit; None when it has problems (each one added to the roster's errors)."""
    before = len(roster.errors)

    def fail(field_name: str, reason: str, **params) -> None:
        roster.errors.append(roster.org_error(row.number, field_name, reason, **params))

    _has_formulas(row, columns, fail)
    raw = {name: code_text(row.value(index)) for name, index in columns.items()}
    raw["name"] = person_name(row.value(columns["name"]))
    kind = _org_kind(raw, seen, fail)
    if len(roster.errors) > before:
        return None
    return OrgRow(row.number, raw["code"], raw["name"], raw.get("parent_code") or None, kind)


def _org_kind(raw: dict[str, str], seen: set[str], fail: Fail) -> str | None:
    """The unit's kind, once every cell of the org row is checked."""
    for name in ("code", "name", "kind"):
        if not raw.get(name):
            fail(name, "required")
    kind = KIND_WORDS.get((raw.get("kind") or "").lower())
    if raw.get("kind") and kind is None:
        fail("kind", "bad_kind")
    if raw.get("code") and raw["code"].lower() in seen:
        fail("code", "duplicate_in_file")
    if raw.get("name") and (char := refused_character(raw["name"])):
        fail("name", "refused_character", char=f"U+{ord(char):04X}")
    _check_lengths({name: raw.get(name) or "" for name in ("code", "parent_code")}, fail)
    if len(raw.get("name") or "") > 120:
        fail("name", "too_long", limit=120)
    return kind


def usual_number_length(numbers: list[str]) -> int | None:
    """The length most employee numbers made of digits have (None when there are too few to tell)."""
    lengths: dict[int, int] = {}
    for number in numbers:
        if DIGITS_RE.match(number):
            lengths[len(number)] = lengths.get(len(number), 0) + 1
    if sum(lengths.values()) < 3:
        return None
    return max(lengths, key=lambda n: (lengths[n], n))


def pad_numbers(roster: Roster, width: int) -> None:
    """Give back the leading zeros Excel dropped: numeric 工号 cells shorter than ``width`` digits."""
    roster.employees = [
        EmployeeRow(**{**row.__dict__, "employee_no": row.employee_no.zfill(width)})
        if row.number_was_numeric and DIGITS_RE.match(row.employee_no) and len(row.employee_no) < width else row
        for row in roster.employees
    ]
