"""Roster upload form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField

from app.core.forms import SiteForm


class RosterUploadForm(SiteForm):
    file = FileField(_l("Roster file (Excel or CSV)"), validators=[
        FileRequired(message=_l("Choose the roster file exported from the HR system.")),
        FileAllowed(["xlsx", "xls", "et", "csv", "txt", "tsv"],
                    message=_l("Only Excel workbooks (.xlsx, .xls, .et) and CSV or tab-separated text can be imported.")),
    ])


class RosterApplyForm(SiteForm):
    token = HiddenField()
