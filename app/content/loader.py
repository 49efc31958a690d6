"""Reading and validating course folders and question banks.

Pure Python (no Flask): returns specs plus every problem found as ``file:line: message``.
A bundle with any issue must never be loaded into the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.content import domain, yamlsrc
from app.content.yamlsrc import LList, LMap

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
QUESTION_KINDS = ("single", "multiple", "truefalse")
TRUE_WORDS = {"对", "對", "正确", "正確", "true", "yes"}
FALSE_WORDS = {"错", "錯", "错误", "錯誤", "false", "no"}
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
QUIZ_KEYS = {
    "title", "title_en", "title_zh_hant", "draw", "pass_mark", "max_attempts", "time_limit",
    "shuffle_options", "review", "questions",
}
# when learners may see the right answers and explanations of a finished attempt (Moodle's review
# options): at once, once they passed, once they passed or have no attempt left, or never
REVIEW_POLICIES = ("immediately", "after_pass", "after_last_attempt", "never")
QUESTION_KEYS = {
    "id", "type", "stem", "options", "answer", "explanation", "tags", "rule", "basis",
    "stem_zh_hant", "explanation_zh_hant", "options_zh_hant",
}
BASIS_HINT = "the sections of docs/DOMAIN.md it rests on, e.g. [§2, §W4]"
# an option named by its letter (误选A, A项, 选项B和D…) in the explanation of a question whose options
# are shuffled and relabelled for every learner
LETTER_RE = re.compile(r"(?<![A-Za-z0-9])([A-F])(?![A-Za-z0-9])")


@dataclass(frozen=True)
class Issue:
    """One problem in a content file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class Issues(list):
    """The problems found so far."""

    def add(self, path: Path | str, line: int, message: str) -> None:
        self.append(Issue(display_path(path), max(int(line or 1), 1), message))


def display_path(path: Path | str) -> str:
    """The path relative to the working directory where possible."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass
class QuestionSpec:
    key: str
    kind: str
    stem: dict
    options: list  # [[option key, {locale: text}], ...]
    answer: list
    explanation: dict
    tags: list
    rule: str
    line: int = 0
    module: str | None = None  # public banks: the reading module that teaches this point
    basis: list = field(default_factory=list)  # [section id such as "§W4", ...]: where the facts are
    basis_line: int = 0
    explanation_line: int = 0


@dataclass
class QuizSpec:
    slug: str
    path: Path
    title: dict
    draw: int
    pass_mark: int
    max_attempts: int
    time_limit: int | None
    shuffle_options: bool
    questions: list[QuestionSpec] = field(default_factory=list)
    review: str = "after_last_attempt"

    def fingerprint(self) -> str:
        """A hash of what learners see and are graded on (not of file layout)."""
        return _hash(
            {
                "title": self.title, "draw": self.draw, "pass_mark": self.pass_mark,
                "max_attempts": self.max_attempts, "time_limit": self.time_limit,
                "shuffle": self.shuffle_options,
                **({"review": self.review} if self.review != "after_last_attempt" else {}),
                "questions": [
                    [q.key, q.kind, q.stem, q.options, q.answer, q.explanation, q.tags, q.rule]
                    + ([q.module] if q.module else [])
                    for q in self.questions
                ],
            }
        )


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
        return _hash(
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


@dataclass
class Bundle:
    courses: dict[str, CourseSpec] = field(default_factory=dict)
    quizzes: dict[str, QuizSpec] = field(default_factory=dict)
    scenarios: dict = field(default_factory=dict)
    modules: dict = field(default_factory=dict)  # public reading modules
    public_quizzes: dict[str, QuizSpec] = field(default_factory=dict)  # keyed "public/<file stem>"
    campaigns: dict = field(default_factory=dict)


def _hash(data) -> str:
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --- generic field readers ------------------------------------------------------------------


class _Reader:
    """Reads typed fields out of one mapping, recording problems against the file."""

    def __init__(self, issues: Issues, path: Path, data: LMap, allowed: set[str], what: str):
        self.issues, self.path, self.data = issues, path, data
        for key in data:
            if key not in allowed:
                hint = _closest(str(key), allowed)
                extra = f" (did you mean '{hint}'?)" if hint else ""
                self.error(data.line_of(key), f"unknown key '{key}' in {what}{extra}")

    def error(self, line: int, message: str) -> None:
        self.issues.add(self.path, line, message)

    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def text(self, key: str, *, required: bool = False, max_len: int = 2000) -> str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(self.line(key), f"missing '{key}'")
            return None
        if isinstance(value, bool | dict | list):
            self.error(self.line(key), f"'{key}' must be text")
            return None
        value = str(value).strip()
        if len(value) > max_len:
            self.error(self.line(key), f"'{key}' is longer than {max_len} characters")
        return value

    def integer(self, key: str, *, default=None, minimum=0, maximum=None, required=False):
        value = self.data.get(key, default)
        if value is None:
            if required:
                self.error(self.line(key), f"missing '{key}'")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(self.line(key), f"'{key}' must be a whole number")
            return default
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and {maximum}" if maximum is not None else ""
            self.error(
                self.line(key),
                f"'{key}' must be between {minimum}{upper}" if maximum is not None
                else f"'{key}' must be at least {minimum}",
            )
            return default
        return value

    def localized(self, key: str, *, required: bool = False) -> dict:
        result = {}
        if (main := self.text(key, required=required)) is not None:
            result["zh_Hans"] = main
        if (en := self.text(f"{key}_en")) is not None:
            result["en"] = en
        if (hant := self.text(f"{key}_zh_hant")) is not None:
            result["zh_Hant"] = hant
        return result


def _closest(word: str, candidates: set[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.7)
    return match[0] if match else None


def _read_yaml(issues: Issues, path: Path, text: str, offset: int = 0):
    try:
        value, problems = yamlsrc.parse(text, offset)
    except yamlsrc.YamlSyntaxError as exc:
        issues.add(path, exc.line, exc.message)
        return None
    for line, message in problems:
        issues.add(path, line, message)
    return value


# --- question banks ---------------------------------------------------------------------------


def load_quiz(path: Path, issues: Issues, *, public: bool = False) -> QuizSpec | None:
    """Parse and validate one question bank file.

    A public bank (``quizzes/public/``) is stored as ``public/<file stem>`` and its questions may
    name the reading ``module`` that teaches them.
    """
    slug = f"public/{path.stem}" if public else path.stem
    if not SLUG_RE.match(path.stem):
        issues.add(path, 1, "file name must be lower-case letters, digits and '-' (e.g. fraud-basics.yaml)")
    before = len(issues)
    data = _read_yaml(issues, path, _read_text(path, issues))
    if data is None:
        if path.exists() and len(issues) == before:
            issues.add(path, 1, "the question bank is empty")
        return None
    if not isinstance(data, LMap):
        issues.add(path, 1, "a question bank must be a mapping with 'title' and 'questions'")
        return None
    r = _Reader(issues, path, data, QUIZ_KEYS, "question bank")
    title = r.localized("title", required=True)
    draw = r.integer("draw", required=True, minimum=1)
    pass_mark = r.integer("pass_mark", default=80, minimum=1, maximum=100)
    max_attempts = r.integer("max_attempts", default=0, minimum=0, maximum=100)
    time_limit = r.integer("time_limit", minimum=1, maximum=600)
    shuffle = data.get("shuffle_options", True)
    if not isinstance(shuffle, bool):
        r.error(r.line("shuffle_options"), "'shuffle_options' must be true or false")
        shuffle = True
    review = r.text("review") or "after_last_attempt"
    if review not in REVIEW_POLICIES:
        r.error(r.line("review"), f"'review' must be one of {', '.join(REVIEW_POLICIES)}, not '{review}'")
        review = "after_last_attempt"
    questions = _load_questions(issues, path, data, r, public=public)
    if shuffle and not public:  # public play keeps the author's letters; staff exams relabel them
        for question in questions:
            check_letter_references(issues, path, question)
    if draw is not None and questions and draw > len(questions):
        r.error(r.line("draw"), f"'draw' is {draw} but the bank has only {len(questions)} questions")
    return QuizSpec(slug, path, title, draw or 1, pass_mark, max_attempts, time_limit, shuffle, questions, review)


def _load_questions(issues: Issues, path: Path, data: LMap, r: _Reader, *, public: bool = False,
                    key: str = "questions") -> list[QuestionSpec]:
    items = data.get(key)
    if items is None:
        r.error(data.line, f"missing '{key}'")
        return []
    if not isinstance(items, LList) or not items:
        r.error(r.line(key), f"'{key}' must be a list of questions")
        return []
    seen: dict[str, int] = {}
    questions = []
    for index, item in enumerate(items):
        line = items.item_lines[index]
        if not isinstance(item, LMap):
            issues.add(path, line, "each question must be a mapping with id, type, stem, answer…")
            continue
        raw_id = str(item.get("id", "")).strip()
        if raw_id and raw_id in seen:
            issues.add(
                path, item.line_of("id"),
                f"duplicate question id '{raw_id}' (first used on line {seen[raw_id]})",
            )
            continue
        if raw_id:
            seen[raw_id] = item.line_of("id")
        question = _load_question(issues, path, item, public=public)
        if question is not None:
            questions.append(question)
    return questions


def _load_question(issues: Issues, path: Path, item: LMap, *, public: bool = False) -> QuestionSpec | None:
    r = _Reader(issues, path, item, QUESTION_KEYS | {"module"} if public else QUESTION_KEYS, "question")
    key = r.text("id", required=True, max_len=64)
    kind = r.text("type", required=True)
    if kind is not None and kind not in QUESTION_KINDS:
        r.error(r.line("type"), f"unknown question type '{kind}' (use single, multiple or truefalse)")
        kind = None
    stem = r.localized("stem", required=True)
    explanation = r.localized("explanation", required=True)
    rule = r.text("rule", required=True, max_len=300) or ""
    tags = _read_tags(r, item)
    options = _read_options(r, item, kind)
    answer = _read_answer(r, item, kind, options)
    module = r.text("module", max_len=100) if public else None
    if module is not None and not SLUG_RE.match(module):
        r.error(r.line("module"), f"'module' must be a module file name such as fake-police, not '{module}'")
    basis = read_basis(r, item)
    if key is None or kind is None or answer is None or not stem:
        return None
    return QuestionSpec(key, kind, stem, options, answer, explanation, tags, rule, item.line, module,
                        basis, r.line("basis"), r.line("explanation"))


def read_basis(r: _Reader, item: LMap) -> list[str]:
    """The required ``basis``: a DOMAIN.md section id or a list of them (checked against the file later)."""
    value = item.get("basis")
    if value is None or value == [] or value == "":
        r.error(item.line, f"missing 'basis' ({BASIS_HINT})")
        return []
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and v.strip() for v in values):
        r.error(r.line("basis"), f"'basis' must list {BASIS_HINT}")
        return []
    return [v.strip() for v in values]


def check_letter_references(issues: Issues, path: Path, question: QuestionSpec) -> None:
    """An explanation may not name an option by a letter that shuffling changes for every learner."""
    if question.kind not in ("single", "multiple"):
        return
    letters = {key for key, _texts in question.options}
    named = sorted({m.group(1) for text in question.explanation.values() for m in LETTER_RE.finditer(text)} & letters)
    if named:
        issues.add(path, question.explanation_line or question.line,
                   f"question '{question.key}': the explanation names option {', '.join(named)} by its letter, "
                   "but options are shuffled and relabelled for every learner; name the option by its content")


def _read_tags(r: _Reader, item: LMap) -> list[str]:
    tags = item.get("tags")
    if tags is None:
        r.error(item.line, "missing 'tags' (at least one knowledge tag)")
        return []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
        r.error(r.line("tags"), "'tags' must be a list of knowledge tags, e.g. [投诉处理, 时限]")
        return []
    return [t.strip() for t in tags]


def _read_options(r: _Reader, item: LMap, kind: str | None) -> list:
    options = item.get("options")
    if kind == "truefalse":
        if options is not None:
            r.error(r.line("options"), "a truefalse question has no options (its answer is 对 or 错)")
        return []
    if options is None:
        if kind is not None:
            r.error(item.line, "missing 'options'")
        return []
    if not isinstance(options, LMap):
        r.error(r.line("options"), "'options' must be a mapping like  A: …  B: …")
        return []
    if not 3 <= len(options) <= 6:
        r.error(r.line("options"), f"a question needs 3 to 6 options, found {len(options)}")
    result = []
    expected = "ABCDEF"
    hant = item.get("options_zh_hant") if isinstance(item.get("options_zh_hant"), dict) else {}
    for index, (letter, text) in enumerate(options.items()):
        if index < len(expected) and str(letter) != expected[index]:
            r.error(options.line_of(letter), f"options must be keyed A, B, C… in order; found '{letter}'")
        if text is None or not str(text).strip() or isinstance(text, dict | list):
            r.error(options.line_of(letter), f"option {letter} has no text")
            continue
        texts = {"zh_Hans": str(text).strip()}
        if letter in hant:
            texts["zh_Hant"] = str(hant[letter]).strip()
        result.append([str(letter), texts])
    return result


def _read_answer(r: _Reader, item: LMap, kind: str | None, options: list) -> list | None:
    if "answer" not in item or item.get("answer") in (None, "", []):
        r.error(item.line_of("answer") if "answer" in item else item.line, "missing 'answer'")
        return None
    raw = item["answer"]
    line = r.line("answer")
    if kind == "truefalse":
        word = str(raw).strip().lower() if not isinstance(raw, bool) else str(raw).lower()
        if word in TRUE_WORDS:
            return ["true"]
        if word in FALSE_WORDS:
            return ["false"]
        r.error(line, f"the answer of a truefalse question must be 对 or 错, not '{raw}'")
        return None
    letters = raw if isinstance(raw, list) else [raw]
    letters = [str(x).strip() for x in letters]
    if len(letters) == 1 and "," in letters[0]:
        letters = [x.strip() for x in letters[0].split(",") if x.strip()]
    keys = {opt[0] for opt in options}
    ok = True
    for letter in letters:
        if keys and letter not in keys:
            r.error(line, f"answer '{letter}' is not among the options ({', '.join(sorted(keys))})")
            ok = False
    if len(set(letters)) != len(letters):
        r.error(line, "the answer lists the same option twice")
        ok = False
    if kind == "single" and len(letters) != 1:
        r.error(line, "a single-choice question has exactly one answer")
        ok = False
    if kind == "multiple" and len(letters) < 2:
        r.error(line, "a multiple-choice question needs at least two right answers (use single)")
        ok = False
    return sorted(letters) if ok else None


# --- courses ---------------------------------------------------------------------------------


def load_course(folder: Path, issues: Issues) -> CourseSpec | None:
    """Parse and validate one course folder (course.yaml plus its lesson files)."""
    slug = folder.name
    card = folder / "course.yaml"
    if not SLUG_RE.match(slug):
        issues.add(card, 1, "the course folder name must be lower-case letters, digits and '-'")
    if not card.exists():
        issues.add(card, 1, "missing course.yaml")
        return None
    before = len(issues)
    data = _read_yaml(issues, card, _read_text(card, issues))
    if not isinstance(data, LMap):
        if data is not None:
            issues.add(card, 1, "course.yaml must be a mapping with title, summary, lessons, exam")
        elif len(issues) == before:
            issues.add(card, 1, "course.yaml is empty")
        return None
    r = _Reader(issues, card, data, COURSE_KEYS, "course.yaml")
    title = r.localized("title", required=True)
    summary = r.localized("summary", required=True)
    audience = r.text("audience") or ""
    minutes = r.integer("minutes", default=0, minimum=0, maximum=10000)
    exam = r.text("exam", required=True)
    lessons = _load_lesson_list(issues, folder, card, data, r)
    scenarios = _load_scenario_requirements(issues, card, data, r)
    return CourseSpec(slug, folder, title, summary, audience, minutes or 0, lessons, exam or "", scenarios)


def _load_scenario_requirements(issues, card: Path, data: LMap, r: _Reader) -> list:
    items = data.get("scenarios")
    if items is None:
        return []
    if not isinstance(items, LList):
        r.error(r.line("scenarios"), "'scenarios' must be a list like  - id: safe-account-transfer")
        return []
    result = []
    for index, item in enumerate(items):
        line = items.item_lines[index]
        if isinstance(item, str):
            item_id, score = item, None
        elif isinstance(item, LMap):
            sr = _Reader(issues, card, item, SCENARIO_REQUIREMENT_KEYS, "a course scenario")
            item_id = sr.text("id", required=True)
            score = sr.integer("min_score", minimum=0, maximum=100)
        else:
            issues.add(card, line, "each scenario is an id, or  id: …  with an optional  min_score: …")
            continue
        if item_id:
            result.append([item_id, score, line])
    return result


def _load_lesson_list(issues, folder: Path, card: Path, data: LMap, r: _Reader) -> list[LessonSpec]:
    items = data.get("lessons")
    if items is None:
        r.error(data.line, "missing 'lessons'")
        return []
    if not isinstance(items, LList) or not items:
        r.error(r.line("lessons"), "'lessons' must list the lesson files in order")
        return []
    lessons, seen = [], set()
    for index, name in enumerate(items):
        line = items.item_lines[index]
        if not isinstance(name, str) or not name.endswith(".md") or "/" in name:
            issues.add(card, line, f"'{name}' is not a lesson file name like 01-intro.md")
            continue
        if name in seen:
            issues.add(card, line, f"lesson '{name}' is listed twice")
            continue
        seen.add(name)
        path = folder / name
        if not path.exists():
            issues.add(card, line, f"lesson file '{name}' does not exist in {display_path(folder)}")
            continue
        lesson = load_lesson(path, issues)
        if lesson is not None:
            lessons.append(lesson)
    for path in sorted(folder.glob("*.md")):
        if path.name not in seen and not path.name.endswith(".zh_Hant.md"):
            issues.add(path, 1, "this lesson file is not listed under 'lessons' in course.yaml")
    return lessons


def split_front_matter(path: Path, text: str, issues: Issues):
    """Return (front matter mapping, body, first body line) or None after recording the problem."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        issues.add(path, 1, "a lesson must start with a front matter block between two '---' lines")
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        issues.add(path, 1, "the front matter block is not closed with a '---' line")
        return None
    front = _read_yaml(issues, path, "\n".join(lines[1:end]), offset=1)
    if front is None:
        if end == 1 or all(not ln.strip() for ln in lines[1:end]):
            issues.add(path, 1, "the front matter is empty (it needs kind and title)")
        return None
    if not isinstance(front, LMap):
        issues.add(path, 2, "the front matter must be key: value lines (kind, title, minutes…)")
        return None
    return front, "\n".join(lines[end + 1:]), end + 2


def load_lesson(path: Path, issues: Issues) -> LessonSpec | None:
    """Parse and validate one lesson or case study Markdown file."""
    parsed = split_front_matter(path, _read_text(path, issues), issues)
    if parsed is None:
        return None
    front, body, body_line = parsed
    r = _Reader(issues, path, front, LESSON_KEYS, "the lesson front matter")
    kind = r.text("kind", required=True)
    if kind is not None and kind not in ("lesson", "case"):
        r.error(r.line("kind"), f"'kind' must be lesson or case, not '{kind}'")
        kind = None
    title = r.localized("title", required=True)
    minutes = r.integer("minutes", default=5, minimum=1, maximum=120)
    remember = _read_remember(r, front, kind)
    if not body.strip():
        issues.add(path, body_line, "the lesson has no text after the front matter")
    if kind == "case":
        _check_case_sections(issues, path, body, body_line)
    bodies = {"zh_Hans": body.strip()}
    override = path.with_name(path.stem + ".zh_Hant.md")
    if override.exists():
        parsed_hant = split_front_matter(override, _read_text(override, issues), issues)
        if parsed_hant is not None:
            hant_front, hant_body, _ = parsed_hant
            hr = _Reader(issues, override, hant_front, LESSON_KEYS, "the lesson front matter")
            if hant_title := hr.text("title"):
                title["zh_Hant"] = hant_title
            if isinstance(hant_front.get("remember"), list):
                remember["zh_Hant"] = [str(x) for x in hant_front["remember"]]
            bodies["zh_Hant"] = hant_body.strip()
    if kind is None or not title:
        return None
    return LessonSpec(path.stem, path, kind, title, minutes or 5, remember, bodies)


def _read_remember(r: _Reader, front: LMap, kind: str | None) -> dict:
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


HEADING_RE = re.compile(r"^##\s+(.+?)\s*#*\s*$")


def case_headings(body: str) -> list[tuple[int, str]]:
    """(index of line, heading text) of each second-level heading outside code fences."""
    found, fenced = [], False
    for index, line in enumerate(body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (m := HEADING_RE.match(line)):
            found.append((index, m.group(1)))
    return found


def _check_case_sections(issues: Issues, path: Path, body: str, body_line: int) -> None:
    check_sections(issues, path, body, body_line, [name for _, name in CASE_SECTIONS], "case study")


def check_sections(issues: Issues, path: Path, body: str, body_line: int, expected: list[str], what: str) -> None:
    """The body's second-level headings are exactly ``expected``, each once, in that order."""
    headings = case_headings(body)
    names = [text for _, text in headings]
    for index, text in headings:
        if text not in expected:
            issues.add(
                path, body_line + index,
                f"unexpected section '## {text}' in a {what} (sections: {'、'.join(expected)})",
            )
    present = [n for n in names if n in expected]
    for name in expected:
        if name not in present:
            issues.add(path, body_line, f"the {what} is missing its '## {name}' section")
        elif present.count(name) > 1:
            issues.add(path, body_line, f"the {what} has '## {name}' more than once")
    ordered = [n for n in expected if n in present]
    if present != ordered and len(set(present)) == len(present):
        issues.add(path, body_line, f"{what} sections must come in this order: {'、'.join(expected)}")


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


def _read_text(path: Path, issues: Issues) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        issues.add(path, 1, "file not found")
    except UnicodeDecodeError:
        issues.add(path, 1, "the file is not UTF-8 text (save it as UTF-8)")
    return ""


# --- whole trees -----------------------------------------------------------------------------


def load_tree(root: Path, paths: list[Path] | None = None, *, facts: Path | None = None) -> tuple[Bundle, Issues]:
    """Load the bundled content under ``root`` (or only ``paths``) and every problem found.

    References (a course's exam and scenarios, a public question's module, a campaign's modules and
    pools) are resolved against the files under ``root`` as well as the given paths. Every
    question's and reply's ``basis`` and every service number, document number and law quoted are
    checked against the facts file (``facts``, default ``docs/DOMAIN.md`` under ``root`` or beside
    the application).
    """
    issues = Issues()
    bundle = Bundle()
    from app.content import public
    from app.content.scenarios import load_scenario

    found = _classify(root, paths, issues)
    for path in found.quizzes:
        if (quiz := load_quiz(path, issues)) is not None:
            bundle.quizzes[quiz.slug] = quiz
    for path in found.scenarios:
        if (scenario := load_scenario(path, issues)) is not None:
            bundle.scenarios[scenario.slug] = scenario
    for path in found.modules:
        if (module := public.load_module(path, issues)) is not None:
            bundle.modules[module.slug] = module
    for path in found.public_quizzes:
        if (quiz := load_quiz(path, issues, public=True)) is not None:
            bundle.public_quizzes[quiz.slug] = quiz
    for path in found.campaigns:
        if (campaign := public.load_campaign(path, issues)) is not None:
            bundle.campaigns[campaign.slug] = campaign
    known_scenarios = set(bundle.scenarios) | {p.stem for p in (root / "quizzes" / "scenarios").glob("*.yaml")}
    known_quizzes = set(bundle.quizzes) | {p.stem for p in (root / "quizzes").glob("*.yaml")}
    known_modules = set(bundle.modules) | {p.stem for p in (root / "modules").glob("*.md") if p.name != "README.md"}
    known_pools = set(bundle.public_quizzes) | {f"public/{p.stem}" for p in (root / "quizzes" / "public").glob("*.yaml")}
    public.check_references(bundle, issues, known_modules, known_pools)
    for folder in found.courses:
        course = load_course(folder, issues)
        if course is None:
            continue
        if course.exam and course.exam not in known_quizzes:
            data_line = _line_of_key(folder / "course.yaml", "exam")
            issues.add(
                folder / "course.yaml", data_line,
                f"exam '{course.exam}' does not exist (no quizzes/{course.exam}.yaml)",
            )
        for scenario_id, _score, line in course.scenarios:
            if scenario_id not in known_scenarios:
                issues.add(folder / "course.yaml", line,
                           f"scenario '{scenario_id}' does not exist (no quizzes/scenarios/{scenario_id}.yaml)")
        bundle.courses[course.slug] = course
    check_facts(bundle, issues, found, domain.load(facts or facts_file(root)))
    return bundle, issues


def facts_file(root: Path) -> Path:
    """docs/DOMAIN.md of the content tree, or of the application's own checkout."""
    candidate = root / "docs" / "DOMAIN.md"
    return candidate if candidate.exists() else Path(__file__).resolve().parents[2] / "docs" / "DOMAIN.md"


def check_facts(bundle: Bundle, issues: Issues, found: _Found, facts: domain.Domain) -> None:
    """Basis references name real sections; quoted numbers and laws are in the facts file."""
    quizzes = [*bundle.quizzes.values(), *bundle.public_quizzes.values(),
               *(m.practice_quiz() for m in bundle.modules.values())]
    for quiz in quizzes:
        for question in quiz.questions:
            _check_basis(issues, quiz.path, question.basis, question.basis_line or question.line, facts)
    for scenario in bundle.scenarios.values():
        for basis, line in scenario.bases:
            _check_basis(issues, scenario.path, basis, line, facts)
    files = [*found.quizzes, *found.scenarios, *found.modules, *found.public_quizzes, *found.campaigns]
    for folder in found.courses:
        files += [folder / "course.yaml", *sorted(folder.glob("*.md"))]
    for path in files:
        _check_quotes(issues, path, facts)


def _check_basis(issues: Issues, path: Path, basis: list[str], line: int, facts: domain.Domain) -> None:
    for reference in basis:
        if facts.unknown_basis(reference):
            issues.add(path, line, f"basis '{reference}' is not a section of docs/DOMAIN.md "
                                   f"(use {', '.join('§' + s for s in sorted(facts.sections, key=_section_order))})")


def _section_order(section: str) -> tuple[int, int]:
    return (1, int(section[1:])) if section.startswith("W") else (0, int(section))


def _check_quotes(issues: Issues, path: Path, facts: domain.Domain) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return  # already reported by the loader
    for number, line in enumerate(lines, 1):
        for quoted in facts.unverified_references(line):
            issues.add(path, number, f"'{quoted}' is not in docs/DOMAIN.md: quote only service numbers, "
                                     "document numbers and laws the verified facts hold")


@dataclass
class _Found:
    quizzes: list = field(default_factory=list)
    courses: list = field(default_factory=list)
    scenarios: list = field(default_factory=list)
    modules: list = field(default_factory=list)
    public_quizzes: list = field(default_factory=list)
    campaigns: list = field(default_factory=list)

    def unique(self) -> _Found:
        for name in self.__dataclass_fields__:
            setattr(self, name, list(dict.fromkeys(getattr(self, name))))
        return self


def _classify(root: Path, paths: list[Path] | None, issues: Issues) -> _Found:
    if not paths:
        return _Found(
            quizzes=sorted((root / "quizzes").glob("*.yaml")),
            courses=sorted(p.parent for p in (root / "courses").glob("*/course.yaml")),
            scenarios=sorted((root / "quizzes" / "scenarios").glob("*.yaml")),
            modules=sorted(p for p in (root / "modules").glob("*.md") if p.name != "README.md"),
            public_quizzes=sorted((root / "quizzes" / "public").glob("*.yaml")),
            campaigns=sorted((root / "campaigns").glob("*.yaml")),
        )
    found = _Found()
    for path in paths:
        if path.is_dir():
            if (path / "course.yaml").exists():
                found.courses.append(path)
            elif path.name == "scenarios":
                found.scenarios.extend(sorted(path.glob("*.yaml")))
            elif path.name == "public":
                found.public_quizzes.extend(sorted(path.glob("*.yaml")))
            elif path.name == "modules":
                found.modules.extend(p for p in sorted(path.glob("*.md")) if p.name != "README.md")
            elif path.name == "campaigns":
                found.campaigns.extend(sorted(path.glob("*.yaml")))
            else:
                found.quizzes.extend(sorted(path.glob("*.yaml")))
                found.scenarios.extend(sorted((path / "scenarios").glob("*.yaml")))
                found.public_quizzes.extend(sorted((path / "public").glob("*.yaml")))
                found.courses.extend(sorted(p.parent for p in path.glob("*/course.yaml")))
        elif path.name == "course.yaml" or (path.suffix == ".md" and (path.parent / "course.yaml").exists()):
            found.courses.append(path.parent)
        elif path.suffix == ".md" and path.parent.name == "modules":
            found.modules.append(path)
        elif path.suffix in (".yaml", ".yml") and path.parent.name == "scenarios":
            found.scenarios.append(path)
        elif path.suffix in (".yaml", ".yml") and path.parent.name == "public":
            found.public_quizzes.append(path)
        elif path.suffix in (".yaml", ".yml") and path.parent.name == "campaigns":
            found.campaigns.append(path)
        elif path.suffix in (".yaml", ".yml"):
            found.quizzes.append(path)
        elif not path.exists():
            issues.add(path, 1, "no such file or folder")
        else:
            issues.add(path, 1, "not a course folder, course.yaml, lesson (.md), module (modules/*.md), "
                                "question bank (.yaml) or campaign (campaigns/*.yaml)")
    return found.unique()


def _line_of_key(path: Path, key: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith(f"{key}:"):
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 1
