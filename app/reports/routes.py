"""HR and compliance staff: completion figures for their own org subtree."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from app.auth.decorators import role_required
from app.auth.models import Role
from app.extensions import db
from app.learning import services as learning
from app.org.models import OrgUnit
from app.reports import queries

bp = Blueprint("reports", __name__, url_prefix="/hr")


def _scope() -> OrgUnit:
    """The HR user's own subtree; admins without a scope see the whole bank."""
    scope = current_user.hr_scope
    if scope is None and Role.ADMIN in current_user.roles:
        scope = db.session.scalar(db.select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
    if scope is None:
        abort(403)
    return scope


@bp.get("")
@role_required(Role.HR)
def overview():
    """Completion per course in my subtree, and per child unit for the chosen course."""
    scope = _scope()
    unit_code = request.args.get("unit")
    if unit_code:
        unit = db.session.scalar(db.select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None or not unit.is_within(scope):
            abort(404)
        scope = unit
    courses = learning.published_courses()
    course_rows = queries.course_figures(scope, courses)
    chosen = next((c for c in courses if c.slug == request.args.get("course")), courses[0] if courses else None)
    unit_rows = queries.child_unit_figures(scope, chosen) if chosen else []
    return render_template("reports/overview.html", scope=scope, course_rows=course_rows,
                           chosen=chosen, unit_rows=unit_rows, home_scope=_scope())
