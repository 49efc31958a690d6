"""Workbooks as Excel really saves them, for the importers' tests."""

from __future__ import annotations

import io
import re
import zipfile


def with_part_changed(content: bytes, part: str, change) -> bytes:
    """The workbook (a zip of XML parts) with ``part``'s bytes replaced by ``change(bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, change(data) if item.filename == part else data)
    return out.getvalue()


def with_cached_formula(content: bytes, cell: str, formula: str, cached: str) -> bytes:
    """The workbook with ``cell`` of its first sheet turned into a formula that carries a cached value,
    as Excel saves it (openpyxl writes formulas without one)."""
    return with_part_changed(content, "xl/worksheets/sheet1.xml", lambda data: re.sub(
        rf'<c r="{cell}"[^>]*>.*?</c>'.encode(), f'<c r="{cell}" t="str"><f>{formula}</f><v>{cached}</v></c>'.encode(),
        data))
