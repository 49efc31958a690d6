"""Workbooks as Excel really saves them, for the importers' tests."""

from __future__ import annotations

import io
import re
import zipfile


def with_cached_formula(content: bytes, cell: str, formula: str, cached: str) -> bytes:
    """The workbook with ``cell`` of its first sheet turned into a formula that carries a cached value,
    as Excel saves it (openpyxl writes formulas without one)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rf'<c r="{cell}"[^>]*>.*?</c>'.encode(),
                              f'<c r="{cell}" t="str"><f>{formula}</f><v>{cached}</v></c>'.encode(), data)
            target.writestr(item, data)
    return out.getvalue()
