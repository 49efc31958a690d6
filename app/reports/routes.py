"""HR and compliance staff: completion figures for their own org subtree, by period."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.assignments import reminders
from app.assignments.rules import NOW, current_periods, is_period
from app.auth.decorators import role_required
from app.auth.models import Role
from app.auth.services import hr_scope_of
from app.core import audit
from app.core.charts import bar_chart, line_chart
from app.core.forms import ConfirmForm
from app.core.multilingual import pick
from app.core.redirects import local_path
from app.core.templating import current_locale, day_text
from app.core.time import business_today
from app.core.urls import public_base, url_maker
from app.extensions import db
from app.org.models import OrgUnit
from app.org.services import unit_in_scope
from app.reports import exports as exporting
from app.reports import periods, queries
from app.reports.assessment import Formula

bp = Blueprint("reports", __name__, url_prefix="/hr")


def _scope() -> OrgUnit:
    """The HR user's own subtree; admins without a scope see the whole bank."""
    scope = hr_scope_of(current_user)
    if scope is None:
        abort(403)
    return scope


def _unit_and_period(scope: OrgUnit, *, now_allowed: bool = False) -> tuple[OrgUnit, str, list[str]]:
    """The unit asked for (404 outside the scope) and the period: on the pages, by default everything
    due now (one-time requirements, this year's and this half-year's); for exports and locks, a period."""
    unit = scope
    if code := request.args.get("unit"):
        unit = unit_in_scope(code, scope)
        if unit is None:
            abort(404)
    periods = queries.periods(scope)
    year = str(business_today().year)
    default = NOW if now_allowed else (year if year in periods or not periods else periods[0])
    period = request.args.get("period") or default
    if not is_period(period) and not (now_allowed and period == NOW):
        abort(400)
    return unit, period, ([NOW] if now_allowed else []) + periods


def _selection(period: str) -> str | list[str]:
    """What the queries count: one period, or every period due now."""
    return current_periods(business_today()) if period == NOW else period


def _trail(unit: OrgUnit, scope: OrgUnit) -> list[OrgUnit]:
    trail, node = [], unit
    while node is not None and node.is_within(scope):
        trail.append(node)
        node = node.parent
    return trail[::-1]


@bp.get("")
@role_required(Role.HR)
def overview():
    """Completion, on-time rate, overdue and average score for a unit and period, with drill-down."""
    scope = _scope()
    unit, period, periods = _unit_and_period(scope, now_allowed=True)
    today, selection = business_today(), _selection(period)
    children = queries.by_child_unit(unit, selection, today)
    employees = queries.by_employee(unit, selection, today) if not children or unit.kind == "sub_branch" else []
    chart = bar_chart([(f.label, f.completion_rate) for f in children], label=_("Completion rate by org unit")) \
        if children else None
    curve = queries.completion_curve(unit, selection)
    trend = line_chart(curve, label=_("Completion rate over time")) if curve else None
    return render_template(
        "reports/overview.html", scope=scope, unit=unit, period=period, periods=periods, trend=trend,
        totals=queries.totals(unit, selection, today), children=children, employees=employees,
        courses=queries.by_course(unit, selection, today), chart=chart, trail=_trail(unit, scope),
    )


@bp.get("/overdue")
@role_required(Role.HR)
def overdue():
    """Who is overdue with what, in the unit and period."""
    scope = _scope()
    unit, period, periods = _unit_and_period(scope, now_allowed=True)
    rows = queries.overdue(unit, _selection(period), business_today())
    return render_template("reports/overdue.html", unit=unit, period=period, periods=periods, lines=_overdue_lines(rows),
                           people=list(dict.fromkeys(row.user_id for row in rows)), trail=_trail(unit, scope),
                           form=ConfirmForm())


class OverdueLine(NamedTuple):
    """A row of the overdue list as the page writes it."""

    employee_no: str | None
    employee_url: str | None
    name: str
    unit: str
    course: str
    due: str
    user_id: int


def _overdue_lines(rows: list[queries.OverdueRow]) -> list[OverdueLine]:
    """The list's up to 500 rows in the reader's language, each course title and due day written once
    (a row's template expressions cost about as much as its query: measured 6.8 ms a page before)."""
    employee_url = url_maker("reports.employee", "employee_no")
    locale = current_locale()
    courses: dict[int, str] = {}
    days: dict[date, str] = {}
    lines = []
    for row in rows:
        title = row.course_title
        course = courses.get(id(title))
        if course is None:
            course = courses[id(title)] = pick(title, locale)
        due = days.get(row.due_date)
        if due is None:
            due = days[row.due_date] = day_text(row.due_date)
        lines.append(OverdueLine(row.employee_no, employee_url(row.employee_no) if row.employee_no else None, row.name,
                                 "—" if row.unit_name is None else row.unit_name, course, due, row.user_id))
    return lines


@bp.post("/overdue/remind")
@role_required(Role.HR)
def remind():
    """Remind now: mail the chosen overdue people (one, or all shown) — each at most once a day."""
    scope = _scope()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    wanted = [int(v) for v in request.form.getlist("user") if v.isdigit()][:1000]
    people = queries.people_in_scope(wanted, scope)
    back = redirect(local_path(request.form.get("next")) or url_for(".overdue"))
    if not people:
        flash(_("Choose who to remind."), "warning")
        return back
    if not current_app.config.get("SMTP_HOST"):
        flash(_("No mail server is configured (SMTP_HOST), so no reminder can be sent."), "error")
        return back
    _send_reminders(people)
    return back


def _send_reminders(people: list[int]) -> None:
    """Mail the people and commit; if the mail server cannot be reached, roll back and say so."""
    try:
        result = reminders.remind_now(reminders.Mailer.from_config(current_app.config), people, business_today(),
                                      public_base(), actor=current_user)
    except OSError:
        db.session.rollback()
        flash(_("The mail server could not be reached; nobody was reminded. Please try again later."), "error")
        return
    db.session.commit()
    flash(_("Reminders sent: %(sent)d. Already reminded today: %(today)d. Without an email address: %(none)d.",
            sent=result.sent, today=result.already_today, none=result.no_email), "success" if result.sent else "info")


@bp.get("/employees/<employee_no>")
@role_required(Role.HR)
def employee(employee_no: str):
    """One employee's transcript: requirements, exam attempts, role-play results, certificates."""
    user = queries.employee_in_scope(employee_no, _scope())
    if user is None:
        abort(404)
    return render_template("reports/employee.html", person=user,
                           transcript=queries.transcript(user, business_today()))


@bp.get("/exports")
@role_required(Role.HR)
def exports():
    """Download the assessment and requirement figures of a unit and period."""
    scope = _scope()
    unit, period, period_list = _unit_and_period(scope)
    return render_template("reports/exports.html", scope=scope, unit=unit, period=period, periods=period_list,
                           trail=_trail(unit, scope), formula=Formula.from_config(current_app.config),
                           form=ConfirmForm(), record=periods.get(period), can_lock=scope.parent_id is None)


@bp.post("/periods/<period>/<action>")
@role_required(Role.HR)
def lock_period(period: str, action: str):
    """Head-office HR closes (or reopens) an assessment period."""
    scope = _scope()
    if scope.parent_id is not None:
        abort(403)
    if action not in ("lock", "unlock") or not ConfirmForm().validate_on_submit():
        abort(400)
    if action == "lock":
        count = periods.lock(period, root=scope, formula=Formula.from_config(current_app.config), actor=current_user)
        flash(_("Period %(period)s locked: the assessment figures of %(n)d employees are frozen.", period=period, n=count),
              "success")
    else:
        periods.unlock(period, actor=current_user)
        flash(_("Period %(period)s reopened: the assessment figures follow the live data again.", period=period), "info")
    db.session.commit()
    return redirect(url_for(".exports", period=period))


@bp.post("/exports/<kind>.<fmt>")
@role_required(Role.HR)
def export(kind: str, fmt: str):
    """Stream one export (each one is recorded in the audit trail)."""
    if kind not in ("assessment", "requirements") or fmt not in ("csv", "xlsx"):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    scope = _scope()
    unit, period, _periods = _unit_and_period(scope)
    lang = "en" if request.args.get("lang") == "en" else "zh"
    audit.record(f"export.{kind}", actor=current_user, target=unit.code, period=period, format=fmt)
    db.session.commit()
    header, rows = _export_rows(kind, unit, period, lang)
    return _download(fmt, header, rows, sheet=kind, filename=f"{kind}-{unit.code}-{period}.{fmt}")


def _export_rows(kind: str, unit: OrgUnit, period: str, lang: str):
    """The header and the (lazy) rows of one export."""
    if kind == "assessment":
        formula = Formula.from_config(current_app.config)
        return exporting.ASSESSMENT_HEADERS[lang], (row.cells() for row in periods.assessment_rows(unit, period, formula))
    return exporting.REQUIREMENT_HEADERS[lang], exporting.requirement_rows(unit, period, business_today(), lang)


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(fmt: str, header: list[str], rows, *, sheet: str, filename: str) -> Response:
    """The rows streamed as a CSV or XLSX attachment."""
    if fmt == "csv":
        body, mimetype = exporting.csv_stream(header, rows), "text/csv"
    else:
        body, mimetype = exporting.xlsx_stream(header, rows, sheet), XLSX_MIMETYPE
    return Response(stream_with_context(body), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
