"""Question banks (quizzes/*.yaml, quizzes/public/*.yaml): reading and checking every question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.content.reader import SLUG_RE, FieldReader, Issues, content_hash, read_text, read_yaml
from app.content.yamlsrc import LList, LMap

QUESTION_KINDS = ("single", "multiple", "truefalse", "fill")
OPTION_LETTERS = "ABCDEFGH"
BLANK_RE = re.compile(r"_{3,}")  # a blank of a fill question: three or more underscores
TRUE_WORDS = {"对", "對", "正确", "正確", "true", "yes"}
FALSE_WORDS = {"错", "錯", "错误", "錯誤", "false", "no"}

QUIZ_KEYS = {
    "title", "title_en", "title_zh_hant", "draw", "pass_mark", "max_attempts", "time_limit",
    "shuffle_options", "review", "questions", "imported_from",
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
LETTER_RE = re.compile(r"(?<![A-Za-z0-9])([A-H])(?![A-Za-z0-9])")

@dataclass(frozen=True)
class Strictness:
    """What the checker asks of a question. Banks the team writes (the default) rest every question on a
    rule and DOMAIN.md and give 3 to 6 options; a bank imported from another system (``imported_from``)
    keeps what it has: 2 to 8 options, rule, basis and explanation optional."""

    options: tuple[int, int] = (3, 6)
    sourced: bool = True  # rule, basis and explanation required
    fill: bool = True  # fill-in-the-blank allowed (not in public banks: a phone quiz is answered by a tap)


AUTHORED, IMPORTED = Strictness(), Strictness(options=(2, 8), sourced=False)


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
    imported_from: str = ""  # the file an imported bank came from (its checks are those of IMPORTED)

    def fingerprint(self) -> str:
        """A hash of what learners see and are graded on (not of file layout)."""
        return content_hash(
            {
                "title": self.title, "draw": self.draw, "pass_mark": self.pass_mark,
                "max_attempts": self.max_attempts, "time_limit": self.time_limit,
                "shuffle": self.shuffle_options,
                **({"review": self.review} if self.review != "after_last_attempt" else {}),
                **({"imported_from": self.imported_from} if self.imported_from else {}),
                "questions": [
                    [q.key, q.kind, q.stem, q.options, q.answer, q.explanation, q.tags, q.rule]
                    + ([q.module] if q.module else [])
                    for q in self.questions
                ],
            }
        )



def load_quiz(path: Path, issues: Issues, *, public: bool = False) -> QuizSpec | None:
    """Parse and validate one question bank file.

    A public bank (``quizzes/public/``) is stored as ``public/<file stem>`` and its questions may
    name the reading ``module`` that teaches them.
    """
    slug = f"public/{path.stem}" if public else path.stem
    if not SLUG_RE.match(path.stem):
        issues.add(path, 1, "file name must be lower-case letters, digits and '-' (e.g. fraud-basics.yaml)")
    before = len(issues)
    data = read_yaml(issues, path, read_text(path, issues))
    if data is None:
        if path.exists() and len(issues) == before:
            issues.add(path, 1, "the question bank is empty")
        return None
    if not isinstance(data, LMap):
        issues.add(path, 1, "a question bank must be a mapping with 'title' and 'questions'")
        return None
    r = FieldReader(issues, path, data, QUIZ_KEYS, "question bank")
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
    imported_from = r.text("imported_from", max_len=255) or ""
    strictness = IMPORTED if imported_from else AUTHORED
    if public:
        strictness = Strictness(strictness.options, strictness.sourced, fill=False)
    questions = load_questions(issues, path, data, r, public=public, strictness=strictness)
    if shuffle and not public:  # public play keeps the author's letters; staff exams relabel them
        for question in questions:
            check_letter_references(issues, path, question)
    if draw is not None and questions and draw > len(questions):
        r.error(r.line("draw"), f"'draw' is {draw} but the bank has only {len(questions)} questions")
    return QuizSpec(slug, path, title, draw or 1, pass_mark, max_attempts, time_limit, shuffle, questions, review,
                    imported_from)


def load_questions(issues: Issues, path: Path, data: LMap, r: FieldReader, *, public: bool = False,
                    key: str = "questions", strictness: Strictness = AUTHORED) -> list[QuestionSpec]:
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
        question = _load_question(issues, path, item, public=public, strictness=strictness)
        if question is not None:
            questions.append(question)
    return questions


def _load_question(issues: Issues, path: Path, item: LMap, *, public: bool = False,
                   strictness: Strictness = AUTHORED) -> QuestionSpec | None:
    r = FieldReader(issues, path, item, QUESTION_KEYS | {"module"} if public else QUESTION_KEYS, "question")
    key = r.text("id", required=True, max_len=64)
    kind = _read_kind(r, strictness)
    stem = r.localized("stem", required=True)
    explanation = r.localized("explanation", required=strictness.sourced)
    rule = r.text("rule", required=strictness.sourced, max_len=300) or ""
    tags = read_tags(r, item) if strictness.sourced or "tags" in item else []
    options = _read_options(r, item, kind, strictness)
    answer = _read_fill_answer(r, item, stem) if kind == "fill" else _read_answer(r, item, kind, options)
    module = r.text("module", max_len=100) if public else None
    if module is not None and not SLUG_RE.match(module):
        r.error(r.line("module"), f"'module' must be a module file name such as fake-police, not '{module}'")
    basis = read_basis(r, item) if strictness.sourced or "basis" in item else []
    if key is None or kind is None or answer is None or not stem:
        return None
    return QuestionSpec(key, kind, stem, options, answer, explanation, tags, rule, item.line, module,
                        basis, r.line("basis"), r.line("explanation"))


def _read_kind(r: FieldReader, strictness: Strictness) -> str | None:
    kind = r.text("type", required=True)
    kinds = QUESTION_KINDS if strictness.fill else tuple(k for k in QUESTION_KINDS if k != "fill")
    if kind == "fill" and not strictness.fill:
        r.error(r.line("type"), "a public quiz is answered with a tap on a phone: fill questions belong in staff exams")
        return None
    if kind is not None and kind not in kinds:
        r.error(r.line("type"), f"unknown question type '{kind}' (use {', '.join(kinds)})")
        return None
    return kind


def _read_fill_answer(r: FieldReader, item: LMap, stem: dict) -> list | None:
    """One entry per blank (____ in the stem; none: one answer), each a text or a list of accepted texts."""
    raw = item.get("answer")
    line = r.line("answer") or item.line
    if raw is None or raw == "" or raw == []:
        r.error(line, "missing 'answer'")
        return None
    blanks = max(1, len(BLANK_RE.findall(stem.get("zh_Hans", "")))) if stem else 1
    entries = raw if isinstance(raw, list) else [raw]
    accepted = [[str(a).strip() for a in (e if isinstance(e, list) else [e]) if str(a).strip()] for e in entries]
    if not all(accepted) or any(isinstance(a, dict) for e in entries for a in (e if isinstance(e, list) else [e])):
        r.error(line, "each blank needs at least one accepted answer, e.g. answer: [[50, 五十], 存款保险]")
        return None
    if len(accepted) != blanks:
        r.error(line, f"the stem has {blanks} blank(s) (____) but 'answer' gives {len(accepted)}; "
                      "give one entry per blank, in order")
        return None
    return accepted


def read_basis(r: FieldReader, item: LMap) -> list[str]:
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


def read_tags(r: FieldReader, item: LMap) -> list[str]:
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


def _read_options(r: FieldReader, item: LMap, kind: str | None, strictness: Strictness = AUTHORED) -> list:
    options = item.get("options")
    if kind in ("truefalse", "fill"):
        if options is not None:
            r.error(r.line("options"), f"a {kind} question has no options")
        return []
    if options is None:
        if kind is not None:
            r.error(item.line, "missing 'options'")
        return []
    if not isinstance(options, LMap):
        r.error(r.line("options"), "'options' must be a mapping like  A: …  B: …")
        return []
    least, most = strictness.options
    if not least <= len(options) <= most:
        r.error(r.line("options"), f"a question needs {least} to {most} options, found {len(options)}")
    result = []
    expected = OPTION_LETTERS
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


def _read_answer(r: FieldReader, item: LMap, kind: str | None, options: list) -> list | None:
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
