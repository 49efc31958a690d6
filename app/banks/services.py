"""Question banks in the database: which can be imported into, the bank a web import starts from,
turning a checked import into a new uploaded version, and exporting a version in any format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.banks import aiken, gift, moodle, sheet
from app.banks.checking import Checked, check
from app.banks.importer import Parsed, Plan, plan
from app.banks.model import BankQuestion
from app.banks.yamlbank import Entry, Settings, from_spec
from app.content.models import Question, Quiz, QuizVersion
from app.content.questions import SLUG_RE, QuizSpec, load_quiz
from app.content.reader import Issues
from app.content.services import add_uploaded_version
from app.core.exceptions import CodedError
from app.extensions import db

EXPORTS = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "moodle": ("xml", "application/xml"),
    "gift": ("gift", "text/plain; charset=utf-8"),
    "aiken": ("txt", "text/plain; charset=utf-8"),
}
NEW_BANK_DRAW = 10


class BankError(CodedError):
    """``bad_slug``, ``not_importable`` (a module's practice questions), ``out_of_sync`` (the bank's file
    changed since it was loaded: run flask content sync), ``nothing_to_import``."""


def importable(quiz: Quiz) -> bool:
    """Staff exam banks and public question pools; a module's practice questions live in its module file."""
    return not quiz.slug.startswith("module/")


def bank_list() -> list[Quiz]:
    return list(db.session.scalars(select(Quiz).options(selectinload(Quiz.current_version)).order_by(Quiz.slug)))


def question_counts(version_ids: list[int]) -> dict[int, int]:
    """How many questions each of these versions holds, in one query."""
    rows = db.session.execute(select(Question.quiz_version_id, func.count()).where(
        Question.quiz_version_id.in_(version_ids)).group_by(Question.quiz_version_id))
    return dict(rows.all())


def versions_of(quiz: Quiz) -> tuple[list[QuizVersion], dict[int, User]]:
    """Every version of a bank, newest first, and the users who uploaded some of them (by id)."""
    versions = list(db.session.scalars(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id)
                                       .order_by(QuizVersion.number.desc())))
    uploaders = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({v.uploaded_by_id for v in versions if v.uploaded_by_id})))}
    return versions, uploaders


def check_slug(slug: str) -> str:
    name = slug.removeprefix("public/")
    if not SLUG_RE.match(name) or slug.startswith("module/"):
        raise BankError("bad_slug")
    return slug


@dataclass
class Target:
    """The bank an import goes into, as it stands."""

    slug: str
    settings: Settings | None  # None: a new bank
    entries: list[Entry]
    authored: bool


def target(slug: str, *, content_root: Path, kept_root: Path) -> Target:
    """The bank ``slug`` as its current version's file says (the content file, or the YAML an upload kept)."""
    check_slug(slug)
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    if quiz is None or quiz.current_version is None:
        return Target(slug, None, [], authored=False)
    spec = _spec_of(quiz.current_version, content_root, kept_root)
    return Target(slug, Settings.of(spec), from_spec(spec), authored=not spec.imported_from)


def _spec_of(version: QuizVersion, content_root: Path, kept_root: Path) -> QuizSpec:
    slug = version.quiz.slug
    public = slug.startswith("public/")
    if version.origin == "upload":
        path = kept_root / f"{Path(version.source_file or '').stem}.yaml"
    else:
        path = content_root / "quizzes" / f"{slug}.yaml"
    spec = load_quiz(path, Issues(), public=public) if path.is_file() else None
    if spec is None or spec.fingerprint() != version.content_hash:
        raise BankError("out_of_sync", slug=slug)
    return spec


def preview(parsed: Parsed, bank: Target, *, filename: str, title: str = "") -> tuple[Plan, Checked]:
    """What importing ``parsed`` into ``bank`` gives: the plan, and the checked bank file."""
    result = plan(parsed, bank.entries, authored=bank.authored)
    settings = bank.settings or new_bank_settings(title or Path(filename).stem, filename)
    if not bank.authored:
        settings.imported_from = filename
    if bank.settings is None:
        settings.draw = max(1, min(NEW_BANK_DRAW, len(result.entries)))
    if not result.entries:
        return result, Checked("", None, [])
    return result, check(bank.slug, settings, result)


def new_bank_settings(title: str, filename: str) -> Settings:
    return Settings(title={"zh_Hans": title[:200]}, draw=NEW_BANK_DRAW, imported_from=filename)


def apply(checked: Checked, *, source_name: str, source_file: str, actor) -> QuizVersion:
    """The checked bank as the bank's new current version (audited). The caller commits."""
    if checked.spec is None:
        raise BankError("nothing_to_import")
    return add_uploaded_version(checked.spec, source_name=source_name, source_file=source_file, actor=actor)


# --- export ----------------------------------------------------------------------------------

def questions_of(version: QuizVersion) -> list[BankQuestion]:
    """A stored version's questions as neutral records (Simplified Chinese, the form authors write)."""
    rows = db.session.scalars(select(Question).where(Question.quiz_version_id == version.id).order_by(Question.position))
    return [BankQuestion(kind=q.kind, stem=q.stem.get("zh_Hans", ""),
                         options=[texts.get("zh_Hans", "") for _key, texts in q.options],
                         answer=[list(a) for a in q.answer] if q.kind == "fill" else list(q.answer),
                         explanation=(q.explanation or {}).get("zh_Hans", ""), tags=list(q.tags or []), key=q.key)
            for q in rows]


def export(version: QuizVersion, fmt: str) -> tuple[bytes, str, str, list[BankQuestion]]:
    """The version in ``fmt``: (content, file name, media type, questions the format cannot hold)."""
    questions = questions_of(version)
    extension, mimetype = EXPORTS[fmt]
    name = f"{version.quiz.slug.replace('/', '-')}-v{version.number}.{extension}"
    if fmt == "xlsx":
        kept = [q for q in questions if sheet.writable(q)]
        skipped = [q for q in questions if not sheet.writable(q)]
        return sheet.write_bank(kept, title=version.title), name, mimetype, skipped
    writer = {"moodle": moodle, "gift": gift, "aiken": aiken}[fmt]
    text, skipped = writer.write(questions, category=version.title)
    return text.encode("utf-8"), name, mimetype, skipped
