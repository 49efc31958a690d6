"""Course folders (courses/<slug>/): the course card, its lessons and case studies."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.content.reader import (
    SLUG_RE,
    FieldReader,
    Issues,
    case_headings,
    check_sections,
    content_hash,
    display_path,
    read_text,
    read_yaml,
    split_front_matter,
)
from app.content.yamlsrc import LList, LMap

CASE_SECTIONS = (
    ("background", "背景"),
    ("events", "经过"),
    ("analysis", "问题分析"),
    ("rules", "依据"),
    ("outcome", "处理结果"),
    ("lessons", "启示"),
    ("discussion", "讨论"),
)
COURSE_KEYS = {
    "title", "title_en", "title_zh_hant", "summary", "summary_en", "summary_zh_hant",
    "audience", "minutes", "lessons", "exam", "scenarios",
}
SCENARIO_REQUIREMENT_KEYS = {"id", "min_score"}
LESSON_KEYS = {"kind", "title", "title_en", "title_zh_hant", "minutes", "remember"}

@dataclass
class LessonSpec:
    slug: str
    path: Path
    kind: str
    title: dict
    minutes: int
    remember: dict  # {locale: [points]}
    body: dict  # {locale: markdown}; zh_Hant present only when the author wrote one


@dataclass
class CourseSpec:
    slug: str
    path: Path
    title: dict
    summary: dict
    audience: str
    minutes: int
    lessons: list[LessonSpec]
    exam: str
    scenarios: list = field(default_factory=list)  # [[scenario id, min score or None, line]]

    def fingerprint(self, exam_hash: str, scenario_hashes: dict | None = None) -> str:
        """A hash of the course as learners see it, including the exam it uses."""
        return content_hash(
            {
                "title": self.title, "summary": self.summary, "audience": self.audience,
                "minutes": self.minutes, "exam": [self.exam, exam_hash],
                "scenarios": [[sid, score, (scenario_hashes or {}).get(sid)] for sid, score, _ in self.scenarios],
                "lessons": [
                    [ls.slug, ls.kind, ls.title, ls.minutes, ls.remember, ls.body]
                    for ls in self.lessons
                ],
            }
        )



def load_course(folder: Path, issues: Issues) -> CourseSpec | None:
    """Parse and validate one course folder (course.yaml plus its lesson files)."""
    slug = folder.name
    card = folder / "course.yaml"
    if not SLUG_RE.match(slug):
        issues.add(card, 1, "the course folder name must be lower-case letters, digits and '-'")
    data = _read_card(card, issues)
    if data is None:
        return None
    r = FieldReader(issues, card, data, COURSE_KEYS, "course.yaml")
    title = r.localized("title", required=True)
    summary = r.localized("summary", required=True)
    audience = r.text("audience") or ""
    minutes = r.integer("minutes", default=0, minimum=0, maximum=10000)
    exam = r.text("exam", required=True)
    lessons = _load_lesson_list(issues, folder, card, data, r)
    scenarios = _load_scenario_requirements(issues, card, data, r)
    return CourseSpec(slug, folder, title, summary, audience, minutes or 0, lessons, exam or "", scenarios)


def _read_card(card: Path, issues: Issues) -> LMap | None:
    """course.yaml as a mapping; None (the reason reported) when it is missing or not one."""
    if not card.exists():
        issues.add(card, 1, "missing course.yaml")
        return None
    before = len(issues)
    data = read_yaml(issues, card, read_text(card, issues))
    if not isinstance(data, LMap):
        if data is not None:
            issues.add(card, 1, "course.yaml must be a mapping with title, summary, lessons, exam")
        elif len(issues) == before:
            issues.add(card, 1, "course.yaml is empty")
        return None
    return data


def _load_scenario_requirements(issues, card: Path, data: LMap, r: FieldReader) -> list:
    items = data.get("scenarios")
    if items is None:
        return []
    if not isinstance(items, LList):
        r.error(r.line("scenarios"), "'scenarios' must be a list like  - id: safe-account-transfer")
        return []
    result = []
    for index, item in enumerate(items):
        line = items.item_lines[index]
        requirement = _scenario_requirement(issues, card, item, line)
        if requirement is not None and requirement[0]:
            result.append([*requirement, line])
    return result


def _scenario_requirement(issues, card: Path, item, line: int) -> tuple[str | None, int | None] | None:
    """One entry of 'scenarios' as (id, min score); None when it is neither an id nor a mapping."""
    if isinstance(item, str):
        return item, None
    if isinstance(item, LMap):
        sr = FieldReader(issues, card, item, SCENARIO_REQUIREMENT_KEYS, "a course scenario")
        return sr.text("id", required=True), sr.integer("min_score", minimum=0, maximum=100)
    issues.add(card, line, "each scenario is an id, or  id: …  with an optional  min_score: …")
    return None


def _load_lesson_list(issues, folder: Path, card: Path, data: LMap, r: FieldReader) -> list[LessonSpec]:
    items = data.get("lessons")
    if items is None:
        r.error(data.line, "missing 'lessons'")
        return []
    if not isinstance(items, LList) or not items:
        r.error(r.line("lessons"), "'lessons' must list the lesson files in order")
        return []
    lessons, seen = [], set()
    for index, name in enumerate(items):
        path = _listed_lesson(issues, folder, card, name, items.item_lines[index], seen)
        if path is not None and (lesson := load_lesson(path, issues)) is not None:
            lessons.append(lesson)
    for path in sorted(folder.glob("*.md")):
        if path.name not in seen and not path.name.endswith(".zh_Hant.md"):
            issues.add(path, 1, "this lesson file is not listed under 'lessons' in course.yaml")
    return lessons


def _listed_lesson(issues, folder: Path, card: Path, name, line: int, seen: set[str]) -> Path | None:
    """The file an entry of 'lessons' names (noted in ``seen``); None when the entry is wrong."""
    if not isinstance(name, str) or not name.endswith(".md") or "/" in name:
        issues.add(card, line, f"'{name}' is not a lesson file name like 01-intro.md")
        return None
    if name in seen:
        issues.add(card, line, f"lesson '{name}' is listed twice")
        return None
    seen.add(name)
    path = folder / name
    if not path.exists():
        issues.add(card, line, f"lesson file '{name}' does not exist in {display_path(folder)}")
        return None
    return path

def load_lesson(path: Path, issues: Issues) -> LessonSpec | None:
    """Parse and validate one lesson or case study Markdown file."""
    parsed = split_front_matter(path, read_text(path, issues), issues)
    if parsed is None:
        return None
    front, body, body_line = parsed
    r = FieldReader(issues, path, front, LESSON_KEYS, "the lesson front matter")
    kind = _read_kind(r)
    title = r.localized("title", required=True)
    minutes = r.integer("minutes", default=5, minimum=1, maximum=120)
    remember = _read_remember(r, front, kind)
    if not body.strip():
        issues.add(path, body_line, "the lesson has no text after the front matter")
    if kind == "case":
        _check_case_sections(issues, path, body, body_line)
    bodies = {"zh_Hans": body.strip()}
    _add_zh_hant(issues, path, title, remember, bodies)
    if kind is None or not title:
        return None
    return LessonSpec(path.stem, path, kind, title, minutes or 5, remember, bodies)


def _read_kind(r: FieldReader) -> str | None:
    kind = r.text("kind", required=True)
    if kind is not None and kind not in ("lesson", "case"):
        r.error(r.line("kind"), f"'kind' must be lesson or case, not '{kind}'")
        return None
    return kind


def _add_zh_hant(issues: Issues, path: Path, title: dict, remember: dict, bodies: dict) -> None:
    """Take the traditional-Chinese title, points and text from the file beside the lesson (x.zh_Hant.md), if any."""
    override = path.with_name(path.stem + ".zh_Hant.md")
    if not override.exists():
        return
    parsed = split_front_matter(override, read_text(override, issues), issues)
    if parsed is None:
        return
    hant_front, hant_body, _ = parsed
    hr = FieldReader(issues, override, hant_front, LESSON_KEYS, "the lesson front matter")
    if hant_title := hr.text("title"):
        title["zh_Hant"] = hant_title
    if isinstance(hant_front.get("remember"), list):
        remember["zh_Hant"] = [str(x) for x in hant_front["remember"]]
    bodies["zh_Hant"] = hant_body.strip()


def _read_remember(r: FieldReader, front: LMap, kind: str | None) -> dict:
    points = front.get("remember")
    if kind == "case":
        if points is not None:
            r.error(r.line("remember"), "a case study has no 'remember' list (its lessons go under ## 启示)")
        return {}
    if points is None:
        if kind == "lesson":
            r.error(front.line, "a lesson needs 2–3 'remember' points")
        return {}
    if not isinstance(points, list) or not all(isinstance(p, str) and p.strip() for p in points):
        r.error(r.line("remember"), "'remember' must be a list of short sentences")
        return {}
    if not 2 <= len(points) <= 3:
        r.error(r.line("remember"), f"a lesson needs 2–3 'remember' points, found {len(points)}")
    return {"zh_Hans": [p.strip() for p in points]}

def _check_case_sections(issues: Issues, path: Path, body: str, body_line: int) -> None:
    check_sections(issues, path, body, body_line, [name for _, name in CASE_SECTIONS], "case study")

def split_case_sections(body: str) -> list[tuple[str, str]]:
    """The body split at its second-level headings, keyed by section (background, events…)."""
    lines = body.splitlines()
    headings = case_headings(body)
    keys = [key for key, _ in CASE_SECTIONS]
    sections = []
    for position, (index, _text) in enumerate(headings):
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        key = keys[position] if position < len(keys) else f"extra{position}"
        sections.append((key, "\n".join(lines[index + 1:end]).strip()))
    return sections
