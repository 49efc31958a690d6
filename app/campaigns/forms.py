"""The campaign editor for content admins."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.campaigns.services import MAX_TRACK_ROWS
from app.core.forms import SiteForm

SLUG = Regexp(r"^[a-z0-9][a-z0-9-]{0,99}$", message=_l("Use lower-case letters, digits and '-' (e.g. fraud-2027)."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TrackForm(Form):
    key = StringField(_l("Key"), validators=[Optional(), Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$",
                                                                  message=_l("Lower-case letters, digits and '-'."))])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=60)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=120)])
    pool = SelectField(_l("Question pool"), validators=[Optional()], validate_choice=False)


class CampaignForm(SiteForm):
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(), Length(max=100), SLUG])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    title_en = StringField(_l("Title in English (optional)"), validators=[Optional(), Length(max=160)])
    theme = StringField(_l("Theme"), validators=[DataRequired(), Length(max=120)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=600)])
    cover = SelectField(_l("Cover picture"), validate_choice=True)
    starts_on = DateField(_l("First day"), validators=[DataRequired(message=_l("Enter a date such as 2027-03-08."))])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(message=_l("Enter a date such as 2027-03-21."))])
    published = BooleanField(_l("Published on the public site"))
    attempts_per_day = IntegerField(_l("Plays per player per day"), validators=[DataRequired(), NumberRange(1, 50)])
    questions_per_play = IntegerField(_l("Questions per play"), validators=[DataRequired(), NumberRange(1, 50)])
    modules = MultiCheckboxField(_l("Reading modules"), validate_choice=True)
    tracks = FieldList(FormField(TrackForm), min_entries=MAX_TRACK_ROWS, max_entries=MAX_TRACK_ROWS)

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day is before the first day."))

    def validate_tracks(self, field):
        filled = [t for t in field.entries if t.form.key.data or t.form.title.data or t.form.pool.data]
        if not filled:
            raise ValidationError(_l("Add at least one track: a key, a title and a question pool."))
        for entry in filled:
            if not (entry.form.key.data and entry.form.title.data and entry.form.pool.data):
                raise ValidationError(_l("Each track needs a key, a title and a question pool."))
