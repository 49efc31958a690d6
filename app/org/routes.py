"""Staff roster import for HR: upload → preview (every bad row named) → apply (all or nothing)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.decorators import role_required
from app.auth.models import Role
from app.core.messages import refusal_message
from app.core.uploads import UploadRefused, UploadStore, ZipLimits
from app.extensions import db
from app.org import roster, roster_services, templates
from app.org.forms import RosterApplyForm, RosterUploadForm
from app.org.services import hr_scope_of, limit_below_root

bp = Blueprint("roster", __name__, url_prefix="/hr/roster")


def _store() -> UploadStore:
    return UploadStore(Path(current_app.instance_path) / "uploads" / "roster")


def _limits() -> ZipLimits:
    config = current_app.config
    return ZipLimits(config["UPLOAD_MAX_PARTS"], config["UPLOAD_MAX_UNPACKED_MB"] * 1024 * 1024,
                     config["UPLOAD_MAX_RATIO"])


def _scope():
    """The importer's subtree (None: the whole bank)."""
    scope = hr_scope_of(current_user)
    if scope is None:
        abort(403)
    return limit_below_root(scope)


def reason_text(code: str) -> str:
    """The message shown for a row problem."""
    return {
        "required": _("a value is required"),
        "missing_column": _("this column is missing from the header row"),
        "bad_employee_no": _("an employee number has only letters, digits, '-' and '_' (at most 32)"),
        "duplicate_in_file": _("the same value appears on an earlier row of this file (letter case does not count)"),
        "username_taken": _("this employee number is already the username of another account (a staff or "
                            "administrator account); give the employee a different number or rename that account"),
        "bad_date": _("not a date (use 2024-03-01)"),
        "bad_email": _("not an email address"),
        "bad_mobile": _("not a mainland mobile number (11 digits starting with 1)"),
        "bad_status": _("status must be 在职 (active) or 离职 (left)"),
        "bad_kind": _("type must be 总行, 分行, 支行 or 部门"),
        "unknown_org": _("no org unit with this code exists or is created by this file"),
        "out_of_scope": _("outside the part of the bank you are responsible for"),
        "move_unsupported": _("moving an existing org unit to another parent is not done by import; ask an administrator"),
    }.get(code, code)


def _render_preview(form, roster_plan, token, filename):
    errors = sorted(roster_plan.errors, key=lambda e: (e.sheet, e.row))
    return render_template("org/roster_preview.html", plan=roster_plan, errors=errors, token=token,
                           filename=filename, form=form, reason_text=reason_text)


@bp.route("", methods=["GET", "POST"])
@role_required(Role.HR)
def upload():
    """Upload a roster file and see what importing it would change."""
    scope = _scope()
    form = RosterUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        try:
            parsed = roster.read(upload.filename or "", content, _limits())
        except UploadRefused as error:
            form.file.errors.append(refusal_message(error))
            return render_template("org/roster_upload.html", form=form, scope=scope), 400
        except roster.RosterFileError as error:
            form.file.errors.append({
                "unsupported_type": _("Only .xlsx and .csv files can be imported."),
                "encoding": _("The CSV file is neither UTF-8 nor GB18030 text."),
                "unreadable": _("This file cannot be read as an Excel workbook."),
                "no_header": _("No header row with 工号 and 姓名 (employee number and name) was found."),
                "too_many_rows": _("The file has too many rows."),
            }[error.code])
            return render_template("org/roster_upload.html", form=form, scope=scope), 400
        roster_plan = roster_services.plan(parsed, scope)
        token = _store().save(content, upload.filename or "roster", current_user.id)
        return _render_preview(RosterApplyForm(token=token), roster_plan, token, upload.filename)
    return render_template("org/roster_upload.html", form=form, scope=scope), 400 if form.errors else 200


@bp.post("/apply")
@role_required(Role.HR)
def apply():
    """Apply a previewed file in one transaction; the file is checked again first."""
    scope = _scope()
    form = RosterApplyForm()
    if not form.validate_on_submit():
        abort(400)
    stored = _store().load(form.token.data, current_user.id)
    if stored is None:
        flash(_("That upload has expired. Please upload the file again."), "warning")
        return redirect(url_for(".upload"))
    content, filename = stored
    roster_plan = roster_services.plan(roster.read(filename, content, _limits()), scope)
    if roster_plan.errors:
        return _render_preview(form, roster_plan, form.token.data, filename), 400
    counts = roster_services.apply(roster_plan, actor=current_user, filename=filename)
    db.session.commit()
    _store().discard(form.token.data)
    flash(_("Roster imported: %(new)d new, %(changed)d changed, %(transferred)d transferred, %(leaving)d left.",
            **counts), "success")
    return redirect(url_for(".upload"))


@bp.get("/template.<ext>")
@role_required(Role.HR)
def template(ext: str):
    """An empty roster in the expected layout, with one example row."""
    if ext == "xlsx":
        return Response(templates.xlsx(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=roster-template.xlsx"})
    if ext == "csv":
        return Response(templates.csv_text().encode("utf-8-sig"), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=roster-template.csv"})
    abort(404)
