"""Content and account administration."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from app.admin import queries
from app.admin.analysis import analyse
from app.auth.decorators import role_required
from app.auth.models import Role, User
from app.auth.services import issue_temporary_password
from app.core.forms import ConfirmForm
from app.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.get("")
@role_required(Role.CONTENT_ADMIN)
def content():
    """Courses and question banks as loaded by `flask content sync`, with their versions."""
    return render_template("admin/content.html", courses=queries.courses_with_versions(),
                           quizzes=queries.quizzes_with_counts(), last_sync=queries.last_sync())


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """Accounts, searchable by name, username or employee number, filterable by role."""
    term = request.args.get("q", "").strip()[:64]
    role = request.args.get("role") or None
    page = db.paginate(queries.users_query(term, role), per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", page=page, term=term, role=role, roles=list(Role), form=ConfirmForm())


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    """The audit trail, newest first."""
    page = db.paginate(queries.audit_query(), per_page=PAGE_SIZE, error_out=False)
    actors = queries.users_by_id({e.actor_id for e in page.items if e.actor_id})
    return render_template("admin/audit.html", page=page, actors=actors)


@bp.get("/scenarios")
@role_required(Role.CONTENT_ADMIN)
def scenarios():
    """Every role-play with its runs, pass rate and average score."""
    return render_template("admin/scenarios.html", rows=queries.scenario_figures())


@bp.get("/scenarios/<slug>")
@role_required(Role.CONTENT_ADMIN)
def scenario(slug: str):
    """Where staff go wrong: endings reached and, for every node, the share choosing each reply."""
    from app.quizzes import scenario_services

    found = scenario_services.get_scenario(slug)
    if found is None:
        abort(404)
    version = found.current_version
    analysis = analyse(version.data, version.best_path, queries.ending_counts(version.id),
                       queries.choice_counts(version.id))
    return render_template("admin/scenario.html", scenario=found, version=version, analysis=analysis)


@bp.post("/users/<int:user_id>/temporary-password")
@role_required(Role.ADMIN)
def temporary_password(user_id: int):
    """Give an account a one-time password, shown once on this page and never stored in clear."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    password = issue_temporary_password(user, hasher=current_app.extensions["passwords"], actor=current_user)
    db.session.commit()
    response = render_template("admin/temporary_password.html", user=user, password=password)
    return response, 200, {"Cache-Control": "no-store"}
