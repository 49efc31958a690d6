"""Sentences shared by several features' pages and commands, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.uploads import UploadRefused


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
