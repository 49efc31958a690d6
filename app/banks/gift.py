"""GIFT question banks (the plain-text question format of Moodle and other learning platforms), read and written.
Pure Python.

**Read.** Questions are separated by blank lines; a line that starts with ``//`` is a comment. A
question's place is its first line.

- ``::title::`` before the question (optional) → key.
- ``$CATEGORY: $course$/top/消保/投诉处理`` (a line of its own) → the tags ``消保`` and ``投诉处理``
  for every question after it, until the next category (the same rule as Moodle XML's categories).
- The question text, then the answer block in braces:

  - ``{=right ~wrong ~wrong}`` → ``single``: the answer marked ``=`` is right (``~%100%`` counts
    too). Two answers marked ``=`` → ``single_with_several_answers``.
  - ``{~%50%right ~%50%right ~%-100%wrong}`` (no ``=``) → ``multiple``: every answer with a
    positive ``%weight%`` is right.
  - ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}`` → ``truefalse``.
  - ``{=answer =other answer}`` (``=`` answers only, or one bare answer) → ``fill`` with one blank:
    every answer at full credit (no weight, or ``%100%``) is accepted; answers with partial credit
    are left out. When the answer block stands inside the text (Moodle's "missing word"), the blank
    ``____`` takes its place; when the text ends with it, the stem is the text before it. ``\\*``
    is a literal star; an accepted answer with a bare ``*`` (a Moodle wildcard) is refused
    (``wildcard_answer``).
  - ``####text`` at the end of the block → explanation. ``#feedback`` after an answer is not kept.
- Escapes: ``\\~ \\= \\# \\{ \\} \\: \\\\`` stand for the character itself, ``\\n`` for a line break.
  A question written over several lines keeps its line breaks. Texts are trimmed.
- Text formats: ``[html]``, ``[markdown]``, ``[plain]`` or ``[moodle]`` at the start of the question
  text sets the format of the question's texts (an answer or the explanation may start with its
  own). ``[html]`` text becomes plain text as in Moodle XML (tags removed, entities unescaped,
  ``<br>`` and paragraphs as line breaks); the others are kept as written.
- Refused, with a problem at the question's first line: numerical ``{#…}``, matching
  ``{=a -> b …}``, essay ``{}`` and descriptions (text without an answer block):
  ``unsupported_type``; braces that do not pair, a second answer block or a title without its
  closing ``::``: ``malformed``; a question that is not usable (see ``model.check``).
- Bytes are read as UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
  else GB18030 (GBK files from Chinese Windows); ``encoding`` when they are none of these. Files
  over 20 MB and questions after the 20,000th are refused (``too_large``).

**Written.** One question after another, separated by blank lines, with the characters GIFT reserves
escaped (``\\ ~ = # { } :``) and line breaks as ``\\n``, so that reading the file back gives the same
texts.

- GIFT has no tags: a question's tags are written as its category, one level per tag below the
  given category (``$CATEGORY: $course$/top/消保/投诉处理`` for the category ``消保`` and the tag
  ``投诉处理``), written again whenever it changes (``$course$/top`` for a question without tags after
  one with); reading the file back gives them as tags (after the category's own levels).
- ``::key::`` when the question has a key. ``[plain]`` before the question when one of its texts
  holds ``<`` or ``&`` (Moodle would otherwise read them as HTML) or its stem starts with ``[`` or
  ``//``; ``[plain]`` before an answer or explanation that starts with ``[``.
- ``single``: ``=right`` and ``~wrong``. ``multiple``: the right answers share 100
  (``~%33.33333%``) and each wrong answer is ``~%-100%``, as in Moodle XML.
- ``truefalse``: ``{TRUE}`` or ``{FALSE}``.
- ``fill`` with one blank: the stem as it is, then ``{=answer =other}`` at its end (a ``*`` written
  ``\\*`` so that Moodle does not take it for a wildcard).
- The explanation as ``####…`` at the end of the answer block.
- Skipped (returned as skipped): ``fill`` with several blanks, and ``fill`` answers holding ``->``
  (which Moodle would read as a matching question).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from app.banks.model import (
    BLANK,
    BLANK_RE,
    LETTERS,
    MAX_QUESTIONS,
    BankQuestion,
    Problem,
    Where,
    check,
    decode,
    oversize,
)
from app.banks.moodle import category_path, category_tags, fraction_text, html_to_text, literal_answer

_ESCAPED = re.compile(r"\\([\\~=#{}:n])")
_RESERVED = re.compile(r"[\\~=#{}:\n]")
_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_TRUE, _FALSE = ("T", "TRUE"), ("F", "FALSE")
_CATEGORY = "$CATEGORY:"


def read(data: str | bytes) -> tuple[list[BankQuestion], list[Problem]]:
    """The questions of a GIFT file and the problems that kept others out (see the module docstring)."""
    too_large = oversize(data)
    text = None if too_large else decode(data)
    if text is None:
        return [], [too_large or Problem(Where(), "encoding", (("encoding", "UTF-8, GB18030"),))]
    questions: list[BankQuestion] = []
    problems: list[Problem] = []
    tags: list[str] = []
    for count, block in enumerate(_blocks(text), 1):
        if count > MAX_QUESTIONS:
            problems.append(Problem(Where(row=block.line), "too_large", (("limit", MAX_QUESTIONS),)))
            break
        if block.category is not None:
            tags = category_tags(block.category)
            continue
        outcome = _question(block, tags)
        if isinstance(outcome, Problem):
            problems.append(outcome)
        else:
            questions.append(outcome)
    return questions, problems


def write(questions: list[BankQuestion], *, category: str = "") -> tuple[str, list[BankQuestion]]:
    """A GIFT file of ``questions`` under ``category``, and the questions it cannot hold."""
    parts: list[str] = []
    skipped: list[BankQuestion] = []
    current = ""
    for question in questions:
        writer = _WRITERS.get(question.kind)
        answers = writer(question) if writer else None
        if answers is None:
            skipped.append(question)
            continue
        path = category_path(category, question.tags) or ("$course$/top" if current else "")
        if path != current:
            parts.append(f"{_CATEGORY} {path}")
            current = path
        parts.append(f"{_head(question)} {answers}")
    return ("\n\n".join(parts) + "\n" if parts else ""), skipped


# Reading


class _Invalid(Exception):
    """This question cannot be read: a reason code and its params."""

    def __init__(self, reason: str, params: tuple = ()) -> None:
        super().__init__(reason)
        self.reason, self.params = reason, params


@dataclass
class _Block:
    """The lines of one question (or one ``$CATEGORY`` line) and the number of its first line."""

    line: int
    lines: list[str] = field(default_factory=list)
    category: str | None = None


def _blocks(text: str) -> Iterator[_Block]:
    block: _Block | None = None
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if block and (not stripped or stripped.startswith(_CATEGORY)):
            yield block
            block = None
        if stripped.startswith(_CATEGORY):
            yield _Block(number, category=stripped[len(_CATEGORY):].strip())
        elif stripped:
            block = block or _Block(number)
            block.lines.append(line)
    if block:
        yield block


@dataclass(frozen=True)
class _Source:
    """A piece of GIFT text and its mask: the same text with every escaped pair blanked out, so that
    searching the mask finds only real markup, at the same positions as in the text."""

    raw: str
    mask: str

    @classmethod
    def of(cls, raw: str) -> _Source:
        return cls(raw, _ESCAPED.sub("\0\0", raw))

    def __getitem__(self, span: slice) -> _Source:
        return _Source(self.raw[span], self.mask[span])

    def __add__(self, other: _Source) -> _Source:
        return _Source(self.raw + other.raw, self.mask + other.mask)

    def find(self, markup: str, start: int = 0) -> int:
        return self.mask.find(markup, start)

    def strip(self) -> _Source:
        start = len(self.mask) - len(self.mask.lstrip())
        return self[start : len(self.mask.rstrip())]

    def pieces(self, markers: str) -> list[_Source]:
        """The text cut before every marker character: the part before the first one, then one piece per marker."""
        bounds = [0, *(i for i, char in enumerate(self.mask) if char in markers), len(self.mask)]
        return [self[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]

    def until(self, markup: str) -> _Source:
        """The text before ``markup`` (all of it when there is none)."""
        end = self.find(markup)
        return self if end < 0 else self[:end]

    def text(self) -> str:
        return _ESCAPED.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), self.raw)


def _question(block: _Block, tags: list[str]) -> BankQuestion | Problem:
    where = Where(row=block.line)
    try:
        question = _parse(_Source.of("\n".join(block.lines).strip()))
    except _Invalid as invalid:
        return Problem(where, invalid.reason, invalid.params)
    question.where, question.tags = where, list(tags)
    problem = check(question)
    return Problem(where, *problem) if problem else question


def _parse(source: _Source) -> BankQuestion:
    key, source = _title(source)
    start, end = source.find("{"), source.find("}")
    if start < 0 and end < 0:
        raise _Invalid("unsupported_type", (("type", "description"),))
    if start < 0 or end < start:
        raise _Invalid("malformed", (("detail", "{ and } do not pair"),))
    after = source[end + 1 :]
    if max(after.find("{"), after.find("}"), source[start + 1 : end].find("{")) >= 0:
        raise _Invalid("malformed", (("detail", "more than one answer block"),))
    blank = _Source(BLANK, BLANK) if after.mask.strip() else _Source("", "")
    stem_format, stem = _field(source[:start] + blank + after, "moodle")
    answers, explanation = _split_feedback(source[start + 1 : end].strip())
    question = _reader(answers.mask)(answers, stem_format)
    question.stem, question.key = stem, key
    question.explanation = _field(explanation, stem_format)[1]
    return question


def _title(source: _Source) -> tuple[str, _Source]:
    if not source.mask.startswith("::"):
        return "", source
    end = source.find("::", 2)
    if end < 0:
        raise _Invalid("malformed", (("detail", "a title without its closing ::"),))
    return source[2:end].text().strip(), source[end + 2 :].strip()


def _split_feedback(answers: _Source) -> tuple[_Source, _Source]:
    """The answers and the general feedback after the last ``####``."""
    at = answers.mask.rfind("####")
    if at < 0:
        return answers, _Source("", "")
    return answers[:at].strip(), answers[at + 4 :]


def _field(source: _Source, default_format: str) -> tuple[str, str]:
    """A text's format (its own ``[format]`` or the default) and its plain text."""
    source = source.strip()
    marker = _FORMAT.match(source.mask)
    text_format = marker.group(1) if marker else default_format
    text = (source[marker.end() :] if marker else source).text()
    return text_format, html_to_text(text) if text_format == "html" else text.strip()


def _reader(mask: str) -> Callable[[_Source, str], BankQuestion]:
    """The reader of an answer block by its shape, as Moodle tells the types apart."""
    qtype = "shortanswer"
    if not mask:
        qtype = "essay"
    elif mask.startswith("#"):
        qtype = "numerical"
    elif "~" in mask:
        qtype = "multichoice"
    elif "=" in mask and "->" in mask:
        qtype = "matching"
    elif mask.split("#")[0].strip() in _TRUE + _FALSE:
        qtype = "truefalse"
    if qtype not in _READERS:
        raise _Invalid("unsupported_type", (("type", qtype),))
    return _READERS[qtype]


def _choice(answers: _Source, text_format: str) -> BankQuestion:
    single = "=" in answers.mask
    options: list[str] = []
    right: list[bool] = []
    for piece in answers.pieces("~="):
        if piece.mask[:1] not in ("~", "=") and not piece.mask.strip():
            continue  # nothing before the first answer
        weight, body = _choice_weight(piece)
        options.append(_field(body.until("#"), text_format)[1])
        right.append(weight >= 100 if single else weight > 0)
    letters = [LETTERS[index] for index, ok in enumerate(right[: len(LETTERS)]) if ok]
    return BankQuestion(kind="single" if single else "multiple", stem="", options=options, answer=letters)


def _choice_weight(piece: _Source) -> tuple[float, _Source]:
    """An answer's weight in percent and its text: ``=`` is 100, ``~%50%`` is 50, ``~`` alone 0."""
    if piece.mask.startswith("="):
        return 100.0, piece[1:]
    body = (piece[1:] if piece.mask.startswith("~") else piece).strip()
    weight = _WEIGHT.match(body.mask)
    return (float(weight.group(1)), body[weight.end() :]) if weight else (0.0, body)


def _truefalse(answers: _Source, text_format: str) -> BankQuestion:
    word = answers.until("#").mask.strip()
    return BankQuestion(kind="truefalse", stem="", answer=["true" if word in _TRUE else "false"])


def _short(answers: _Source, text_format: str) -> BankQuestion:
    accepted = []
    for piece in answers.pieces("="):
        if not piece.mask.startswith("=") and not piece.mask.strip():
            continue
        body = (piece[1:] if piece.mask.startswith("=") else piece).strip()
        weight = _WEIGHT.match(body.mask)
        if weight is None or float(weight.group(1)) >= 100:
            accepted.append(_field((body[weight.end() :] if weight else body).until("#"), "plain")[1])
    literal = [literal_answer(text) for text in accepted]
    if None in literal:
        raise _Invalid("wildcard_answer", (("answer", accepted[literal.index(None)]),))
    return BankQuestion(kind="fill", stem="", answer=[[text for text in literal if text]])


_READERS: dict[str, Callable[[_Source, str], BankQuestion]] = {
    "multichoice": _choice,
    "truefalse": _truefalse,
    "shortanswer": _short,
}


# Writing


def escape(text: str) -> str:
    """``text`` with GIFT's reserved characters escaped and line breaks as ``\\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _RESERVED.sub(lambda m: "\\n" if m.group() == "\n" else "\\" + m.group(), text)


def _answer_text(text: str) -> str:
    """An answer or explanation: escaped, with ``[plain]`` first when it starts like a format marker."""
    return ("[plain]" if text.startswith("[") else "") + escape(text)


def _head(question: BankQuestion) -> str:
    title = f"::{escape(question.key)}::" if question.key else ""
    texts = [question.stem, question.explanation, *question.options, *(str(a) for group in _groups(question) for a in group)]
    plain = any("<" in text or "&" in text for text in texts) or question.stem.startswith(("[", "//"))
    return title + ("[plain]" if plain else "") + escape(question.stem)


def _groups(question: BankQuestion) -> list[list]:
    return [group for group in question.answer if isinstance(group, list)] if question.kind == "fill" else []


def _feedback(question: BankQuestion, indent: str = "") -> str:
    return f"{indent}####{_answer_text(question.explanation)}" if question.explanation else ""


def _write_choice(question: BankQuestion) -> str:
    right = {LETTERS.index(a) for a in question.answer if a in LETTERS}
    lines = [f"\t{_choice_marker(question, index in right, len(right), option)}{_answer_text(option)}"
             for index, option in enumerate(question.options)]
    if question.explanation:
        lines.append(_feedback(question, "\t"))
    return "{\n" + "\n".join(lines) + "\n}"


def _choice_marker(question: BankQuestion, is_right: bool, right_count: int, option: str) -> str:
    if question.kind == "multiple":
        return f"~%{fraction_text(100 / max(1, right_count))}%" if is_right else "~%-100%"
    if is_right:
        return "="
    return "~%0%" if option.startswith("%") else "~"  # so that the text is not read as a weight


def _write_truefalse(question: BankQuestion) -> str:
    return "{" + ("TRUE" if question.answer == ["true"] else "FALSE") + _feedback(question) + "}"


def _write_fill(question: BankQuestion) -> str | None:
    groups = _groups(question)
    if len(BLANK_RE.findall(question.stem)) > 1 or len(groups) != 1 or any("->" in str(a) for a in groups[0]):
        return None
    answers = [("=%100%" if str(a).startswith("%") else "=") + _answer_text(str(a).replace("*", "\\*")) for a in groups[0]]
    return "{" + " ".join(answers) + _feedback(question) + "}"


_WRITERS: dict[str, Callable[[BankQuestion], str | None]] = {
    "single": _write_choice,
    "multiple": _write_choice,
    "truefalse": _write_truefalse,
    "fill": _write_fill,
}
