"""HR users create and revoke the API tokens of their HR systems (/hr/api-tokens)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.api import services
from app.api.models import ApiToken
from app.auth.decorators import role_required
from app.auth.models import Role
from app.core.forms import ConfirmForm, SiteForm
from app.extensions import db

bp = Blueprint("api_tokens", __name__, url_prefix="/hr/api-tokens")


class TokenForm(SiteForm):
    name = StringField(_l("What the token is for"), validators=[
        DataRequired(message=_l("Name the system that will use the token.")), Length(max=80)],
        render_kw={"placeholder": "HR system / 绩效考核系统"})


@bp.route("", methods=["GET", "POST"])
@role_required(Role.HR)
def index():
    """My tokens; a new one is shown once, right after it is created."""
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _record, new_token = services.create_token(current_user, form.name.data)
        db.session.commit()
    response = render_template("api/tokens.html", form=form, tokens=services.tokens_of(current_user),
                               new_token=new_token, confirm=ConfirmForm())
    return response, 400 if form.errors else 200, {"Cache-Control": "no-store"}


@bp.post("/<int:token_id>/revoke")
@role_required(Role.HR)
def revoke(token_id: int):
    """Revoke one of my tokens (someone else's is not found)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    record = db.get_or_404(ApiToken, token_id)
    if record.user_id != current_user.id:  # someone else's token: as if it did not exist
        abort(404)
    services.revoke_token(record, current_user)
    db.session.commit()
    flash(_("Token revoked: systems using it are refused from now on."), "info")
    return redirect(url_for(".index"))
