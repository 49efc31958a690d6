"""Loading validated content into the database as immutable versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.content import markdown
from app.content.courses import CourseSpec, split_case_sections
from app.content.loader import Bundle, load_tree
from app.content.models import (
    Course,
    CourseScenario,
    CourseVersion,
    Lesson,
    PublicModule,
    PublicModuleVersion,
    Question,
    Quiz,
    QuizVersion,
    Scenario,
    ScenarioVersion,
)
from app.content.questions import QuizSpec
from app.content.reader import Issue
from app.content.scenarios import ScenarioSpec
from app.core import audit, signals
from app.core.multilingual import fill_traditional, to_traditional
from app.extensions import db


class ContentInvalid(Exception):
    """The content has problems; nothing was loaded."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s) in the content")
        self.issues = issues


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)


def sync_content(root: Path, *, actor=None) -> SyncReport:
    """Load every course and quiz under ``root``; raise ContentInvalid and change nothing on error.

    The caller commits. Unchanged content keeps its version; changed content gets a new one.
    """
    bundle, issues = load_tree(root)
    if issues:
        raise ContentInvalid(issues)
    return sync_bundle(bundle, actor=actor)


def sync_bundle(bundle: Bundle, *, actor=None) -> SyncReport:
    """Write a validated bundle as new versions where it changed."""
    report = SyncReport()
    quiz_versions = {slug: _sync_quiz(spec, report) for slug, spec in bundle.quizzes.items()}
    scenario_versions = {slug: _sync_scenario(spec, report) for slug, spec in bundle.scenarios.items()}
    for spec in bundle.courses.values():
        _sync_course(spec, quiz_versions[spec.exam], bundle, scenario_versions, report)
    for spec in bundle.public_quizzes.values():
        _sync_quiz(spec, report)
    for spec in bundle.modules.values():
        _sync_module(spec, report)
    _unpublish_missing(PublicModule, "module", bundle.modules, report)
    signals.content_synced.send(None, bundle=bundle, report=report)  # campaigns are created from their files
    _unpublish_missing(Scenario, "scenario", bundle.scenarios, report)
    _unpublish_missing(Course, "course", bundle.courses, report)
    if report.created or report.updated or report.unpublished:
        audit.record(
            "content.sync", actor=actor, created=report.created, updated=report.updated,
            unpublished=report.unpublished,
        )
    db.session.flush()
    return report


def _unpublish_missing(model, kind: str, in_files: dict, report: SyncReport) -> None:
    """Withdraw the published items whose file is gone."""
    for item in db.session.scalars(select(model).where(model.published.is_(True))):
        if item.slug not in in_files:
            item.published = False
            report.unpublished.append(f"{kind} {item.slug}")


def _find_or_create(model, kind: str, slug: str, digest: str, report: SyncReport):
    """The item with this slug (created if new) and whether it needs a new version.

    An unchanged item keeps its version; a withdrawn one that is back in the files is published again.
    """
    item = db.session.scalar(select(model).where(model.slug == slug))
    if item is None:
        item = model(slug=slug)
        db.session.add(item)
        db.session.flush()
        report.created.append(f"{kind} {slug}")
        return item, True
    return item, _changed(item, f"{kind} {slug}", digest, report)


def _changed(item, name: str, digest: str, report: SyncReport) -> bool:
    """Whether an existing item needs a new version; it is published again either way."""
    republished = hasattr(item, "published") and not item.published
    if hasattr(item, "published"):
        item.published = True
    if item.current_version is not None and item.current_version.content_hash == digest:
        (report.updated if republished else report.unchanged).append(
            name + (" (published again)" if republished else "")
        )
        return False
    report.updated.append(name)
    return True


def _next_number(item) -> int:
    return item.current_version.number + 1 if item.current_version is not None else 1


def _sync_quiz(spec: QuizSpec, report: SyncReport) -> QuizVersion:
    digest = spec.fingerprint()
    kept = _kept_upload(spec.slug, digest)
    if kept is not None:
        report.unchanged.append(f"quiz {spec.slug} (version {kept.number}, uploaded in /admin/banks, is kept until "
                                "its YAML is committed to quizzes/)")
        return kept
    quiz, changed = _find_or_create(Quiz, "quiz", spec.slug, digest, report)
    if not changed:
        return quiz.current_version
    return _add_quiz_version(quiz, spec, digest)


def _kept_upload(slug: str, digest: str) -> QuizVersion | None:
    """The bank's uploaded current version, while its file is still as it was before the upload."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    current = quiz.current_version if quiz is not None else None
    if current is None or current.origin != "upload" or current.content_hash == digest:
        return None
    last_from_files = db.session.scalar(
        select(QuizVersion.content_hash).where(QuizVersion.quiz_id == quiz.id, QuizVersion.origin == "files")
        .order_by(QuizVersion.number.desc()).limit(1))
    return current if last_from_files == digest else None


def add_uploaded_version(spec: QuizSpec, *, source_name: str, source_file: str, actor) -> QuizVersion:
    """A new current version of the bank ``spec.slug`` (created if new) from a checked upload; audited.
    The caller commits."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == spec.slug))
    if quiz is None:
        quiz = Quiz(slug=spec.slug)
        db.session.add(quiz)
        db.session.flush()
    version = _add_quiz_version(quiz, spec, spec.fingerprint(), origin="upload", source_name=source_name,
                                source_file=source_file, uploaded_by_id=actor.id)
    audit.record("bank.import", actor=actor, target=spec.slug, version=version.number, file=source_name,
                 questions=len(spec.questions))
    return version


def _add_quiz_version(quiz: Quiz, spec: QuizSpec, digest: str, **origin) -> QuizVersion:
    version = QuizVersion(
        quiz=quiz, number=_next_number(quiz), content_hash=digest, title=spec.title["zh_Hans"],
        titles=fill_traditional(spec.title), draw_count=spec.draw, pass_mark=spec.pass_mark,
        max_attempts=spec.max_attempts, time_limit_minutes=spec.time_limit,
        shuffle_options=spec.shuffle_options, review=spec.review, **origin,
    )
    db.session.add(version)
    for position, q in enumerate(spec.questions, 1):
        db.session.add(_build_question(version, position, q))
    db.session.flush()
    quiz.current_version = version
    return version


def _build_question(version: QuizVersion, position: int, q) -> Question:
    return Question(
        quiz_version=version, key=q.key, position=position, kind=q.kind,
        stem=fill_traditional(q.stem),
        options=[[key, fill_traditional(texts)] for key, texts in q.options],
        answer=q.answer, explanation=fill_traditional(q.explanation), tags=q.tags,
        rule=q.rule, module=q.module,
    )


def _sync_course(spec: CourseSpec, exam: QuizVersion, bundle: Bundle, scenario_versions: dict, report) -> None:
    digest = _course_digest(spec, bundle)
    course, changed = _find_or_create(Course, "course", spec.slug, digest, report)
    if not changed:
        return
    number = _next_number(course)
    version = CourseVersion(
        course=course, number=number, content_hash=digest, title=fill_traditional(spec.title),
        summary=fill_traditional(spec.summary), audience=spec.audience, minutes=spec.minutes,
        exam=exam,
    )
    db.session.add(version)
    for position, lesson in enumerate(spec.lessons, 1):
        db.session.add(_build_lesson(version, position, lesson))
    db.session.flush()
    _add_scenarios(version, spec, scenario_versions)
    db.session.flush()
    course.current_version = version


def _course_digest(spec: CourseSpec, bundle: Bundle) -> str:
    """The course's fingerprint, which covers its exam and the role-plays it asks for."""
    return spec.fingerprint(
        bundle.quizzes[spec.exam].fingerprint(),
        {slug: scenario.fingerprint() for slug, scenario in bundle.scenarios.items()},
    )


def _add_scenarios(version: CourseVersion, spec: CourseSpec, scenario_versions: dict) -> None:
    """The role-plays the course version asks for, in their order and with their pass marks."""
    for position, (scenario_id, min_score, _line) in enumerate(spec.scenarios, 1):
        db.session.add(CourseScenario(course_version_id=version.id, scenario_version=scenario_versions[scenario_id],
                                      position=position, min_score=min_score))


def _sync_module(spec, report: SyncReport) -> None:
    practice = _sync_quiz(spec.practice_quiz(), SyncReport())
    module, changed = _find_or_create(PublicModule, "module", spec.slug, spec.fingerprint(), report)
    if not changed:
        return
    bodies = dict(spec.body)
    bodies.setdefault("zh_Hant", to_traditional(bodies["zh_Hans"]))
    version = PublicModuleVersion(
        module=module, number=_next_number(module), content_hash=spec.fingerprint(),
        title=fill_traditional(spec.title), summary=fill_traditional(spec.summary), minutes=spec.minutes,
        icon=spec.icon, tags=spec.tags, body_html={locale: markdown.render(body) for locale, body in bodies.items()},
        practice=practice,
    )
    db.session.add(version)
    db.session.flush()
    module.current_version = version


def _build_lesson(version: CourseVersion, position: int, spec) -> Lesson:
    bodies = dict(spec.body)
    if "zh_Hant" not in bodies:
        bodies["zh_Hant"] = to_traditional(bodies["zh_Hans"])
    remember = dict(spec.remember)
    if remember and "zh_Hant" not in remember:
        remember["zh_Hant"] = [to_traditional(p) for p in remember["zh_Hans"]]
    sections = {}
    if spec.kind == "case":
        sections = {
            locale: [[key, markdown.render(text)] for key, text in split_case_sections(body)]
            for locale, body in bodies.items()
        }
    return Lesson(
        course_version=version, position=position, slug=spec.slug, kind=spec.kind,
        title=fill_traditional(spec.title), minutes=spec.minutes, remember=remember,
        body_html={locale: markdown.render(body) for locale, body in bodies.items()},
        sections=sections,
    )


def _sync_scenario(spec: ScenarioSpec, report: SyncReport) -> ScenarioVersion:
    digest = spec.fingerprint()
    scenario, changed = _find_or_create(Scenario, "scenario", spec.slug, digest, report)
    if not changed:
        return scenario.current_version
    data = _with_traditional(spec.data)
    version = ScenarioVersion(
        scenario=scenario, number=_next_number(scenario),
        content_hash=digest, title=data["title"], data=data, best_path=list(spec.best_path),
    )
    db.session.add(version)
    db.session.flush()
    scenario.current_version = version
    return version


def _with_traditional(value):
    """Every {zh_Hans: …} text in a scenario gets its zh_Hant conversion (authors' own kept)."""
    if isinstance(value, dict):
        if "zh_Hans" in value and all(isinstance(v, str) for v in value.values()):
            return fill_traditional(value)
        return {k: _with_traditional(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_traditional(v) for v in value]
    return value
