"""Forms of /admin/banks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, Length, Optional

from app.banks.importer import BY_EXTENSION
from app.banks.services import EXPORTS
from app.core.forms import SiteForm

NEW_BANK = "__new__"


class BankUploadForm(SiteForm):
    file = FileField(_l("Question bank file"), validators=[
        FileRequired(message=_l("Choose the question bank file.")),
        FileAllowed([ext.lstrip(".") for ext in BY_EXTENSION],
                    message=_l("Only .xlsx/.xls/.csv (题库), .xml (Moodle XML), .gift (GIFT) and .txt (Aiken) files "
                               "can be imported.")),
    ])
    target = SelectField(_l("Import into"), validate_choice=False)
    new_slug = StringField(_l("Name of the new bank"), validators=[Optional(), Length(max=100)],
                           description=_l("Lower-case letters, digits and '-', e.g. branch-quiz-2027; start with "
                                          "public/ for a public quiz pool."))
    title = StringField(_l("Title of the new bank"), validators=[Optional(), Length(max=200)])


class BankApplyForm(SiteForm):
    token = HiddenField()


class BankDownloadForm(SiteForm):
    """Exports and downloads hold answer keys: POSTed with CSRF and recorded in the audit trail."""

    slug = HiddenField()
    number = IntegerField(validators=[Optional()])
    format = HiddenField(validators=[AnyOf([*EXPORTS, "yaml", "original"])])
