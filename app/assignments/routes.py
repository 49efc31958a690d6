"""HR: assign courses to org units and positions, with due rules and annual re-certification."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.assignments import messages, queries, rules, services
from app.assignments.forms import AssignmentForm, month_day
from app.assignments.models import Assignment
from app.auth.decorators import role_required
from app.auth.models import Role
from app.auth.services import hr_scope_of
from app.core.forms import ConfirmForm
from app.core.time import business_today
from app.extensions import db
from app.learning.services import published_courses
from app.org.models import OrgUnit
from app.org.services import get_by_code, limit_below_root

bp = Blueprint("assignments", __name__, url_prefix="/hr/assignments")


@bp.app_template_filter("period_name")
def _period_name(period: str) -> str:
    return messages.period_name(period)


@bp.app_template_filter("cycle_name")
def _cycle_name(cycle: str) -> str:
    return messages.cycle_name(cycle)

RULE_ERRORS = {
    "relative_needs_days_once": ("days", lambda: _("Give the number of days; this rule works with the 'once' cycle only.")),
    "fixed_needs_date": ("due_date", lambda: _("Give the due date.")),
    "due_before_start": ("due_date", lambda: _("The due date is before the assignment applies.")),
    "window_needs_dates": ("window_start", lambda: _("Give the day the window opens and the day it closes.")),
    "window_reversed": ("window_end", lambda: _("The window closes before it opens.")),
    "unknown_rule": ("kind", lambda: _("Choose a due rule.")),
    "semiannual_is_fixed": ("kind", lambda: _("A half-yearly cycle is due at the end of each half: choose 'By a fixed "
                                              "date' (the date fields are not needed).")),
}


def _scope() -> OrgUnit | None:
    """The HR user's subtree (None: the whole bank, for head-office HR and admins)."""
    scope = hr_scope_of(current_user)
    if scope is None:
        abort(403)
    return limit_below_root(scope)


def _fill_choices(form: AssignmentForm, scope: OrgUnit | None) -> None:
    form.course.choices = [SelectChoice(c.slug, c.current_version.title.get("zh_Hans", c.slug))
                           for c in published_courses()]
    units = db.session.scalars(
        select(OrgUnit).where(OrgUnit.path.like((scope.path if scope else "/") + "%")).order_by(OrgUnit.path)
    )
    choices = [] if scope else [SelectChoice("", _("The whole bank"))]
    form.audience.choices = choices + [SelectChoice(u.code, "　" * u.depth + u.name) for u in units]


def _rule(form: AssignmentForm) -> rules.DueRule:
    return rules.DueRule(
        kind=form.kind.data, cycle=form.cycle.data, starts_on=form.starts_on.data, due_date=form.due_date.data,
        due_month_day=month_day(form.due_month_day.data) if form.kind.data == "fixed" and form.cycle.data == "annual" else None,
        window=(month_day(form.window_start.data), month_day(form.window_end.data))
        if form.kind.data == "window" and month_day(form.window_start.data) and month_day(form.window_end.data) else None,
        days=form.days.data,
    )


@bp.get("")
@role_required(Role.HR)
def index():
    """Assignments within my scope with their live figures (a new one is made on its own page)."""
    scope = _scope()
    return render_template("assignments/index.html", rows=queries.assignment_figures(scope, business_today()))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.HR)
def new():
    """Assign a course to an audience within my scope; a due date already past asks for confirmation."""
    scope = _scope()
    form = AssignmentForm()
    _fill_choices(form, scope)
    if form.validate_on_submit():
        course = next(c for c in published_courses() if c.slug == form.course.data)
        audience = get_by_code(form.audience.data) if form.audience.data else None
        positions = [p for p in re.split(r"[,，、\s]+", form.positions.data or "") if p]
        today, rule = business_today(), _rule(form)
        late = _overdue_at_once(course, audience, positions, rule, today)
        if late and form.confirm_overdue.data != str(late):
            form.confirm_overdue.data = str(late)
            return render_template("assignments/new.html", form=form, overdue_warning=late), 200
        if _create(form, course, audience, positions, rule, scope, today):
            return redirect(url_for(".index"))
    return render_template("assignments/new.html", form=form), 400 if form.errors else 200


def _overdue_at_once(course, audience, positions: list[str], rule: rules.DueRule, today) -> int:
    """How many people the assignment would make overdue at once (0 while its rule has a problem)."""
    try:
        rule.check()
        return services.overdue_at_once(course, audience=audience, positions=positions, rule=rule, today=today)
    except rules.RuleError:
        return 0  # create_assignment names the problem below


def _create(form: AssignmentForm, course, audience, positions: list[str], rule: rules.DueRule, scope, today) -> bool:
    """Create the assignment and commit; if it cannot be made, say why beside the field concerned."""
    try:
        services.create_assignment(course, audience=audience, positions=positions, rule=rule,
                                   actor=current_user, scope=scope, today=today)
    except services.AssignmentError as error:
        db.session.rollback()
        field_name, message = RULE_ERRORS.get(error.code, ("audience", lambda: _("Outside your scope.")))
        getattr(form, field_name).errors.append(message())
        return False
    db.session.commit()
    flash(_("Assignment created; the requirements are in place."), "success")
    return True


@bp.post("/<int:assignment_id>/deactivate")
@role_required(Role.HR)
def deactivate(assignment_id: int):
    """Stop an assignment within my scope; completed requirements stay as history."""
    scope = _scope()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    assignment = db.get_or_404(Assignment, assignment_id)
    if scope is not None and (assignment.audience_org is None or not assignment.audience_org.is_within(scope)):
        abort(404)  # outside the HR user's part of the bank: as if it did not exist
    services.deactivate_assignment(assignment, actor=current_user, today=business_today())
    db.session.commit()
    flash(_("Assignment stopped."), "info")
    return redirect(url_for(".index"))
