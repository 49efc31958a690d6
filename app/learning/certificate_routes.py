"""Certificate verification: anyone confirms that a certificate is genuine, without signing in."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from app.core import ratelimits
from app.core.forms import VerifyForm
from app.learning import services

bp = Blueprint("certificates", __name__)


@bp.get("/verify")
@ratelimits.limit("PUBLIC_RATE_LIMIT")
def verify_lookup():
    """The verification form posts here by GET; send the visitor to the code's page."""
    form = VerifyForm(request.args, meta={"csrf": False})
    if form.validate():
        return redirect(url_for("certificates.verify", code=form.code.data.strip().upper()))
    return render_template("core/verify_form.html", form=form), 400 if request.args else 200


@bp.get("/verify/<code>")
@ratelimits.limit("PUBLIC_RATE_LIMIT")
def verify(code: str):
    """The certificate's course, holder (name masked) and date, or a page saying the code is unknown."""
    completion = services.find_certificate(code)
    if completion is None:
        return render_template("core/verify_missing.html", code=code[:40]), 404
    return render_template("core/verify.html", completion=completion, masked_name=services.mask_name(completion.user.name))
