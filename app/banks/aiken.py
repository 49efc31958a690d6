"""Aiken question banks (the plain multiple-choice text format Moodle imports), read and written. Pure Python.

**Read.** Each question is its stem, its options and its answer line::

    商业银行应在多少日内处理客户投诉?
    A. 5 日
    B) 15 日
    C. 30 日
    ANSWER: B

- The stem: the lines before the first option (several lines are kept as lines). A question's
  place is its first line.
- Options: a capital letter in order (A, B, C…), then ``.`` or ``)``, then a space and the text.
- ``ANSWER: B`` (``Answer:`` and a full-width colon are read too) ends the question → ``single``.
- Blank lines between questions are optional; a blank line or a stem line after the options of a
  question without its answer line ends that question (``missing_answer``).
- Refused, with a problem at the question's first line (or at the line of an option out of order):
  no ``ANSWER`` line (``missing_answer``), an answer that is not one of the options
  (``answer_not_in_options``), several answer letters (``single_with_several_answers``), fewer
  than two options (``too_few_options``), an empty stem (``empty_stem``), options out of order
  (``malformed``), and whatever else makes a question unusable (see ``model.check``).
- Aiken has no explanations, tags, keys or other kinds: read questions have none.
- Bytes are read as UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
  else GB18030; ``encoding`` when they are none of these. Files over 20 MB and questions after the
  20,000th are refused (``too_large``).

**Written.** ``single`` questions only, one block each, separated by blank lines: the stem, the
options as ``A. text``, ``ANSWER: X``.

- Aiken cannot carry a line break inside a stem or an option: line breaks are written as spaces
  (the text reads back as one line).
- Not written (Aiken has no place for them): explanations, tags, keys, points, the category.
- Skipped (returned as skipped): every kind but ``single``; a single-choice question without exactly
  one answer or with more than 26 options; a question whose stem would read as an option or an
  answer line (it starts like ``A. `` or ``ANSWER:``).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from app.banks.model import MAX_QUESTIONS, BankQuestion, Problem, Where, check, decode, oversize

_OPTION = re.compile(r"([A-Z])[.)](?:\s+(.*))?$")
_ANSWER = re.compile(r"ANSWER\s*[:：]\s*(.*)$", re.IGNORECASE)
_ENCODING = Problem(Where(), "encoding", (("encoding", "UTF-8, GB18030"),))


def read(data: str | bytes) -> tuple[list[BankQuestion], list[Problem]]:
    """The questions of an Aiken file and the problems that kept others out (see the module docstring)."""
    too_large = oversize(data)
    text = None if too_large else decode(data)
    if text is None:
        return [], [too_large or _ENCODING]
    reader = _Reader()
    for number, line in enumerate(text.split("\n"), 1):
        if reader.done >= MAX_QUESTIONS:
            reader.problems.append(Problem(Where(row=number), "too_large", (("limit", MAX_QUESTIONS),)))
            break
        reader.line(number, line.strip())
    reader.close()
    return reader.questions, reader.problems


def write(questions: list[BankQuestion], *, category: str = "") -> tuple[str, list[BankQuestion]]:
    """An Aiken file of the single-choice ``questions`` and the questions it cannot hold; ``category`` is not written."""
    blocks: list[str] = []
    skipped: list[BankQuestion] = []
    for question in questions:
        block = _block(question)
        if block is None:
            skipped.append(question)
        else:
            blocks.append(block)
    return ("\n\n".join(blocks) + "\n" if blocks else ""), skipped


def one_line(text: str) -> str:
    """``text`` as Aiken writes it: its lines joined by spaces."""
    return " ".join(line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip())


def is_option_or_answer(line: str) -> bool:
    """Whether a line would be read as an option (``A. …``, ``B) …``) or as the answer line (``ANSWER: …``)."""
    return bool(_OPTION.match(line) or _ANSWER.match(line))


# Reading


@dataclass
class _Block:
    """A question being read: its first line, stem lines, options and the first problem found in it."""

    line: int
    stem: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    problem: Problem | None = None

    def next_letter(self) -> str:
        return string.ascii_uppercase[len(self.options)] if len(self.options) < 26 else ""


class _Reader:
    """Reads line by line; a question ends at its answer line."""

    def __init__(self) -> None:
        self.questions: list[BankQuestion] = []
        self.problems: list[Problem] = []
        self.block: _Block | None = None
        self.done = 0

    def line(self, number: int, line: str) -> None:
        """Read one (trimmed) line."""
        answer = _ANSWER.match(line)
        if answer:
            self._answer(number, answer.group(1))
            return
        option = _OPTION.match(line)
        if option and self._option(number, option):
            return
        if self.block and self.block.options:  # a blank or a stem line after the options: no answer line came
            self._fail(Problem(Where(row=self.block.line), "missing_answer"))
        if line:
            self.block = self.block or _Block(number)
            self.block.stem.append(line)

    def close(self) -> None:
        """The end of the file: a question still open has no answer line."""
        if self.block:
            self._fail(Problem(Where(row=self.block.line), "missing_answer"))

    def _option(self, number: int, option: re.Match) -> bool:
        """Take an option line; False when the line is stem text instead."""
        block = self.block or _Block(number)
        if option.group(1) != block.next_letter():
            if not block.options:
                return False  # 'B. …' before any option is stem text
            detail = f"option {option.group(1)} after option {string.ascii_uppercase[len(block.options) - 1]}"
            block.problem = block.problem or Problem(Where(row=number), "malformed", (("detail", detail),))
            return True
        block.options.append((option.group(2) or "").strip())
        self.block = block
        return True

    def _answer(self, number: int, value: str) -> None:
        block = self.block or _Block(number)
        answer = list(dict.fromkeys(char.upper() for char in value if char.isalnum()))
        question = BankQuestion(kind="single", stem="\n".join(block.stem), options=block.options, answer=answer,
                                where=Where(row=block.line))
        problem = block.problem or _problem(question)
        if problem:
            self._fail(problem)
        else:
            self.questions.append(question)
            self.block, self.done = None, self.done + 1

    def _fail(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.block, self.done = None, self.done + 1


def _problem(question: BankQuestion) -> Problem | None:
    found = check(question)
    return Problem(question.where, *found) if found else None


# Writing


def _block(question: BankQuestion) -> str | None:
    stem = one_line(question.stem)
    if question.kind != "single" or len(question.answer) != 1 or len(question.options) > 26:
        return None
    if is_option_or_answer(stem):
        return None
    options = [f"{string.ascii_uppercase[index]}. {one_line(option)}" for index, option in enumerate(question.options)]
    return "\n".join([stem, *options, f"ANSWER: {question.answer[0]}"])
