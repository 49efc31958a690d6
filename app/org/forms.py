"""Roster upload form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField


class RosterUploadForm(FlaskForm):
    file = FileField(_l("Roster file (XLSX or CSV)"), validators=[
        FileRequired(message=_l("Choose the roster file exported from the HR system.")),
        FileAllowed(["xlsx", "csv"], message=_l("Only .xlsx and .csv files can be imported.")),
    ])


class RosterApplyForm(FlaskForm):
    token = HiddenField()
