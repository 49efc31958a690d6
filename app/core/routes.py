"""Health check, language choice and robots.txt: the routes that belong to no feature."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask_login import current_user
from sqlalchemy import text

from app.core.forms import LanguageForm
from app.core.i18n import LOCALE_COOKIE
from app.core.redirects import redirect_back
from app.core.visitors import YEAR
from app.extensions import db

bp = Blueprint("core", __name__)


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
    response = redirect_back(form.next.data, "public.home")
    if form.validate_on_submit():
        response.set_cookie(LOCALE_COOKIE, form.locale.data, max_age=YEAR, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
    return response


@bp.get("/robots.txt")
def robots():
    """Keep crawlers out of the staff area."""
    return current_app.response_class("User-agent: *\nDisallow: /learn\nDisallow: /hr\nDisallow: /admin\n",
                                      mimetype="text/plain")


