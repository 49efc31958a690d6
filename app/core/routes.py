"""Home, health check, language choice and public certificate verification."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from app.core.forms import LanguageForm, VerifyForm
from app.core.redirects import redirect_back
from app.extensions import db, limiter
from app.learning import services as learning

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    """The public home page: campaigns, reading modules, certificate check, staff sign-in."""
    from app.public.routes import home

    return home()


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability for load balancers and monitoring."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        current_app.logger.error("health check: database unreachable: %s", exc)
        db.session.rollback()
        return jsonify(status="error", db="error"), 503
    return jsonify(status="ok", db="ok")


@bp.post("/language")
def set_language():
    """Remember the chosen interface language (on the account when signed in)."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
    return redirect_back(form.next.data, "core.index")


@bp.get("/verify")
@limiter.limit(lambda: current_app.config["PUBLIC_RATE_LIMIT"])
def verify_lookup():
    """The verification form posts here by GET; send the visitor to the code's page."""
    form = VerifyForm(request.args, meta={"csrf": False})
    if form.validate():
        return redirect(url_for("core.verify", code=form.code.data.strip().upper()))
    return render_template("core/verify_form.html", form=form), 400 if request.args else 200


@bp.get("/verify/<code>")
@limiter.limit(lambda: current_app.config["PUBLIC_RATE_LIMIT"])
def verify(code: str):
    """Anyone can confirm that a certificate is genuine, without signing in."""
    completion = learning.find_certificate(code)
    if completion is None:
        return render_template("core/verify_missing.html", code=code[:40]), 404
    return render_template(
        "core/verify.html", completion=completion,
        masked_name=learning.mask_name(completion.user.name),
    )


@bp.get("/robots.txt")
def robots():
    """Keep crawlers out of the staff area."""
    return current_app.response_class("User-agent: *\nDisallow: /learn\nDisallow: /hr\nDisallow: /admin\n",
                                      mimetype="text/plain")


