"""Public content: reading modules (``modules/*.md``) and campaigns (``campaigns/*.yaml``).

Pure Python (no Flask), like the rest of the loader: every problem is recorded as ``file:line``.
Question pools for campaigns are ordinary question banks under ``quizzes/public/`` (see loader).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from app.content.questions import QuestionSpec, QuizSpec, load_questions, read_tags
from app.content.reader import (
    SLUG_RE,
    FieldReader,
    Issues,
    check_sections,
    content_hash,
    read_text,
    read_yaml,
    split_front_matter,
)
from app.content.yamlsrc import LList, LMap

MODULE_KEYS = {"title", "title_en", "title_zh_hant", "summary", "summary_en", "summary_zh_hant",
               "minutes", "icon", "tags", "practice"}
MODULE_SECTIONS = (("story", "情景"), ("how", "怎么回事"), ("flags", "危险信号"), ("action", "怎么办"))
CAMPAIGN_KEYS = {"title", "title_en", "title_zh_hant", "theme", "theme_en", "theme_zh_hant", "summary",
                 "summary_en", "summary_zh_hant", "cover", "starts", "ends", "attempts_per_day", "questions",
                 "modules", "tracks"}
TRACK_KEYS = {"key", "title", "title_en", "title_zh_hant", "description", "description_en",
              "description_zh_hant", "pool"}
COVERS = ("shield", "consumer-day", "literacy", "default")
MAX_TRACKS = 6


@dataclass
class ModuleSpec:
    slug: str
    path: Path
    title: dict
    summary: dict
    minutes: int
    icon: str
    tags: list
    body: dict  # {locale: markdown}
    practice: list[QuestionSpec] = field(default_factory=list)

    def practice_quiz(self) -> QuizSpec:
        """The practice questions as a bank of their own, played whole and in order."""
        count = len(self.practice)
        return QuizSpec(f"module/{self.slug}", self.path, dict(self.title), max(count, 1), 60, 0, None,
                        True, list(self.practice))

    def fingerprint(self) -> str:
        return content_hash({"title": self.title, "summary": self.summary, "minutes": self.minutes,
                      "icon": self.icon, "tags": self.tags, "body": self.body,
                      "practice": self.practice_quiz().fingerprint()})


@dataclass
class TrackSpec:
    key: str
    title: dict
    description: dict
    pool: str  # "public/<file stem>"
    line: int


@dataclass
class CampaignSpec:
    slug: str
    path: Path
    title: dict
    theme: dict
    summary: dict
    cover: str
    starts: dt.date
    ends: dt.date
    attempts_per_day: int
    questions: int
    modules: list = field(default_factory=list)  # [(slug, line)]
    tracks: list[TrackSpec] = field(default_factory=list)


# --- modules ---------------------------------------------------------------------------------


def load_module(path: Path, issues: Issues) -> ModuleSpec | None:
    """Parse and validate one public reading module (front matter + four sections)."""
    slug = path.stem
    if not SLUG_RE.match(slug):
        issues.add(path, 1, "the module file name must be lower-case letters, digits and '-' (e.g. fake-police.md)")
    parsed = split_front_matter(path, read_text(path, issues), issues)
    if parsed is None:
        return None
    front, body, body_line = parsed
    r = FieldReader(issues, path, front, MODULE_KEYS, "the module front matter")
    title = r.localized("title", required=True)
    summary = r.localized("summary", required=True)
    if summary.get("zh_Hans") and len(summary["zh_Hans"]) > 80:
        r.error(r.line("summary"), "'summary' is one sentence of at most 80 characters")
    minutes = r.integer("minutes", default=3, minimum=1, maximum=10)
    icon = _icon(r, slug)
    tags = read_tags(r, front)
    practice = _practice(issues, path, front, r, slug)
    _check_module_body(issues, path, body, body_line)
    if not title or not summary:
        return None
    return ModuleSpec(slug, path, title, summary, minutes or 3, icon, tags, {"zh_Hans": body.strip()}, practice)


def _icon(r: FieldReader, slug: str) -> str:
    """The module's illustration (by default the one named like the module)."""
    icon = r.text("icon", max_len=100) or slug
    if not SLUG_RE.match(icon):
        r.error(r.line("icon"), f"'icon' must be an illustration name such as fake-police, not '{icon}'")
    return icon


def _practice(issues: Issues, path: Path, front: LMap, r: FieldReader, slug: str) -> list:
    """The 3 to 5 questions that end the module, each marked as belonging to it."""
    practice = load_questions(issues, path, front, r, public=True, key="practice")
    if "practice" in front and isinstance(front["practice"], LList) and not 3 <= len(front["practice"]) <= 5:
        r.error(r.line("practice"), f"a module ends with 3 to 5 practice questions, found {len(front['practice'])}")
    for question in practice:
        if question.module and question.module != slug:
            issues.add(path, question.line, "a practice question belongs to its own module (leave out 'module')")
        question.module = slug
    return practice


def _check_module_body(issues: Issues, path: Path, body: str, body_line: int) -> None:
    if not body.strip():
        issues.add(path, body_line, "the module has no text after the front matter")
    else:
        check_sections(issues, path, body, body_line, [name for _, name in MODULE_SECTIONS], "module")


# --- campaigns -------------------------------------------------------------------------------


def load_campaign(path: Path, issues: Issues) -> CampaignSpec | None:
    """Parse and validate one bundled campaign file."""
    slug = path.stem
    if not SLUG_RE.match(slug):
        issues.add(path, 1, "the campaign file name must be lower-case letters, digits and '-'")
    data = _read_campaign_file(path, issues)
    if data is None:
        return None
    r = FieldReader(issues, path, data, CAMPAIGN_KEYS, "campaign")
    title = r.localized("title", required=True)
    theme = r.localized("theme", required=True)
    summary = r.localized("summary")
    cover = r.text("cover") or "default"
    if cover not in COVERS:
        r.error(r.line("cover"), f"'cover' must be one of {', '.join(COVERS)}, not '{cover}'")
    starts, ends = _dates(r, data)
    attempts = r.integer("attempts_per_day", default=3, minimum=1, maximum=50)
    questions = r.integer("questions", default=10, minimum=1, maximum=50)
    modules = _slug_list(r, data, "modules")
    tracks = _tracks(issues, path, data, r)
    if not title or not theme or starts is None or ends is None:
        return None
    return CampaignSpec(slug, path, title, theme, summary, cover, starts, ends, attempts or 3, questions or 10,
                        modules, tracks)


def _read_campaign_file(path: Path, issues: Issues) -> LMap | None:
    data = read_yaml(issues, path, read_text(path, issues))
    if data is None:
        return None
    if not isinstance(data, LMap):
        issues.add(path, 1, "a campaign must be a mapping with title, starts, ends, modules and tracks")
        return None
    return data


def _dates(r: FieldReader, data: LMap) -> tuple[dt.date | None, dt.date | None]:
    """The campaign's first and last day."""
    starts = _date(r, data, "starts")
    ends = _date(r, data, "ends")
    if starts and ends and ends < starts:
        r.error(r.line("ends"), "'ends' is before 'starts'")
    return starts, ends


def _date(r: FieldReader, data: LMap, key: str) -> dt.date | None:
    value = data.get(key)
    if value is None:
        r.error(data.line, f"missing '{key}' (a date such as 2027-03-15)")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        r.error(r.line(key), f"'{key}' must be a date such as 2027-03-15, not '{value}'")
        return None


def _slug_list(r: FieldReader, data: LMap, key: str) -> list:
    value = data.get(key)
    if value is None:
        r.error(data.line, f"missing '{key}' (a list of module file names)")
        return []
    if not isinstance(value, LList) or not value:
        r.error(r.line(key), f"'{key}' must be a list such as [fake-police, task-scam]")
        return []
    result, seen = [], set()
    for item, line in zip(value, value.item_lines, strict=True):
        item = str(item).strip()
        if item in seen:
            r.error(line, f"'{item}' is listed twice")
            continue
        seen.add(item)
        result.append((item, line))
    return result


def _tracks(issues: Issues, path: Path, data: LMap, r: FieldReader) -> list[TrackSpec]:
    items = data.get("tracks")
    if items is None:
        r.error(data.line, "missing 'tracks' (at least one question pool for players)")
        return []
    if not isinstance(items, LList) or not items:
        r.error(r.line("tracks"), "'tracks' must be a list of tracks, each with key, title and pool")
        return []
    if len(items) > MAX_TRACKS:
        r.error(r.line("tracks"), f"a campaign offers at most {MAX_TRACKS} tracks")
    tracks, keys = [], set()
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, LMap):
            issues.add(path, line, "each track is a mapping with key, title and pool")
            continue
        if (track := _track(issues, path, item, keys)) is not None:
            tracks.append(track)
    return tracks


def _track(issues: Issues, path: Path, item: LMap, keys: set) -> TrackSpec | None:
    """One track, its key noted in ``keys``; None when a required field is missing."""
    tr = FieldReader(issues, path, item, TRACK_KEYS, "track")
    key = tr.text("key", required=True, max_len=40)
    if key is not None and not SLUG_RE.match(key):
        tr.error(tr.line("key"), f"a track key is lower-case letters, digits and '-', not '{key}'")
    if key in keys:
        tr.error(tr.line("key"), f"duplicate track key '{key}'")
    keys.add(key)
    title = tr.localized("title", required=True)
    description = tr.localized("description")
    pool = tr.text("pool", required=True, max_len=100)
    if key and title and pool:
        return TrackSpec(key, title, description, f"public/{pool}", tr.line("pool"))
    return None


def check_references(bundle, issues: Issues, known_modules: set[str], known_pools: set[str]) -> None:
    """Cross-file checks: pool questions and campaigns name modules and pools that exist."""
    for quiz in bundle.public_quizzes.values():
        for question in quiz.questions:
            if question.module and question.module not in known_modules:
                issues.add(quiz.path, question.line,
                           f"module '{question.module}' does not exist (no modules/{question.module}.md)")
    for campaign in bundle.campaigns.values():
        for slug, line in campaign.modules:
            if slug not in known_modules:
                issues.add(campaign.path, line, f"module '{slug}' does not exist (no modules/{slug}.md)")
        for track in campaign.tracks:
            if track.pool not in known_pools:
                stem = track.pool.removeprefix("public/")
                issues.add(campaign.path, track.line,
                           f"question pool '{stem}' does not exist (no quizzes/public/{stem}.yaml)")
            elif (quiz := bundle.public_quizzes.get(track.pool)) and campaign.questions > len(quiz.questions):
                issues.add(campaign.path, track.line,
                           f"the campaign draws {campaign.questions} questions but pool '{quiz.slug}' has "
                           f"only {len(quiz.questions)}")
