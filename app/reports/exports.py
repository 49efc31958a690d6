"""Exports for performance assessment: rows streamed from the database, written as CSV or XLSX.

Memory stays flat whatever the size: rows are fetched in batches (yield_per) and CSV is sent as
it is produced; XLSX is written by openpyxl's write-only mode into a temporary file.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select

from app.assignments import rules
from app.assignments.models import Requirement, done_late, done_on_time, status_expression
from app.auth.models import User
from app.content.models import Course, CourseVersion
from app.core.time import business_midnight, business_time
from app.extensions import db
from app.org.models import OrgUnit
from app.quizzes.models import RunStatus, ScenarioRun
from app.reports.assessment import AssessmentRow, Formula

BATCH = 2000
ASSESSMENT_HEADERS = {
    "zh": ["工号", "姓名", "机构", "岗位", "应完成", "按时完成", "逾期完成", "未完成",
           "考试平均分", "情景模拟平均分", "考核得分"],
    "en": ["Employee number", "Name", "Org unit", "Position", "Required", "Completed on time", "Completed late",
           "Missing", "Average exam score", "Average role-play score", "Assessment score"],
}
REQUIREMENT_HEADERS = {
    "zh": ["工号", "姓名", "机构路径", "岗位", "课程", "周期", "开始日期", "截止日期", "状态", "完成时间", "成绩"],
    "en": ["Employee number", "Name", "Org path", "Position", "Course", "Period", "Window opens", "Due date",
           "Status", "Completed at", "Score"],
}
def period_label(period: str, lang: str) -> str:
    """A period as an export cell: 一次性 / 2026 / 2026年上半年 (one-time / 2026 / 2026 H1)."""
    if period == "once":
        return "one-time" if lang == "en" else "一次性"
    if period.endswith(("H1", "H2")):
        half = period[-2:]
        return f"{period[:4]} {half}" if lang == "en" else f"{period[:4]}年{'上' if half == 'H1' else '下'}半年"
    return period


STATUS_NAMES = {
    "zh": {"not_started": "未开始", "in_progress": "学习中", "completed_on_time": "按时完成",
           "completed_late": "逾期完成", "overdue": "已逾期"},
    "en": {"not_started": "not started", "in_progress": "in progress", "completed_on_time": "completed on time",
           "completed_late": "completed late", "overdue": "overdue"},
}


def _unit_names() -> dict[int, str]:
    return dict(db.session.execute(select(OrgUnit.id, OrgUnit.name)).all())


def org_path_names(path: str, names: dict[int, str]) -> str:
    """'/1/4/17/' → '示例银行总行/示例银行北京分行/…朝阳支行'."""
    return "/".join(names.get(int(part), part) for part in path.strip("/").split("/") if part)


def _scope(unit: OrgUnit, period: str):
    return and_(Requirement.active.is_(True), Requirement.period == period, Requirement.org_path.like(unit.path + "%"))


def assessment_rows(unit: OrgUnit, period: str, formula: Formula) -> Iterator[AssessmentRow]:
    """One row per employee with requirements in the unit and period (live figures)."""
    for row, _path in assessment_rows_with_paths(unit, period, formula):
        yield row


def assessment_rows_with_paths(unit: OrgUnit, period: str, formula: Formula) -> Iterator[tuple[AssessmentRow, str]]:
    """Live assessment rows, each with the employee's org path (kept in snapshots for scoping)."""
    names = _unit_names()
    for number, name, org_id, position, path, required, in_time, after, exam, scenario in db.session.execute(
        _assessment_query(unit, period).execution_options(yield_per=BATCH)
    ):
        in_time, after = int(in_time or 0), int(after or 0)
        yield AssessmentRow(number, name, names.get(org_id, ""), position, required, in_time, after,
                            required - in_time - after, _round(exam), _round(scenario),
                            formula.score(required, in_time, after, exam, scenario)), path


def _scenario_averages(period: str):
    """A subquery: each user's average percent over the role-plays they finished in the period."""
    runs = select(ScenarioRun.user_id, func.avg(ScenarioRun.percent).label("avg")).where(
        ScenarioRun.status == RunStatus.FINISHED)
    if bounds := rules.period_bounds(period):
        # the period's business days as instants (datetimes: PostgreSQL has no timestamptz >= varchar)
        runs = runs.where(ScenarioRun.finished_at >= business_midnight(bounds[0]),
                          ScenarioRun.finished_at < business_midnight(bounds[1] + timedelta(days=1)))
    return runs.group_by(ScenarioRun.user_id).subquery()


def _assessment_query(unit: OrgUnit, period: str):
    """Per employee: requirement counts, on time and late, average exam and role-play scores."""
    on_time = func.sum(case((done_on_time(), 1), else_=0))
    late = func.sum(case((done_late(), 1), else_=0))
    runs = _scenario_averages(period)
    return (
        select(User.employee_no, User.name, User.org_unit_id, User.position, func.max(Requirement.org_path),
               func.count(Requirement.id),
               on_time, late, func.avg(Requirement.score), func.max(runs.c.avg))
        .join(User, Requirement.user_id == User.id)
        .outerjoin(runs, runs.c.user_id == User.id)
        .where(_scope(unit, period))
        .group_by(User.id, User.employee_no, User.name, User.org_unit_id, User.position)
        .order_by(User.employee_no)
    )


def requirement_rows(unit: OrgUnit, period: str, today: date, lang: str = "zh") -> Iterator[list]:
    """One row per employee, course and period in the unit."""
    names, titles, statuses = _unit_names(), _course_titles(lang), STATUS_NAMES[lang]
    path_names: dict[str, str] = {}  # a few hundred org paths behind a million rows: name each one once
    # Core execution (no ORM entities here): rows stream in batches without per-row ORM bookkeeping
    query = _requirement_query(unit, period, today)
    for row in db.session.connection().execute(query.execution_options(yield_per=BATCH)):
        number, name, path, position, slug, row_period, start, due, state, completed, score = row
        org = path_names.get(path)
        if org is None:
            org = path_names[path] = org_path_names(path, names)
        yield [number, name, org, position, titles.get(slug, slug), period_label(row_period, lang),
               start, due, statuses[state], business_time(completed) if completed else None,
               None if score is None else round(float(score), 1)]


def _requirement_query(unit: OrgUnit, period: str, today: date):
    """Each requirement in the unit and period with its employee, course and status today."""
    status = status_expression(today).label("status")
    return (
        select(User.employee_no, User.name, Requirement.org_path, Requirement.position, Course.slug,
               Requirement.period, Requirement.window_start, Requirement.due_date, status,
               Requirement.completed_at, Requirement.score)
        .join(User, Requirement.user_id == User.id)
        .join(Course, Requirement.course_id == Course.id)
        .where(_scope(unit, period))
        .order_by(Requirement.org_path, User.employee_no, Course.slug)
    )


def _course_titles(lang: str = "zh") -> dict[str, str]:
    locale = "en" if lang == "en" else "zh_Hans"
    return {slug: title.get(locale) or title.get("zh_Hans", slug) for slug, title in db.session.execute(
        select(Course.slug, CourseVersion.title).join(CourseVersion, Course.current_version_id == CourseVersion.id)
    )}


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """A CSV cell: dates as ISO 8601 (times with their offset, e.g. 2026-12-05T01:30:00+08:00), and
    text that Excel and WPS show as text, never run as a formula (OWASP's rule: a text starting
    with = + - @ tab or carriage return gets a leading apostrophe)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """CSV bytes in chunks as rows arrive, with a BOM so that Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for index, row in enumerate(rows, 1):
        writer.writerow([inert(value) for value in row])  # the csv module writes None as an empty field
        if index % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue().encode("utf-8")


# A minimal SpreadsheetML package written by hand: openpyxl (even in write-only mode) spends ~60 µs
# per cell, which is over ten minutes for the 11 million cells of a 1,000,000-row export. Here each row
# is one string, and the zip is produced as it goes (data descriptors), so the download starts at
# once and memory stays flat. Strings are inline strings; numbers are numbers; None is an empty cell.
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
        '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '</styleSheet>'),
}
# XML 1.0 forbids these controls and the non-characters U+FFFE and U+FFFF (openpyxl refuses a file
# holding one, LibreOffice stops reading the sheet there): they are dropped
# (a carriage return is written as a reference: XML readers would turn a literal one into a line feed)
_XML_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;",
             **{c: None for c in (*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF)}}
# Excel holds at most 32,767 characters in a cell and will not open a file with a longer one:
# longer text is cut there (no export column comes near it; a free-text note could)
EXCEL_CELL_LIMIT = 32_767
_XML_DROP = {c: None for c, replacement in _XML_TEXT.items() if replacement is None}


EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (which counts a 29 February 1900)


def _serial(moment: datetime) -> float:
    """An Excel date-time serial of the wall-clock time ``moment`` shows (its offset is dropped)."""
    wall = moment.replace(tzinfo=None)
    days = (wall.date() - EXCEL_EPOCH).days
    return round(days + (wall.hour * 3600 + wall.minute * 60 + wall.second) / 86400, 6)


def _cell_text(value: str) -> str:
    """A cell's text as XML: forbidden characters dropped, cut at Excel's limit, then escaped."""
    kept = value.translate(_XML_DROP)
    return kept[:EXCEL_CELL_LIMIT].translate(_XML_TEXT)


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


class _Chunks:
    """A write-only file for zipfile that hands back what was written since the last call."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _workbook_xml(sheet: str) -> str:
    """The workbook part: one worksheet named ``sheet`` (escaped, cut at Excel's 31 characters)."""
    return (
        _XML_DECLARATION
        + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet.translate(_XML_TEXT)[:31]}" sheetId="1" r:id="rId1"/></sheets></workbook>')


def _inline_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _cell_xml(ref: str, value) -> str:
    """One cell at ``ref`` (A1 style) as XML, or '' where the sheet has no cell."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = _cell_text(value)  # nothing left (only forbidden characters): no cell
        return _inline_cell(ref, text) if text else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):  # a real date-time cell, on the wall clock it carries
        return f'<c r="{ref}" s="2"><v>{_serial(value)!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="1"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return _inline_cell(ref, _cell_text(str(value)))


def _row_xml(number: int, letters: list[str], row: list) -> str:
    cells = "".join(_cell_xml(f"{letter}{number}", value) for letter, value in zip(letters, row, strict=False))
    return f'<row r="{number}">{cells}</row>'


def _sheet_chunks(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The worksheet's XML, the header row first, in chunks of 1,000 rows."""
    letters = _column_letters(len(header))
    buffer = [_XML_DECLARATION + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for number, row in enumerate(itertools.chain([header], rows), 1):
        buffer.append(_row_xml(number, letters, row))
        if number % 1000 == 0:
            yield "".join(buffer)
            buffer.clear()
    buffer.append("</sheetData></worksheet>")
    yield "".join(buffer)


def xlsx_stream(header: list[str], rows: Iterable[list], sheet: str) -> Iterator[bytes]:
    """XLSX bytes in chunks as rows arrive (one worksheet named ``sheet``; constant memory)."""
    import zipfile

    out = _Chunks()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, text in _XLSX_PARTS.items():
            package.writestr(name, text)
        package.writestr("xl/workbook.xml", _workbook_xml(sheet))
        yield out.take()
        with package.open("xl/worksheets/sheet1.xml", "w") as part:
            for chunk in _sheet_chunks(header, rows):
                part.write(chunk.encode("utf-8"))
                yield out.take()
    yield out.take()
