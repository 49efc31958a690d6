"""The one shape every question-bank format is read into and written from. Pure Python: no Flask,
no database.

A format module (``sheet``: Excel/WPS/CSV 题库; ``moodle``: Moodle XML; ``gift``; ``aiken``) turns a
file into a list of :class:`BankQuestion` and a list of :class:`Problem`; writing goes the other
way. Everything else (dedupe against a bank, YAML, versions, pages) works on these records only.

Answers, by kind:

- ``single`` / ``multiple``: option letters, ``["B"]`` / ``["A", "C"]`` (A is the first option);
- ``truefalse``: ``["true"]`` or ``["false"]``;
- ``fill``: one list of accepted answers per blank, ``[["50", "五十"], ["存款保险"]]``. A blank is
  written ``____`` (three or more underscores) in the stem; a stem without one is a question asking
  for one short answer (Moodle's shortanswer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.content.questions import BLANK_RE  # what a blank is: the bank files' own rule
from app.core.text import normalised

KINDS = ("single", "multiple", "truefalse", "fill")
CHOICE_KINDS = ("single", "multiple")
MAX_OPTIONS = 8  # 选项A…选项H
LETTERS = "ABCDEFGH"
BLANK = "____"


@dataclass(frozen=True)
class Where:
    """Where a question or a problem is in its file: sheet, row (or line) and column."""

    sheet: str = ""  # the sheet's name; '' for text formats
    row: int = 0  # the row as the spreadsheet shows it, or the line of a text file (1-based); 0: the whole file
    column: str = ""  # the column's header as written in the file ('' when the whole row is meant)
    letter: str = ""  # the column's letter (A, B…) in a spreadsheet

    def __str__(self) -> str:
        parts = [self.sheet] if self.sheet else []
        if self.row:
            parts.append(f"row {self.row}")
        if self.letter or self.column:
            parts.append(f"column {self.letter} ({self.column})" if self.letter else f"column {self.column}")
        return ", ".join(parts) or "file"


@dataclass(frozen=True)
class Problem:
    """Something wrong at ``where``; ``reason`` is a code that ``app.banks.messages`` turns into a sentence."""

    where: Where
    reason: str
    params: tuple = ()  # (name, value) pairs for the sentence, e.g. (("answer", "E"),)

    @property
    def values(self) -> dict:
        return dict(self.params)

    def __str__(self) -> str:
        detail = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.where}: {self.reason}" + (f" ({detail})" if detail else "")


@dataclass
class BankQuestion:
    kind: str  # one of KINDS
    stem: str
    options: list[str] = field(default_factory=list)  # choice kinds: option texts in order (A, B, C…)
    answer: list = field(default_factory=list)  # see the module docstring
    explanation: str = ""
    tags: list[str] = field(default_factory=list)
    key: str = ""  # the question's id where the source has one (YAML id, Moodle <name>, 编号 column)
    difficulty: str = ""  # as written (易/中/难, 1–5…); kept, not graded on
    points: float | None = None  # 分值 as written; the exam engine weighs every question equally
    where: Where = field(default_factory=Where)

    def blanks(self) -> int:
        """How many answers a fill question asks for."""
        return max(1, len(BLANK_RE.findall(self.stem)))

    def identity(self) -> tuple:
        """What makes two questions the same question: kind, normalised stem and options (not the key)."""
        return (self.kind, normalise(self.stem), tuple(normalise(o) for o in self.options))


# Text as compared (full-width → half-width, case folded, no whitespace): the same rule the exam
# engine grades typed answers by, used here to recognise a question already in a bank.
normalise = normalised


def letter(index: int) -> str:
    """0 → 'A'."""
    return LETTERS[index]


# Shared by the text formats (moodle, gift, aiken): limits, decoding, and what makes a record unusable.

MAX_BYTES = 20 * 1024 * 1024  # a larger upload (bytes, or characters for text) is refused: too_large
MAX_QUESTIONS = 20_000  # reading stops after this many questions: too_large
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))  # byte-order marks


def oversize(data: str | bytes) -> Problem | None:
    """The ``too_large`` problem of an upload over :data:`MAX_BYTES`, or None."""
    if len(data) > MAX_BYTES:
        return Problem(Where(), "too_large", (("limit", MAX_BYTES),))
    return None


def decode(data: str | bytes, fallback: str = "gb18030") -> str | None:
    """An upload's text with ``\\n`` line ends: UTF-8 (BOM or not), UTF-16 with a BOM, else ``fallback``.

    None when the bytes are neither.
    """
    text = _decoded(data, fallback) if isinstance(data, bytes) else data
    if text is None:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def _decoded(data: bytes, fallback: str) -> str | None:
    by_bom = [encoding for bom, encoding in BOMS if data.startswith(bom)]
    for encoding in by_bom or ["utf-8", fallback]:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def check(question: BankQuestion) -> tuple[str, tuple] | None:
    """Why a record read from a file cannot be used, as (reason, params); None when it can."""
    if not question.stem.strip():
        return "empty_stem", ()
    if question.kind in CHOICE_KINDS:
        return _check_choice(question)
    if question.kind == "truefalse":
        return None if question.answer in (["true"], ["false"]) else ("missing_answer", ())
    if question.kind == "fill":
        return _check_fill(question)
    return "unsupported_type", (("type", question.kind),)


def _check_choice(question: BankQuestion) -> tuple[str, tuple] | None:
    count = len(question.options)
    if count < 2:
        return "too_few_options", (("count", count),)
    if count > MAX_OPTIONS:
        return "too_many_options", (("count", count), ("limit", MAX_OPTIONS))
    for index, option in enumerate(question.options):
        if not option.strip():
            return "empty_option", (("option", letter(index)),)
    if not question.answer:
        return "missing_answer", ()
    for answer in question.answer:
        if answer not in LETTERS[:count]:
            return "answer_not_in_options", (("answer", answer),)
    if question.kind == "single" and len(question.answer) > 1:
        return "single_with_several_answers", (("answer", ",".join(question.answer)),)
    if question.kind == "multiple" and len(question.answer) < 2:
        return "multiple_with_one_answer", ()
    return None


def _check_fill(question: BankQuestion) -> tuple[str, tuple] | None:
    if not question.answer or not all(any(str(a).strip() for a in accepted) for accepted in question.answer):
        return "missing_answer", ()
    if len(question.answer) != question.blanks():
        return "blank_count_mismatch", (("blanks", question.blanks()), ("answers", len(question.answer)))
    return None
