"""Exports for performance assessment: rows streamed from the database, written as CSV or XLSX.

Memory stays flat whatever the size: rows are fetched in batches (yield_per) and CSV is sent as
it is produced; XLSX is written by openpyxl's write-only mode into a temporary file.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import and_, case, func, select

from app.assignments.models import Requirement, status_expression
from app.auth.models import User
from app.content.models import Course
from app.extensions import db
from app.org.models import OrgUnit
from app.quizzes.models import RunStatus, ScenarioRun
from app.reports.assessment import Formula

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


def assessment_rows(unit: OrgUnit, period: str, formula: Formula, today: date) -> Iterator[list]:
    """One row per employee with requirements in the unit and period (live figures)."""
    for row, _path in assessment_rows_with_paths(unit, period, formula, today):
        yield row


def assessment_rows_with_paths(unit: OrgUnit, period: str, formula: Formula, today: date) -> Iterator[tuple[list, str]]:
    """Live assessment rows, each with the employee's org path (kept in snapshots for scoping)."""
    done = Requirement.completed_at.is_not(None)
    on_time = func.sum(case((and_(done, func.date(Requirement.completed_at) <= Requirement.due_date), 1), else_=0))
    late = func.sum(case((and_(done, func.date(Requirement.completed_at) > Requirement.due_date), 1), else_=0))
    runs = select(ScenarioRun.user_id, func.avg(ScenarioRun.percent).label("avg")).where(
        ScenarioRun.status == RunStatus.FINISHED)
    if period.isdigit():
        runs = runs.where(ScenarioRun.finished_at >= f"{period}-01-01", ScenarioRun.finished_at < f"{int(period) + 1}-01-01")
    runs = runs.group_by(ScenarioRun.user_id).subquery()
    query = (
        select(User.employee_no, User.name, User.org_unit_id, User.position, func.max(Requirement.org_path),
               func.count(Requirement.id),
               on_time, late, func.avg(Requirement.score), func.max(runs.c.avg))
        .join(User, Requirement.user_id == User.id)
        .outerjoin(runs, runs.c.user_id == User.id)
        .where(_scope(unit, period))
        .group_by(User.id, User.employee_no, User.name, User.org_unit_id, User.position)
        .order_by(User.employee_no)
    )
    names = _unit_names()
    for number, name, org_id, position, path, required, in_time, after, exam, scenario in db.session.execute(
        query.execution_options(yield_per=BATCH)
    ):
        in_time, after = int(in_time or 0), int(after or 0)
        yield [number, name, names.get(org_id, ""), position, required, in_time, after, required - in_time - after,
               _round(exam), _round(scenario), formula.score(required, in_time, after, exam, scenario)], path


def requirement_rows(unit: OrgUnit, period: str, today: date, lang: str = "zh") -> Iterator[list]:
    """One row per employee, course and period in the unit."""
    status = status_expression(today).label("status")
    query = (
        select(User.employee_no, User.name, Requirement.org_path, Requirement.position, Course.slug,
               Requirement.period, Requirement.window_start, Requirement.due_date, status,
               Requirement.completed_at, Requirement.score)
        .join(User, Requirement.user_id == User.id)
        .join(Course, Requirement.course_id == Course.id)
        .where(_scope(unit, period))
        .order_by(Requirement.org_path, User.employee_no, Course.slug)
    )
    names, titles = _unit_names(), _course_titles()
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        number, name, path, position, slug, row_period, start, due, state, completed, score = row
        yield [number, name, org_path_names(path, names), position, titles.get(slug, slug), row_period,
               start.isoformat(), due.isoformat(), STATUS_NAMES[lang][state],
               completed.strftime("%Y-%m-%d %H:%M") if completed else "", _round(score)]


def _course_titles() -> dict[str, str]:
    from app.content.models import CourseVersion

    return {slug: title.get("zh_Hans", slug) for slug, title in db.session.execute(
        select(Course.slug, CourseVersion.title).join(CourseVersion, Course.current_version_id == CourseVersion.id)
    )}


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


def csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """CSV bytes in chunks as rows arrive, with a BOM so that Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for index, row in enumerate(rows, 1):
        writer.writerow(["" if value is None else value for value in row])
        if index % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(header: list[str], rows: Iterable[list], sheet: str):
    """A temporary file holding the workbook (write-only mode: constant memory); caller closes it."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(header)
    for row in rows:
        worksheet.append(row)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (handed to the response, which closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle
