"""The streamed XLSX writer against any text a name, a course title or a note can hold.

Why it stays hand-written (rather than XlsxWriter in constant_memory mode): it streams the
package while rows arrive (the download starts at once, memory stays flat for a million rows) and
writes a row as one string; what it must get right is proven here, whatever the text.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from app.reports.exports import EXCEL_CELL_LIMIT, xlsx_stream

XML_FORBIDDEN = {*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF}
HEADER = ["工号", "姓名", "说明", "数量", "日期"]


def _as_written(text: str) -> str:
    """What a cell keeps of ``text``: XML's forbidden characters dropped, then Excel's cell limit."""
    return "".join(c for c in text if ord(c) not in XML_FORBIDDEN)[:EXCEL_CELL_LIMIT]


def _workbook(rows) -> bytes:
    return b"".join(xlsx_stream(HEADER, rows, "明细"))


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)  # no lone surrogates: not UTF-8 text
rows = st.lists(st.tuples(texts, texts, st.one_of(st.none(), texts), st.integers(-10**9, 10**9),
                          st.dates(date(1990, 1, 1), date(2100, 12, 31))), max_size=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_any_text_gives_a_workbook_both_readers_read_back_whole(data):
    content = _workbook([list(row) for row in data])
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    by_openpyxl = [list(row) for row in sheet.iter_rows(values_only=True)]
    by_calamine = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(by_openpyxl) == len(data) + 1 and len(by_calamine) == len(data) + 1  # every row present
    assert by_openpyxl[0] == HEADER
    for (number, name, note, count, day), read, calamine in zip(data, by_openpyxl[1:], by_calamine[1:], strict=True):
        expected = [_as_written(number) or None, _as_written(name) or None,
                    (_as_written(note) or None) if note is not None else None, count]
        assert read[:4] == expected
        assert read[4].date() == day  # a real date cell
        assert [value or None for value in calamine[:2]] == expected[:2]


def test_formula_looking_text_stays_text_and_a_40000_character_cell_is_cut_to_excels_limit():
    long = "长" * 40_000
    content = _workbook([["=1+1", "+86 138", "-5", "@SUM(A1)"], [long, "\ufffe\uffff好", "a\x00b", "\x1b[31m"]])
    values = [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert values[1][:4] == ["=1+1", "+86 138", "-5", "@SUM(A1)"]  # inline strings: never formulas
    assert values[2][0] == "长" * EXCEL_CELL_LIMIT and values[2][1:4] == ["好", "ab", "[31m"]
    formulas = load_workbook(io.BytesIO(content), data_only=False).active["A2"]
    assert formulas.data_type == "s"


def test_times_are_written_on_the_wall_clock_they_carry():
    beijing = timezone(timedelta(hours=8))
    content = _workbook([["x", "y", None, 1, datetime(2026, 12, 5, 1, 30, tzinfo=beijing)]])
    cell = load_workbook(io.BytesIO(content)).active["E2"]
    assert cell.value == datetime(2026, 12, 5, 1, 30) and cell.is_date
