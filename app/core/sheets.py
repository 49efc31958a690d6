"""Reading the spreadsheets people really have: CSV in any of the encodings Excel and WPS write,
XLSX (also as saved by WPS) and the old binary XLS. Pure Python: no Flask, no database.

Every cell keeps its row number as the spreadsheet shows it and whether it holds a formula, so
that importers can point at the exact cell and refuse formulas whether or not a value was cached.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.core.exceptions import CodedError
from app.core.uploads import ZipLimits, check_zip_package

MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 10
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SheetError(CodedError):
    """The file cannot be read as a table: ``unsupported_type``, ``encoding``, ``unreadable``, ``too_many_rows``."""


@dataclass(frozen=True)
class Cell:
    value: object  # str, int, float, bool, date, datetime or None
    formula: bool = False


@dataclass
class Row:
    number: int  # as the spreadsheet shows it (1-based)
    cells: list[Cell]

    def value(self, index: int | None):
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index].value

    def is_blank(self) -> bool:
        return all(c.value in (None, "") and not c.formula for c in self.cells)


@dataclass
class Sheet:
    name: str
    rows: list[Row] = field(default_factory=list)
    date1904: bool = False


# --- opening files ---------------------------------------------------------------------------


def read_tables(filename: str, content: bytes, limits: ZipLimits = ZipLimits()) -> list[Sheet]:
    """Every sheet of a workbook, or the one table of a CSV/TSV file."""
    kind = _kind(filename, content)
    if kind == "csv":
        return [Sheet("", _csv_rows(content))]
    if kind == "xlsx":
        check_zip_package(content, limits)
        return _workbook(content, _xlsx_formulas(content), _xlsx_date1904(content))
    if kind == "xls":
        formulas, date1904 = _xls_formulas(content)
        return _workbook(content, formulas, date1904)
    raise SheetError("unsupported_type")


def _kind(filename: str, content: bytes) -> str | None:
    lower = filename.lower()
    if content.startswith(ZIP_MAGIC):  # .xlsx, .xlsm, WPS .et saved as xlsx, or an .xls that is really xlsx
        return "xlsx" if lower.endswith((".xlsx", ".xlsm", ".xls", ".et")) else None
    if content.startswith(OLE_MAGIC):
        return "xls" if lower.endswith((".xls", ".et", ".xlsx")) else None
    if lower.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    if lower.endswith((".xlsx", ".xls", ".et")):
        raise SheetError("unreadable")
    return None


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", with BOM) or GB18030 (GBK)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SheetError("encoding") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("encoding")


def _csv_rows(content: bytes) -> list[Row]:
    text = decode_text(content)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = []
    for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        if number > MAX_ROWS + HEADER_SCAN_ROWS:
            raise SheetError("too_many_rows")
        rows.append(Row(number, [Cell(v) for v in values]))
    return rows


def _workbook(content: bytes, formulas: dict[str, set[tuple[int, int]]], date1904: bool) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise SheetError("unreadable") from exc
    try:
        return [_sheet(name, book.get_sheet_by_name(name), formulas.get(name, set()), date1904)
                for name in book.sheet_names]
    finally:
        book.close()


def _sheet(name: str, sheet, cells_with_formula: set[tuple[int, int]], date1904: bool) -> Sheet:
    """One calamine sheet as rows of cells numbered as Excel shows them, formula cells marked."""
    first_row, first_col = sheet.start or (0, 0)
    if sheet.height > MAX_ROWS + HEADER_SCAN_ROWS:
        raise SheetError("too_many_rows")
    table = Sheet(name, date1904=date1904)
    for offset, values in enumerate(sheet.to_python(skip_empty_area=True)):
        row_index = first_row + offset
        table.rows.append(Row(row_index + 1, [
            Cell(_plain(value), (row_index, first_col + col) in cells_with_formula)
            for col, value in enumerate(values)
        ]))
    if first_col:  # keep column positions as the sheet shows them
        for row in table.rows:
            row.cells[:0] = [Cell(None)] * first_col
    return table


def _plain(value):
    """calamine's empty cell is ''; a whole number typed in Excel arrives as 124.0."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# --- formulas, which a value-only reader cannot see ------------------------------------------

_CELL_WITH_FORMULA = re.compile(rb'<c\b[^>]*\br="([A-Z]{1,3})(\d+)"[^>]*>(?:(?!</c>).)*?<f\b', re.S)


def _xlsx_formulas(content: bytes) -> dict[str, set[tuple[int, int]]]:
    """{sheet name: {(row, column), 0-based}} of every cell with a formula in an XLSX package."""
    package = zipfile.ZipFile(io.BytesIO(content))
    try:
        workbook = package.read("xl/workbook.xml")
        rels = package.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    found = {}
    for name, path in _sheet_parts(workbook, rels):
        try:
            xml = package.read(path)
        except KeyError:
            continue
        if b"<f" not in xml:
            continue
        found[_xml_unescape(name.decode("utf-8"))] = {
            (int(row) - 1, column_index(col.decode())) for col, row in _CELL_WITH_FORMULA.findall(xml)}
    return found


def _sheet_parts(workbook: bytes, rels: bytes) -> list[tuple[bytes, str]]:
    """(name as written, path in the package) of each sheet the workbook lists."""
    targets = dict(re.findall(rb'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    parts = []
    for name, rel_id in re.findall(rb'<sheet\b[^>]*name="([^"]*)"[^>]*r:id="([^"]+)"', workbook):
        target = targets.get(rel_id, b"").decode()
        parts.append((name, target.lstrip("/") if target.startswith("/") else f"xl/{target}"))
    return parts


def _xlsx_date1904(content: bytes) -> bool:
    try:
        workbook = zipfile.ZipFile(io.BytesIO(content)).read("xl/workbook.xml")
    except KeyError:
        return False
    return bool(re.search(rb'date1904="(1|true)"', workbook))


def _xml_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")


def _xls_formulas(content: bytes) -> tuple[dict[str, set[tuple[int, int]]], bool]:
    """Formula cells and the 1904 date system of a BIFF8 .xls workbook, from its record stream."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(content)) as ole:
            stream = ole.openstream("Workbook" if ole.exists("Workbook") else "Book").read()
    except (OSError, ValueError) as exc:
        raise SheetError("unreadable") from exc
    sheets, date1904 = _biff_globals(stream)
    return {name: _biff_formula_cells(stream, start) for start, name in sheets}, date1904


def _biff_globals(stream: bytes) -> tuple[list[tuple[int, str]], bool]:
    """From the workbook globals: (stream offset, name) of each sheet, and whether dates count from 1904."""
    sheets: list[tuple[int, str]] = []
    date1904 = False
    for record, data in _biff_records(stream, 0):
        if record == 0x0085 and len(data) >= 8:  # BOUNDSHEET8: stream offset of the sheet, its name
            sheets.append((struct.unpack_from("<I", data)[0], _biff_short_string(data, 6)))
        elif record == 0x0022 and len(data) >= 2:  # DATEMODE
            date1904 = struct.unpack_from("<H", data)[0] == 1
        elif record == 0x000A:  # EOF of the workbook globals
            break
    return sheets, date1904


def _biff_formula_cells(stream: bytes, start: int) -> set[tuple[int, int]]:
    """(row, column) of each FORMULA record of the sheet whose records begin at ``start``."""
    cells = set()
    for record, data in _biff_records(stream, start):
        if record == 0x0006 and len(data) >= 4:  # FORMULA: row, column
            cells.add(struct.unpack_from("<HH", data))
        elif record == 0x000A:
            break
    return cells


def _biff_records(stream: bytes, position: int) -> Iterable[tuple[int, bytes]]:
    while position + 4 <= len(stream):
        record, length = struct.unpack_from("<HH", stream, position)
        yield record, stream[position + 4:position + 4 + length]
        position += 4 + length


def _biff_short_string(data: bytes, at: int) -> str:
    length, flags = data[at], data[at + 1]
    raw = data[at + 2:]
    return raw[:length * 2].decode("utf-16-le") if flags & 1 else raw[:length].decode("latin-1")


def column_index(letters: str) -> int:
    """'A' → 0, 'AB' → 27."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def column_letter(index: int) -> str:
    """0 → 'A', 27 → 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- headers ---------------------------------------------------------------------------------

_DECORATION = re.compile(r"[\(\[【〔（][^\)\]】〕）]*[\)\]】〕）]|[*＊:：\s]")


def header_key(title) -> str:
    """A header as compared with the known names: '工号（必填）' → '工号', 'Employee\\nNo.' → 'employeeno.'."""
    text = unicodedata.normalize("NFKC", str(title or ""))
    return _DECORATION.sub("", text).lower().replace("_", "").replace("-", "").replace(".", "")


@dataclass(frozen=True)
class Header:
    row: Row
    columns: dict[str, int]  # field → column index
    titles: dict[str, str]  # field → header as written


def find_header(sheet: Sheet, names: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Header | None:
    """The first row among the first ten non-blank ones that names every ``required`` field."""
    keyed = {field_name: {header_key(n) for n in synonyms} for field_name, synonyms in names.items()}
    seen = 0
    for row in sheet.rows:
        if row.is_blank():
            continue
        seen += 1
        if seen > HEADER_SCAN_ROWS:
            return None
        columns, titles = {}, {}
        for index, cell in enumerate(row.cells):
            key = header_key(cell.value)
            for field_name, wanted in keyed.items():
                if key and key in wanted and field_name not in columns:
                    columns[field_name], titles[field_name] = index, str(cell.value).strip()
        if all(name in columns for name in required):
            return Header(row, columns, titles)
    return None


# --- values ----------------------------------------------------------------------------------

_BIDI = {*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S",
                "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")
_DATE_LIKE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")


def refused_character(text: str) -> str | None:
    """The first character an imported name may not hold: markup, a control or invisible direction mark,
    a Unicode non-character (U+FFFE, U+FFFF…)."""
    for char in text:
        code = ord(char)
        if char in "<>" or unicodedata.category(char) == "Cc" or code in _BIDI or (
                0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE):
            return char
    return None


def code_text(value) -> str:
    """A code or number as text: NFKC (full-width → half-width), trimmed, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def person_name(value) -> str:
    """A name as stored: trimmed; inside a Chinese name the full-width spaces people type are removed."""
    text = str(value or "").strip().strip("\u3000")
    if any("\u4e00" <= char <= "\u9fff" for char in text):
        text = text.replace("\u3000", "")
    return text


def excel_date(value, date1904: bool = False) -> date | None:
    """A date from a date cell, an Excel serial number (1900 or 1904 system) or text such as 2021/3/15,
    2021年3月15日 or 2021.3.15; None when the value is no date (an impossible date included)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial_date(value, date1904)
    return _text_date(code_text(value))


def _serial_date(value: float, date1904: bool) -> date | None:
    if not 1 <= value < 2958466:  # 9999-12-31
        return None
    base = date(1904, 1, 1) if date1904 else date(1899, 12, 30)  # 1900 system counts a false 29 Feb 1900
    return base + timedelta(days=int(value))


def _text_date(text: str) -> date | None:
    """A date written as text (2021/3/15, 2021年3月15日, 2021.3.15, a time may follow); None for anything else."""
    match = _DATE_LIKE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
