"""Forms of the public site (every one CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import SiteForm
from app.core.multilingual import pick
from app.core.templating import current_locale
from app.public.players import NICKNAME_MAX, REGIONS


class StartForm(SiteForm):
    """Entry to a campaign quiz: a track, and optionally a nickname and a region. Nothing else."""

    track = RadioField(_l("Who are you playing as?"), validators=[DataRequired(message=_l("Choose a track first."))],
                       validate_choice=True)
    nickname = StringField(_l("Nickname for the leaderboard (optional)"),
                           validators=[Optional(), Length(max=NICKNAME_MAX * 3)])
    region = SelectField(_l("Your province or region (optional)"), validators=[Optional()], validate_choice=True)

    def __init__(self, *args, tracks=(), **kwargs):
        super().__init__(*args, **kwargs)
        locale = current_locale()
        self.track.choices = [SelectChoice(t.key, pick(t.title, locale)) for t in tracks]
        if len(tracks) == 1 and not self.track.data:
            self.track.data = tracks[0].key
        self.region.choices = [SelectChoice("", _l("Prefer not to say"))] + [SelectChoice(r, r) for r in REGIONS]
