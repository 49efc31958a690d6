"""Sentences shared by several features' pages and commands, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.uploads import UploadRefused


def sheet_problem(code: str) -> str:
    """Why a file cannot be read as a table at all (``core.sheets.SheetError`` codes), for every importer."""
    return {
        "unsupported_type": lambda: _("Only Excel workbooks (.xlsx, .xls, WPS files saved as .xlsx) and CSV or "
                                      "tab-separated text files can be imported."),
        "encoding": lambda: _("This text file is neither UTF-8, UTF-16 (Excel's Unicode text) nor GBK/GB18030."),
        "unreadable": lambda: _("This file cannot be read as an Excel workbook; it may be damaged or not really "
                                "an Excel file. Open it in Excel or WPS and save it again."),
        "too_many_rows": lambda: _("The file has more than 200,000 rows. Split it into smaller files."),
    }.get(code, lambda: code)()


def refusal_message(error: UploadRefused) -> str:
    """The sentence shown for a file refused before parsing (in the reader's language)."""
    return {
        "not_a_workbook": lambda: _("This file is not an Excel workbook (.xlsx). Save it from Excel or WPS as .xlsx "
                                    "and upload it again."),
        "too_many_parts": lambda: _("This workbook has %(count)d internal parts; at most %(limit)d are accepted. "
                                    "Save only the sheet to import in a new workbook.", **error.params),
        "too_large_unpacked": lambda: _("Unpacked, this workbook would take %(size)d MB; at most %(limit)d MB are "
                                        "accepted. Split it into smaller files.",
                                        size=error.params["size"] // 2**20, limit=error.params["limit"] // 2**20),
        "compression_ratio": lambda: _("This file is packed far more tightly than any real workbook, as a zip bomb "
                                       "is, and was not opened. Save the sheet again from Excel or WPS."),
    }[error.code]()
