"""Staff roster import for HR: upload → preview (every bad row named) → apply (all or nothing)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.decorators import role_required
from app.auth.models import Role
from app.auth.services import hr_scope_of
from app.core.messages import refusal_message
from app.core.time import business_today
from app.core.uploads import UploadRefused, UploadStore, ZipLimits
from app.extensions import db
from app.org.services import limit_below_root
from app.roster import files as roster
from app.roster import jobs as roster_jobs
from app.roster import messages, templates
from app.roster import services as roster_services
from app.roster.forms import RosterApplyForm, RosterUploadForm

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


SECTIONS = ("errors", "new", "changed", "transferred", "leaving", "skipped", "new_units", "renamed_units")
PAGE_SIZE = 100


def _plan_and_keep(token: str, content: bytes, filename: str, scope, pad_to: int | None):
    """Read and plan the stored upload; keep its preview beside it for paging."""
    roster_plan = roster_services.plan(roster.read(filename, content, _limits()), scope, pad_to=pad_to)
    _store().write_extra(token, "preview", roster_services.preview(roster_plan, filename))
    return roster_plan


@bp.route("", methods=["GET", "POST"])
@role_required(Role.HR)
def upload():
    """Upload a roster file; the preview lists what importing it would change."""
    scope = _scope()
    form = RosterUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        content, filename = upload.read(), upload.filename or "roster"
        try:
            parsed = roster.read(filename, content, _limits())
        except UploadRefused as error:
            form.file.errors.append(refusal_message(error))
        except roster.RosterFileError as error:
            form.file.errors.append(messages.file_problem(error.code))
        else:
            token = _store().save(content, filename, current_user.id)
            _store().write_extra(token, "preview", roster_services.preview(roster_services.plan(parsed, scope), filename))
            return redirect(url_for(".preview", token=token))
    return render_template("roster/upload.html", form=form, scope=scope), 400 if form.errors else 200


@bp.get("/preview/<token>")
@role_required(Role.HR)
def preview(token: str):
    """What the upload would change, section by section and a page at a time; every bad row by cell."""
    kept = _store().read_extra(token, "preview") if _store().note(token, current_user.id) else None
    if kept is None:
        flash(_("That upload has expired. Please upload the file again."), "warning")
        return redirect(url_for(".upload"))
    section = request.args.get("section") or ("errors" if kept["errors"] else "new")
    if section not in SECTIONS:
        abort(404)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = kept[section]
    return render_template(
        "roster/preview.html", kept=kept, token=token, section=section, sections=SECTIONS, page=page,
        pages=max((len(rows) - 1) // PAGE_SIZE + 1, 1), rows=rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE],
        form=RosterApplyForm(token=token), messages=messages,
        pad_to=_store().note(token, current_user.id).get("pad_to"),
    )


@bp.post("/pad")
@role_required(Role.HR)
def pad():
    """Give back the leading zeros Excel dropped: pad the numeric employee numbers to N digits."""
    scope = _scope()
    form = RosterApplyForm()
    width = request.form.get("width", type=int)
    stored = _store().load(form.token.data, current_user.id) if form.validate_on_submit() else None
    if stored is None or width is None or not 2 <= width <= 32:
        abort(400)
    _store().update_note(form.token.data, pad_to=width)
    _plan_and_keep(form.token.data, *stored, scope, width)
    return redirect(url_for(".preview", token=form.token.data))


@bp.post("/apply")
@role_required(Role.HR)
def apply():
    """Apply a previewed file in one transaction; the file is checked again first."""
    scope = _scope()
    form = RosterApplyForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data
    if (_store().note(token, current_user.id) or {}).get("job"):  # applied after its request
        return redirect(url_for(".progress", token=token))
    stored = _store().load(token, current_user.id)
    if stored is None:
        flash(_("That upload has expired. Please upload the file again."), "warning")
        return redirect(url_for(".upload"))
    if _needs_background(token):
        if _store().claim(token):  # a second click follows the job the first one started
            roster_jobs.start(current_app._get_current_object(), _store(), token, current_user.id, _limits())
        return redirect(url_for(".progress", token=token))
    return _apply_now(token, *stored, scope)


def _needs_background(token: str) -> bool:
    """Whether the preview changes more people than one request should write (a background job does it)."""
    kept = _store().read_extra(token, "preview") or {"counts": {}}
    return roster_services.people_changed(kept["counts"]) > current_app.config["ROSTER_BACKGROUND_ROWS"]


def _apply_now(token: str, content: bytes, filename: str, scope):
    """Plan the stored file again and apply it within this request, unless rows need fixing now."""
    pad_to = _store().note(token, current_user.id).get("pad_to")
    roster_plan = roster_services.plan(roster.read(filename, content, _limits()), scope, pad_to=pad_to)
    if roster_plan.errors:
        _store().write_extra(token, "preview", roster_services.preview(roster_plan, filename))
        flash(_("The data changed since the preview and some rows need fixing now; nothing was changed."), "warning")
        return redirect(url_for(".preview", token=token))
    counts = roster_services.apply(roster_plan, actor=current_user, filename=filename, today=business_today())
    db.session.commit()
    _store().discard(token)
    flash(messages.imported(counts), "success")
    return redirect(url_for(".upload"))


@bp.get("/progress/<token>")
@role_required(Role.HR)
def progress(token: str):
    """How far the import of a large roster has got (the page refreshes itself until it is over)."""
    note = _store().note(token, current_user.id)
    job = roster_jobs.state(note) if note else None
    if job is None:
        flash(_("That upload has expired. Please upload the file again."), "warning")
        return redirect(url_for(".upload"))
    if job["state"] == "changed":
        flash(_("The data changed since the preview and some rows need fixing now; nothing was changed."), "warning")
        return redirect(url_for(".preview", token=token))
    return render_template("roster/progress.html", job=job, filename=note["filename"], messages=messages)


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
