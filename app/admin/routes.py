"""Content and account administration."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import queries
from app.admin.analysis import analyse
from app.admin.forms import AccountForm
from app.auth.decorators import role_required
from app.auth.models import Role, User
from app.auth.services import AccountError, issue_temporary_password, update_account
from app.core.forms import ConfirmForm
from app.extensions import db
from app.org.services import get_by_code, org_tree
from app.quizzes import scenario_services

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
    found = scenario_services.get_scenario(slug)
    if found is None:
        abort(404)
    version = found.current_version
    analysis = analyse(version.data, version.best_path, queries.ending_counts(version.id),
                       queries.choice_counts(version.id))
    return render_template("admin/scenario.html", scenario=found, version=version, analysis=analysis)


ACCOUNT_ERRORS = {
    "own_admin_access": ("roles", lambda: _("You cannot remove your own administrator role or deactivate "
                                            "yourself; ask another administrator.")),
    "no_role": ("roles", lambda: _("An account needs at least one role.")),
    "hr_needs_scope": ("hr_scope", lambda: _("Choose the part of the bank this HR account answers for.")),
}


def _account_form(user: User) -> AccountForm:
    form = AccountForm(obj=None if request.method == "POST" else user,
                       data=None if request.method == "POST" else {
                           "roles": [r.value for r in user.roles], "hr_scope": user.hr_scope.code if user.hr_scope else ""})
    names = {Role.EMPLOYEE: _("Employee"), Role.HR: _("HR / compliance"), Role.CONTENT_ADMIN: _("Content admin"),
             Role.ADMIN: _("Administrator")}
    form.roles.choices = [(role.value, names[role]) for role in Role]
    form.hr_scope.choices = [("", _("— none —"))] + [(u.code, f"{'· ' * u.depth}{u.name} ({u.code})")
                                                      for u in org_tree()]
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def account(user_id: int):
    """An account's roles, HR scope, status and email; changing roles or status signs it out everywhere."""
    user = db.get_or_404(User, user_id)
    form = _account_form(user)
    if form.validate_on_submit():
        try:
            update_account(user, roles={Role(r) for r in form.roles.data},
                           hr_scope=get_by_code(form.hr_scope.data) if form.hr_scope.data else None,
                           active=form.active.data, email=(form.email.data or "").strip() or None, actor=current_user)
        except AccountError as error:
            db.session.rollback()
            field_name, message = ACCOUNT_ERRORS[error.code]
            getattr(form, field_name).errors.append(message())
        else:
            db.session.commit()
            flash(_("Account saved."), "success")
            return redirect(url_for(".account", user_id=user.id))
    return render_template("admin/account.html", user=user, form=form,
                           confirm=ConfirmForm()), 400 if form.errors else 200


@bp.post("/users/<int:user_id>/temporary-password")
@role_required(Role.ADMIN)
def temporary_password(user_id: int):
    """Give an account a one-time password, shown once on this page and never stored in clear."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = db.get_or_404(User, user_id)
    password = issue_temporary_password(user, hasher=current_app.extensions["passwords"], actor=current_user)
    db.session.commit()
    response = render_template("admin/temporary_password.html", user=user, password=password)
    return response, 200, {"Cache-Control": "no-store"}
