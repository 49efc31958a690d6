"""The learner's own page of courses (/learn): what is due, by when, and how each course stands."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.assignments import dashboard as courses

bp = Blueprint("my_courses", __name__, url_prefix="/learn")


@bp.get("")
@login_required
def dashboard():
    """My courses: due first, then status, progress, best score, certificate."""
    return render_template("learning/dashboard.html", rows=courses.dashboard(current_user))
