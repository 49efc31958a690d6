"""/admin/banks: content admins import question banks (upload → preview → apply) and export them."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import role_required
from app.auth.models import Role
from app.banks import importer, messages, services, sheet
from app.banks.forms import NEW_BANK, BankApplyForm, BankDownloadForm, BankUploadForm
from app.banks.model import Problem, Where
from app.content.models import Quiz, QuizVersion
from app.core import audit
from app.core.messages import refusal_message
from app.core.sheets import SheetError
from app.core.uploads import UploadRefused, UploadStore, ZipLimits
from app.extensions import db

bp = Blueprint("banks", __name__, url_prefix="/admin/banks")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _store() -> UploadStore:
    return UploadStore(Path(current_app.instance_path) / "uploads" / "banks")


def _kept_root() -> Path:
    """Where uploaded bank files and the YAML made of them are kept for good (not swept)."""
    return Path(current_app.instance_path) / "banks-kept"


def _content_root() -> Path:
    return Path(current_app.config["CONTENT_ROOT"])


def _limits() -> ZipLimits:
    config = current_app.config
    return ZipLimits(config["UPLOAD_MAX_PARTS"], config["UPLOAD_MAX_UNPACKED_MB"] * 1024 * 1024,
                     config["UPLOAD_MAX_RATIO"])


@bp.get("")
@role_required(Role.CONTENT_ADMIN)
def index():
    banks = [quiz for quiz in services.bank_list() if services.importable(quiz) and quiz.current_version]
    counts = services.question_counts([quiz.current_version_id for quiz in banks])
    return render_template("banks/index.html", banks=banks, counts=counts)


@bp.get("/template.xlsx")
@role_required(Role.CONTENT_ADMIN)
def template():
    """The blank 题库 workbook: the header the import reads, a legend, two examples per kind."""
    return send_file(io.BytesIO(sheet.blank_template()), as_attachment=True, download_name="tiku-template.xlsx",
                     mimetype=XLSX)


def _target_choices(form: BankUploadForm) -> None:
    banks = [quiz for quiz in services.bank_list() if services.importable(quiz) and quiz.current_version]
    form.target.choices = [(NEW_BANK, _("A new bank"))] + [
        (quiz.slug, f"{quiz.slug} · {quiz.current_version.title}") for quiz in banks]


def _read_upload(form: BankUploadForm) -> tuple[bytes, str, importer.Parsed] | None:
    """The uploaded file and what reading it gave; None (with the reason on the form) when it cannot be read."""
    upload = form.file.data
    content, filename = upload.read(), Path(upload.filename or "bank").name
    try:
        return content, filename, importer.read(filename, content, limits=_limits())
    except importer.ImportRefused as error:
        form.file.errors.append(messages.refusal(error.code, error.params))
    except SheetError as error:
        form.file.errors.append(messages.refusal(error.code))
    except UploadRefused as error:
        form.file.errors.append(refusal_message(error))
    return None


def _slug_of(form: BankUploadForm) -> str | None:
    slug = form.target.data if form.target.data != NEW_BANK else (form.new_slug.data or "").strip().lower()
    try:
        return services.check_slug(slug)
    except services.BankError as error:
        (form.new_slug if form.target.data == NEW_BANK else form.target).errors.append(messages.refusal(error.code))
    return None


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.CONTENT_ADMIN)
def upload():
    """Upload a bank file; the preview lists what importing it would add and change, and every bad row."""
    form = BankUploadForm()
    _target_choices(form)
    if form.validate_on_submit() and (slug := _slug_of(form)) and (read := _read_upload(form)):
        content, filename, parsed = read
        try:
            summary = _preview(parsed, slug, filename, form.title.data or "")
        except services.BankError as error:
            form.target.errors.append(messages.refusal(error.code))
        else:
            token = _store().save(content, filename, current_user.id)
            _store().update_note(token, slug=slug, title=form.title.data or "", format=parsed.format)
            _store().write_extra(token, "preview", summary)
            return redirect(url_for(".preview", token=token))
    return render_template("banks/upload.html", form=form), 400 if form.errors else 200


def _plan(parsed, slug: str, filename: str, title: str):
    bank = services.target(slug, content_root=_content_root(), kept_root=_kept_root())
    return services.preview(parsed, bank, filename=filename, title=title)


def _preview(parsed, slug: str, filename: str, title: str) -> dict:
    """What the preview page shows, kept beside the upload (plain lists: it is stored as JSON)."""
    result, checked = _plan(parsed, slug, filename, title)
    problems = sorted(result.problems + checked.problems, key=lambda p: (p.where.sheet, p.where.row, p.where.letter))
    return {
        "filename": filename, "slug": slug, "format": parsed.format, "ready": checked.spec is not None and result.changes > 0,
        "problems": [[p.where.sheet, p.where.row, p.where.letter, p.where.column, p.reason, list(p.params)] for p in problems],
        "new": [[e.key, e.question.kind, e.question.stem] for e in result.new],
        "changed": [[after.key, after.question.kind, before.question.stem, after.question.stem]
                    for before, after in result.changed],
        "unchanged": [[entry.key, entry.question.kind, entry.question.stem] for entry, _q in result.unchanged],
    }


@bp.get("/import/<token>")
@role_required(Role.CONTENT_ADMIN)
def preview(token: str):
    kept = _store().read_extra(token, "preview") if _store().note(token, current_user.id) else None
    if kept is None:
        flash(_("That upload has expired. Please upload the file again."), "warning")
        return redirect(url_for(".upload"))
    problems = [(Problem(Where(sheet, row, column, letter), reason, tuple(tuple(p) for p in params)))
                for sheet, row, letter, column, reason, params in kept["problems"]]
    return render_template("banks/preview.html", kept=kept, problems=problems, messages=messages, token=token,
                           form=BankApplyForm(token=token))


@bp.post("/import/apply")
@role_required(Role.CONTENT_ADMIN)
def apply():
    """Check the stored upload again and make it the bank's new current version (the file is kept)."""
    form = BankApplyForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data
    claimed = _claim(token)
    if claimed is None:
        flash(_("That upload has expired or was already imported. Please upload the file again."), "warning")
        return redirect(url_for(".upload"))
    note, (content, filename) = claimed
    try:
        version = _apply(token, note, content, filename)
    except services.BankError as error:
        _store().release(token)
        db.session.rollback()
        flash(messages.refusal(error.code), "error")
        return redirect(url_for(".preview", token=token))
    db.session.commit()
    _store().discard(token)
    flash(_("Version %(number)d of %(slug)s is now current.", number=version.number, slug=note["slug"]), "success")
    return redirect(url_for(".bank", slug=note["slug"]))


def _claim(token: str) -> tuple[dict, tuple[bytes, str]] | None:
    """The upload's note and file, for its uploader, once (a second click or tab gets None)."""
    note, stored = _store().note(token, current_user.id), _store().load(token, current_user.id)
    if note is None or stored is None or not _store().claim(token):
        return None
    return note, stored


def _apply(token: str, note: dict, content: bytes, filename: str) -> QuizVersion:
    parsed = importer.read(filename, content, note.get("format"), limits=_limits())
    result, checked = _plan(parsed, note["slug"], filename, note.get("title", ""))
    if checked.spec is None or not result.changes:
        raise services.BankError("nothing_to_import")
    kept = _kept_root()
    kept.mkdir(parents=True, exist_ok=True)
    original = f"{token}{Path(filename).suffix.lower()}"
    (kept / original).write_bytes(content)
    (kept / f"{token}.yaml").write_text(checked.text, encoding="utf-8")
    return services.apply(checked, source_name=filename, source_file=original, actor=current_user)


@bp.get("/view/<path:slug>")
@role_required(Role.CONTENT_ADMIN)
def bank(slug: str):
    quiz = db.first_or_404(select(Quiz).where(Quiz.slug == slug))
    versions, uploaders = services.versions_of(quiz)
    return render_template("banks/bank.html", quiz=quiz, versions=versions, uploaders=uploaders,
                           counts=services.question_counts([v.id for v in versions]), form=BankDownloadForm(),
                           formats=services.EXPORTS)


@bp.post("/download")
@role_required(Role.CONTENT_ADMIN)
def download():
    """A version as an export format, as the YAML an upload made, or as the file uploaded; audited."""
    form = BankDownloadForm()
    if not form.validate_on_submit():
        abort(400)
    quiz = db.first_or_404(select(Quiz).where(Quiz.slug == form.slug.data))
    number = form.number.data or quiz.current_version.number
    version = db.first_or_404(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id, QuizVersion.number == number))
    content, name, mimetype = _download(version, form.format.data)
    audit.record("bank.export", actor=current_user, target=quiz.slug, version=version.number, format=form.format.data)
    db.session.commit()
    return send_file(io.BytesIO(content), as_attachment=True, download_name=name, mimetype=mimetype)


def _download(version: QuizVersion, what: str) -> tuple[bytes, str, str]:
    if what in ("yaml", "original"):
        if version.origin != "upload" or not version.source_file:
            abort(404)
        path = _kept_root() / (f"{Path(version.source_file).stem}.yaml" if what == "yaml" else version.source_file)
        if not path.is_file():
            abort(404)
        if what == "yaml":
            return path.read_bytes(), f"{version.quiz.slug.rsplit('/', 1)[-1]}.yaml", "text/yaml; charset=utf-8"
        return path.read_bytes(), version.source_name or path.name, "application/octet-stream"
    content, name, mimetype, _skipped = services.export(version, what)
    return content, name, mimetype


