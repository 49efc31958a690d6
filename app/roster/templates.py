"""Roster templates HR can fill in (Chinese headers, as HR systems in China export them)."""

from __future__ import annotations

import csv
import io

EMPLOYEE_HEADER = ["工号", "姓名", "机构代码", "岗位", "邮箱", "手机", "入职日期", "状态"]
EMPLOYEE_EXAMPLE = ["E200001", "王小明", "XB110001", "柜员", "wangxm@example.com", "13800000000", "2024-03-01", "在职"]
ORG_HEADER = ["机构代码", "机构名称", "上级机构代码", "机构类型"]
ORG_EXAMPLE = ["XB110005", "示例银行北京分行亦庄支行", "XB1100", "支行"]


def csv_text() -> str:
    """The employee template as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EMPLOYEE_HEADER)
    writer.writerow(EMPLOYEE_EXAMPLE)
    return buffer.getvalue()


def xlsx() -> bytes:
    """The template as a workbook: an 员工 sheet and a 机构 sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    employees = workbook.active
    employees.title = "员工"
    employees.append(EMPLOYEE_HEADER)
    employees.append(EMPLOYEE_EXAMPLE)
    units = workbook.create_sheet("机构")
    units.append(ORG_HEADER)
    units.append(ORG_EXAMPLE)
    for sheet in (employees, units):
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
