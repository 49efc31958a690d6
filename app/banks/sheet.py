"""Question banks (题库) in Excel, WPS and CSV files, in the shapes Chinese exam platforms use: read into
:class:`app.banks.model.BankQuestion` records with a located :class:`~app.banks.model.Problem` for
every row that cannot be imported, and written back as a template the reader reads. Pure Python: no
Flask, no database. The notations of types and answers are described in :mod:`app.banks.notation`.

Files read
==========

CSV (UTF-8 with or without BOM, GBK/GB18030, UTF-16; comma or tab), XLSX, XLSM, old XLS and WPS
``.et`` files (through :func:`app.core.sheets.read_tables`). Every sheet whose header row is found
is read; sheets without one (a legend, instructions) are passed over. The header row is the first of
the first ten non-blank rows that names a stem column and an answer column, so titles, merged
headings and notes above it do no harm. Headers match whatever decoration they carry (spaces, new
lines, ``（必填）``, ``(勿删)``, ``*``, full-width brackets) and these names:

- stem: 题目, 题干, 试题内容, 题目内容, 试题, 题目名称, question, stem — required;
- answer: 答案, 正确答案, 标准答案, 参考答案, 正确选项, 试题答案, answer, correct answer — required;
- type: 题型, 类型, 试题类型, 题目类型, type, question type;
- options, one per column: 选项A…选项H, A…H, A选项…H选项, option A…; or a merged 选项 heading with
  a second header row of letters A, B, C… under it; or all in one cell: 选项, 选项内容, 备选项,
  备选答案, options, choices;
- explanation: 解析, 答案解析, 试题解析, 题目解析, 解释, explanation;
- points: 分值, 分数, score, points (a positive number, ``2`` or ``2分``);
- difficulty: 难度, 难易度, 难易程度, difficulty (kept as written);
- tags: 知识点, 考点, 章节, 分类, 题目分类, 标签, 关键词, tags (several values separated by 、 , ，
  ; ； | or new lines; every such column adds its tags);
- key: 编号, 试题编号, 题目编号, 试题ID, 题目ID, ID, key. 序号 and 题号 are row counters (several
  sheets each start at 1), not the question's identity, and are not read.

A row whose stem, options, answer and explanation are all empty is skipped silently and not counted
(templates arrive with numbered or typed empty rows). A row's type is its type cell; else the type
its sheet's name announces (单选题, 多选题, 判断题, 填空题, 问答题…), or the file's name when the
sheet's says nothing (a CSV file has no sheet name); else the answer tells (see
:mod:`app.banks.notation`).

Limits: stem 2000 characters, each option 500, explanation 4000, answer cell 1000, key 64,
difficulty 32, each tag 64; at most 8 options (A–H); at most 20,000 question rows in a file.

Reason codes
============

A row with a problem never becomes a question; each problem names its sheet, row and column (the
header as written and its letter), or the whole row when no one column is at fault. A row may have
several problems; a row with a formula reports only its formulas, an essay only ``essay_skipped``.

- ``empty_stem``: the stem is empty.
- ``too_few_options``: a choice question with fewer than two options (``count``).
- ``too_many_options``: more than eight options (``count``, ``limit``).
- ``empty_option``: an option column left empty before a filled one (the letters would shift).
- ``missing_answer``: the answer is empty.
- ``answer_not_in_options``: the answer names no option of the question (``answer``).
- ``not_true_or_false``: a true/false answer that is no true/false word (``answer``).
- ``single_with_several_answers``: a single-choice question with more than one right answer.
- ``multiple_with_one_answer``: a multiple-choice question with one right answer (a multiple-choice
  question needs at least two; make it a single-choice question).
- ``unknown_type``: the type is no known type word, a number without a legend, or cannot be told
  from the row (``type``).
- ``essay_skipped``: an essay question (问答/简答/论述), which the platform cannot grade; not imported.
- ``formula``: the cell holds a formula (refused whether or not Excel saved its value).
- ``duplicate_in_file``: the same question (type, stem and options) as an earlier row (``row``,
  ``sheet``); the earlier one is imported.
- ``fill_blank_mismatch``: a fill-in-the-blank answer with a different number of groups than the
  stem has blanks (``blanks``, ``answers``).
- ``too_long``: the value is longer than its limit (``limit``).
- ``refused_character``: the value holds a control character, an invisible direction mark or a
  Unicode non-character such as U+FFFE (``char``). Markup (``<``, ``>``) is allowed and kept as text:
  it is escaped where it is shown.
- ``bad_points``: the points are not a positive number up to 1000 (``points``).

Problems of the whole file come back as a problem at ``Where()``: ``no_header`` (no sheet has a
header row naming a stem and an answer column) and ``too_many_questions`` (``rows``, ``limit``; then
nothing is imported). Bytes that are no table at all raise the errors of
:func:`app.core.sheets.read_tables`: ``SheetError`` (``unsupported_type``, ``encoding``,
``unreadable``, ``too_many_rows``) or ``app.core.uploads.UploadRefused`` for a suspicious package.

Files written
=============

:func:`write_bank` writes a workbook with a 题库 sheet whose first row is the header — 编号, 题型,
题干, 选项A…选项H, 答案, 解析, 知识点, 难度, 分值 — one question per row (types as 单选题, 多选题,
判断题, 填空题; answers as ``ABD``, 对/错, ``50#五十|存款保险``; tags joined by 、), a drop-down list on
the type column and a length rule with a hint on the answer column, and a 说明 sheet explaining every
column in Chinese. Every text is written as a text cell: ``=HYPERLINK(…)`` stays text in Excel.
A question the notation cannot express (more than eight options; a fill-in-the-blank answer holding
``|`` ``;`` ``#`` or a new line) raises :class:`UnwritableQuestion` rather than change on the way.
:func:`blank_template` is the same workbook with two example questions of each type.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from app.banks.model import KINDS, LETTERS, MAX_OPTIONS, BankQuestion, Problem, Where
from app.banks.notation import (
    ESSAY,
    OPTION_SCAN_LETTERS,
    WRITTEN_KIND,
    NotationError,
    choice_answer,
    fill_answer,
    fill_separator,
    fill_stem,
    guess_kind,
    kind_in_name,
    kind_of,
    legend_of,
    split_options,
    truefalse_answer,
    written_answer,
)
from app.core.exceptions import CodedError
from app.core.sheets import (
    Header,
    Row,
    Sheet,
    column_letter,
    find_header,
    header_key,
    read_tables,
    refused_character,
)
from app.core.uploads import ZipLimits

MAX_QUESTIONS = 20_000
MAX_POINTS = 1000
LEGEND_SCAN_ROWS = 200
OPTION_FIELDS = tuple(f"option_{letter}" for letter in OPTION_SCAN_LETTERS)
TAG_FIELDS = ("topic", "chapter", "label")
CONTENT_FIELDS = ("stem", "answer", "explanation", "options", *OPTION_FIELDS)


def _option_names(letter: str) -> tuple[str, ...]:
    """The headers of the column of option ``letter``."""
    bare = (letter,) if letter in LETTERS else ()  # a column headed I… is no option column
    return (f"选项{letter}", f"{letter}选项", f"option {letter}", f"选项{letter}内容", *bare)


COLUMNS: dict[str, tuple[str, ...]] = {
    "stem": ("题目", "题干", "试题内容", "题目内容", "试题", "题目名称", "question", "stem"),
    "answer": ("答案", "正确答案", "标准答案", "参考答案", "正确选项", "试题答案", "answer", "correct answer"),
    "kind": ("题型", "类型", "试题类型", "题目类型", "type", "question type"),
    "options": ("选项", "选项内容", "备选项", "备选答案", "options", "choices"),
    "explanation": ("解析", "答案解析", "试题解析", "题目解析", "解释", "explanation"),
    "points": ("分值", "分数", "score", "points"),
    "difficulty": ("难度", "难易度", "难易程度", "difficulty"),
    "topic": ("知识点", "考点", "tags"),
    "chapter": ("章节", "分类", "题目分类"),
    "label": ("标签", "关键词"),
    "key": ("编号", "试题编号", "题目编号", "试题id", "题目id", "id", "key"),
    **{name: _option_names(name[-1]) for name in OPTION_FIELDS},
}
REQUIRED = ("stem", "answer")
MAX_LENGTH = {"stem": 2000, "option": 500, "explanation": 4000, "answer": 1000, "key": 64, "difficulty": 32,
              "tag": 64}
_FIELD_LIMIT = {**{name: MAX_LENGTH["option"] for name in OPTION_FIELDS},
                **{name: MAX_LENGTH[name] for name in ("stem", "explanation", "answer", "key", "difficulty")}}
_TAG_SEPARATORS = re.compile(r"[、,，;；|｜\n]")
_ALLOWED_CONTROLS = str.maketrans("", "", "<>\n\t")


# --- reading ---------------------------------------------------------------------------------


def read_bank(filename: str, content: bytes, limits: ZipLimits = ZipLimits()) -> tuple[list[BankQuestion],
                                                                                       list[Problem]]:
    """The questions of a 题库 file and a located problem for every row that cannot be imported."""
    sheets = read_tables(filename, content, limits)
    tables = [table for sheet in sheets if (table := _table(sheet, filename)) is not None]
    if not tables:
        return [], [Problem(Where(), "no_header")]
    rows = sum(len(table.rows) for table in tables)
    if rows > MAX_QUESTIONS:
        return [], [Problem(Where(), "too_many_questions", (("rows", rows), ("limit", MAX_QUESTIONS)))]
    reader = _Reader(legend_of(_legend_texts(sheets, tables)))
    for table in tables:
        reader.read(table)
    return reader.questions, reader.problems


@dataclass
class _Table:
    """A sheet with a header: its data rows and the type its name announces."""

    sheet: Sheet
    header: Header
    kind: str | None
    rows: list[Row]

    def where(self, number: int, field_name: str = "") -> Where:
        """The cell of ``field_name`` in row ``number``; the whole row for a field without a column."""
        if field_name not in self.header.columns:
            return Where(self.sheet.name, number)
        return Where(self.sheet.name, number, self.header.titles[field_name],
                     column_letter(self.header.columns[field_name]))


def _table(sheet: Sheet, filename: str) -> _Table | None:
    """The sheet as a table of questions, or None when it has no header (a legend, instructions)."""
    header = find_header(sheet, COLUMNS, REQUIRED)
    if header is None:
        return None
    header, start = _option_letters_below(sheet, header)
    kind = kind_in_name(sheet.name) or kind_in_name(PurePath(filename).stem)
    content = [index for name, index in header.columns.items() if name in CONTENT_FIELDS]
    return _Table(sheet, header, kind, [row for row in sheet.rows[start:] if _has_content(row, content)])


def _has_content(row: Row, indexes: list[int]) -> bool:
    """Whether a stem, option, answer or explanation cell of ``row`` is filled; templates arrive with
    numbered or typed empty rows, which are no questions."""
    cells = row.cells
    return any(index < len(cells) and (cells[index].formula or _text(cells[index].value)) for index in indexes)


def _option_letters_below(sheet: Sheet, header: Header) -> tuple[Header, int]:
    """The header completed by a second row of option letters under a merged 选项 heading (选项 over
    A | B | C | D), and the index of the first data row."""
    start = sheet.rows.index(header.row) + 1
    if "options" not in header.columns or start >= len(sheet.rows):
        return header, start
    below = sheet.rows[start]
    letters = {}
    for index, cell in enumerate(below.cells):
        key = header_key(cell.value).upper()
        if index >= header.columns["options"] and len(key) == 1 and key in LETTERS:
            letters.setdefault(f"option_{key}", index)
    if len(letters) < 2 or any(_text(below.value(header.columns[name])) for name in REQUIRED):
        return header, start
    titles = {name: _text(below.value(index)) for name, index in letters.items()}
    return Header(below, {**header.columns, **letters}, {**header.titles, **titles}), start + 1


def _legend_texts(sheets: list[Sheet], tables: list[_Table]) -> list[str]:
    """The text of every sheet without a header and of the notes above each header: where a legend of
    type numbers is written."""
    with_header = {id(table.sheet): table.header.row for table in tables}
    texts = []
    for sheet in sheets:
        header_row = with_header.get(id(sheet))
        for row in sheet.rows[:LEGEND_SCAN_ROWS]:
            if row is header_row:
                break
            texts.append(" ".join(_text(cell.value) for cell in row.cells))
    return texts


class _Reader:
    """The questions and problems of one file, and the identities already seen in it."""

    def __init__(self, legend: dict[str, str]) -> None:
        """A reader that reads type numbers through ``legend``."""
        self.legend = legend
        self.questions: list[BankQuestion] = []
        self.problems: list[Problem] = []
        self.seen: dict[tuple, Where] = {}

    def read(self, table: _Table) -> None:
        """Read every data row of ``table``."""
        for row in table.rows:
            line = _Line(table, row)
            question = _question(line, self.legend)
            if question is not None:
                self._keep(question, line)
            self.problems.extend(line.problems)

    def _keep(self, question: BankQuestion, line: _Line) -> None:
        """Keep a question unless an earlier row holds the same one."""
        identity = question.identity()
        first = self.seen.get(identity)
        if first is not None:
            line.fail("stem", "duplicate_in_file", row=first.row, sheet=first.sheet)
            return
        self.seen[identity] = question.where
        self.questions.append(question)


@dataclass
class _Line:
    """One data row being read: its cells as text by field, and the problems found in it."""

    table: _Table
    row: Row
    text: dict[str, str] = field(init=False)
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Read every cell under a known header as text."""
        self.text = {name: _text(self.row.value(index)) for name, index in self.table.header.columns.items()}

    def get(self, field_name: str) -> str:
        """The text of ``field_name`` in this row; '' for a column the sheet does not have."""
        return self.text.get(field_name, "")

    def fail(self, field_name: str, reason: str, **params) -> None:
        """Record a problem at this row's cell of ``field_name``."""
        self.problems.append(Problem(self.table.where(self.row.number, field_name), reason, tuple(params.items())))

    def formulas(self) -> list[str]:
        """The fields whose cell in this row holds a formula."""
        cells = self.row.cells
        return [name for name, index in self.table.header.columns.items() if index < len(cells) and cells[index].formula]


def _text(value) -> str:
    """A cell as text, trimmed, with Windows line ends made plain; whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _question(line: _Line, legend: dict[str, str]) -> BankQuestion | None:
    """The question of one row, or None with the row's problems recorded on ``line``."""
    formulas = line.formulas()
    for name in formulas:
        line.fail(name, "formula")
    if formulas:
        return None
    kind = _kind(line, legend)
    if kind == ESSAY:
        return None
    _check_texts(line)
    if not line.get("stem"):
        line.fail("stem", "empty_stem")
    question = _BUILDERS[kind](line, kind) if kind else None
    if question is None or line.problems:
        return None
    return _finish(line, question)


def _kind(line: _Line, legend: dict[str, str]) -> str | None:
    """The row's kind from its type cell, its sheet's name or its answer; None (recorded) when unknown."""
    word, source = line.get("kind"), "kind"
    try:
        if word:
            kind = kind_of(word, legend)
        elif line.table.kind:
            kind, source = line.table.kind, ""
        else:
            kind, source = guess_kind(line.get("answer"), _options(line).texts, line.get("stem")), "answer"
    except NotationError as error:
        line.fail(source, error.code, **error.params)
        return None
    if kind is None:
        line.fail("kind", "unknown_type", type=word)
    elif kind == ESSAY:
        line.fail(source, "essay_skipped")
    return kind


def _check_texts(line: _Line) -> None:
    """Record values that are too long or hold a refused character."""
    for name, text in line.text.items():
        limit = _FIELD_LIMIT.get(name)
        if limit and len(text) > limit:
            line.fail(name, "too_long", limit=limit)
        text = text.translate(_ALLOWED_CONTROLS)
        char = None if text.isprintable() else refused_character(text)  # every refused character is unprintable
        if char:
            line.fail(name, "refused_character", char=f"U+{ord(char):04X}")


@dataclass
class _Options:
    """A row's options in order and the field each came from (``options`` for a packed cell)."""

    texts: list[str]
    fields: list[str]
    gap: str = ""  # an option column left empty before a filled one


def _options(line: _Line) -> _Options:
    """The options of a row: from the option columns, else from the one 选项 cell."""
    filled = [(name, line.get(name)) for name in OPTION_FIELDS if name in line.text]
    while filled and not filled[-1][1]:
        filled.pop()
    if filled:
        gap = next((name for name, text in filled if not text), "")
        return _Options([text for _, text in filled if text], [name for name, text in filled if text], gap)
    packed = split_options(line.get("options"))
    return _Options(packed, ["options"] * len(packed))


def _answer(line: _Line, parse, *args) -> list:
    """The parsed answer, or [] with the notation's problem recorded at the answer cell."""
    try:
        return parse(line.get("answer"), *args)
    except NotationError as error:
        line.fail("answer", error.code, **error.params)
        return []


def _choice(line: _Line, kind: str) -> BankQuestion | None:
    """A single- or multiple-choice question; its options and answer checked."""
    options = _options(line)
    if not _options_fit(line, options):
        return None
    answer = _answer(line, choice_answer, options.texts)
    if kind == "single" and len(answer) > 1:
        line.fail("answer", "single_with_several_answers", answer=line.get("answer"))
    if kind == "multiple" and len(answer) == 1:
        line.fail("answer", "multiple_with_one_answer", answer=line.get("answer"))
    return BankQuestion(kind, line.get("stem"), options.texts, answer)


def _options_fit(line: _Line, options: _Options) -> bool:
    """Record empty, too few, too many or too long options; True when none was found."""
    before = len(line.problems)
    first = next((name for name in ("option_A", "options") if name in line.text), "")
    if options.gap:
        line.fail(options.gap, "empty_option")
    elif len(options.texts) < 2:
        line.fail(options.fields[0] if options.fields else first, "too_few_options", count=len(options.texts))
    elif len(options.texts) > MAX_OPTIONS:
        line.fail(options.fields[MAX_OPTIONS], "too_many_options", count=len(options.texts), limit=MAX_OPTIONS)
    for text, name in zip(options.texts, options.fields, strict=True):
        if name == "options" and len(text) > MAX_LENGTH["option"]:
            line.fail(name, "too_long", limit=MAX_LENGTH["option"])
    return len(line.problems) == before


def _truefalse(line: _Line, kind: str) -> BankQuestion:
    """A true/false question; options 对/错 in the row only serve to read a letter answer."""
    return BankQuestion(kind, line.get("stem"), [], _answer(line, truefalse_answer, _options(line).texts))


def _fill(line: _Line, kind: str) -> BankQuestion:
    """A fill-in-the-blank question: blank marks made ``____``, one answer group per blank."""
    question = BankQuestion(kind, fill_stem(line.get("stem")), [], _answer(line, fill_answer))
    if question.answer and len(question.answer) != question.blanks():
        line.fail("answer", "fill_blank_mismatch", blanks=question.blanks(), answers=len(question.answer))
    return question


_BUILDERS = {"single": _choice, "multiple": _choice, "truefalse": _truefalse, "fill": _fill}


def _finish(line: _Line, question: BankQuestion) -> BankQuestion | None:
    """The question with the row's explanation, tags, key, difficulty, points and place."""
    question.explanation = line.get("explanation")
    question.tags = _tags(line)
    question.key = line.get("key")
    question.difficulty = line.get("difficulty")
    question.points = _points(line)
    question.where = line.table.where(line.row.number)
    return None if line.problems else question


def _tags(line: _Line) -> list[str]:
    """The tags of every tag column, split, in order, without repeats; an overlong one recorded."""
    tags: list[str] = []
    for name in TAG_FIELDS:
        for tag in _TAG_SEPARATORS.split(line.get(name)):
            tag = tag.strip()
            if len(tag) > MAX_LENGTH["tag"]:
                line.fail(name, "too_long", limit=MAX_LENGTH["tag"])
            elif tag and tag not in tags:
                tags.append(tag)
    return tags


def _points(line: _Line) -> float | None:
    """The 分值 as a number ('2', '2分', 1.5); None when empty; recorded when no positive number."""
    text = line.get("points").removesuffix("分").strip()
    if not text:
        return None
    try:
        points = float(text)
    except ValueError:
        points = math.nan
    if not 0 < points <= MAX_POINTS:
        line.fail("points", "bad_points", points=line.get("points"))
        return None
    return points


# --- writing ---------------------------------------------------------------------------------

DATA_SHEET = "题库"
LEGEND_SHEET = "说明"
HEADER = ("编号", "题型", "题干", *(f"选项{letter}" for letter in LETTERS), "答案", "解析", "知识点", "难度", "分值")
WIDTHS = {"编号": 12, "题型": 10, "题干": 60, "答案": 14, "解析": 40, "知识点": 16, "难度": 8, "分值": 8}
_ESCAPE_RE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")  # Excel reads _x0041_ as 'A' unless its '_' is escaped
_UNWRITABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class UnwritableQuestion(CodedError):
    """A question the sheet cannot express: ``too_many_options`` (more than eight) or ``fill_separator``
    (a fill-in-the-blank answer holding ``|`` ``;`` ``#`` or a new line, which would split it)."""


def write_bank(questions: list[BankQuestion], *, title: str = "") -> bytes:
    """A 题库 workbook of ``questions`` that :func:`read_bank` reads back, with its 说明 sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    _write_row(sheet, 1, HEADER)
    for number, question in enumerate(questions, 2):
        _write_row(sheet, number, _row_values(question))
    _layout(sheet)
    _add_validations(sheet)
    _write_legend(book.create_sheet(LEGEND_SHEET), title)
    book.properties.title = title or DATA_SHEET
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def writable(question: BankQuestion) -> bool:
    """Whether the sheet can hold ``question`` (at most eight options; no separator inside a fill answer)."""
    return len(question.options) <= MAX_OPTIONS and not (
        question.kind == "fill" and any(fill_separator(a) for group in question.answer for a in group))


def _row_values(question: BankQuestion) -> list:
    """One question as the cells of its row, in the order of ``HEADER``."""
    if question.kind not in KINDS:
        raise ValueError(f"unknown question kind {question.kind!r}")
    if len(question.options) > MAX_OPTIONS:
        raise UnwritableQuestion("too_many_options", key=question.key, stem=question.stem[:50])
    if question.kind == "fill" and any(fill_separator(a) for group in question.answer for a in group):
        raise UnwritableQuestion("fill_separator", key=question.key, stem=question.stem[:50])
    options = [*question.options, *[""] * (MAX_OPTIONS - len(question.options))]
    return [question.key, WRITTEN_KIND[question.kind], question.stem, *options, written_answer(question),
            question.explanation, "、".join(question.tags), question.difficulty, question.points]


def _write_row(sheet, number: int, values) -> None:
    """Write ``values`` into row ``number``; every string as a text cell, never a formula."""
    for column, value in enumerate(values, 1):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            cell = sheet.cell(row=number, column=column, value=_ESCAPE_RE.sub("_x005F_", _UNWRITABLE_RE.sub("", value)))
            cell.data_type = "s"
        else:
            sheet.cell(row=number, column=column, value=value)


def _layout(sheet) -> None:
    """Readable column widths, a bold frozen header."""
    from openpyxl.styles import Font

    for index, title in enumerate(HEADER):
        sheet.column_dimensions[column_letter(index)].width = WIDTHS.get(title, 18)
        sheet.cell(row=1, column=index + 1).font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _add_validations(sheet) -> None:
    """A drop-down of the four type words on 题型; a length rule and a notation hint on 答案."""
    from openpyxl.worksheet.datavalidation import DataValidation

    last = MAX_QUESTIONS + 1
    kinds = DataValidation(type="list", formula1='"' + ",".join(WRITTEN_KIND.values()) + '"', allow_blank=True,
                           showErrorMessage=True, errorTitle="题型", error="请选择：单选题、多选题、判断题或填空题。")
    kinds.add(f"{column_letter(HEADER.index('题型'))}2:{column_letter(HEADER.index('题型'))}{last}")
    answer = column_letter(HEADER.index("答案"))
    answers = DataValidation(type="textLength", operator="between", formula1="1", formula2=str(MAX_LENGTH["answer"]),
                             allow_blank=True, showInputMessage=True, promptTitle="答案写法", prompt=ANSWER_HINT,
                             showErrorMessage=True, errorStyle="warning", errorTitle="答案",
                             error=f"答案不能超过 {MAX_LENGTH['answer']} 个字。")
    answers.add(f"{answer}2:{answer}{last}")
    sheet.add_data_validation(kinds)
    sheet.add_data_validation(answers)


ANSWER_HINT = "单选题、多选题写选项字母，如 B 或 ABD；判断题写“对”或“错”；填空题按空的顺序写，各空之间用 | 隔开，" \
              "同一空可接受的几种答案用 # 隔开，如：五十#50|存款保险。"
LEGEND_ROWS = (
    ("列", "是否必填", "填写说明"),
    ("编号", "选填", "题目的编号，如 XB-0001，最长 64 个字；可不填。"),
    ("题型", "必填", "从下拉列表中选择：单选题、多选题、判断题、填空题。问答题、简答题不能导入。"),
    ("题干", "必填", "题目的文字，最长 2000 个字。填空题用四条下划线 ____ 或括号（ ）表示要填的空。"),
    ("选项A…选项H", "选择题必填", "单选题、多选题至少两个选项、至多八个，从选项A起依次填写，中间不要留空；"
                               "每个选项最长 500 个字。判断题、填空题不填选项。"),
    ("答案", "必填", ANSWER_HINT),
    ("解析", "选填", "答案的解释，最长 4000 个字。"),
    ("知识点", "选填", "可填写多个，用顿号、分隔，如：投诉处理、存款保险。"),
    ("难度", "选填", "如 易、中、难，按原样保存。"),
    ("分值", "选填", "正数，如 1 或 2。"),
    (),
    ("注意", "", "表头必须在第一行，请勿修改或删除表头；以等号开头的内容按文字保存，不作为公式计算；"
                 "不要在单元格中使用公式。重复的题目（题型、题干和选项都相同）只导入第一道。"),
)


def _write_legend(sheet, title: str) -> None:
    """The 说明 sheet: what goes in every column, in Chinese."""
    from openpyxl.styles import Alignment, Font

    _write_row(sheet, 1, (title or "题库导入模板",))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    for number, values in enumerate(LEGEND_ROWS, 3):
        _write_row(sheet, number, values)
        for column in range(1, 4):
            sheet.cell(row=number, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in (("A", 14), ("B", 12), ("C", 90)):
        sheet.column_dimensions[letter].width = width


def blank_template() -> bytes:
    """The import template: the 题库 workbook with two example questions of each type."""
    return write_bank(EXAMPLES, title="消保学堂题库导入模板")


_COMPLAINTS = "根据《银行业保险业消费投诉处理管理办法》，"
_DEPOSITS = "根据《存款保险条例》，"
_RIGHTS = "根据《国务院办公厅关于加强金融消费者权益保护工作的指导意见》（国办发〔2015〕81号），"
EXAMPLES = [
    BankQuestion("single", _COMPLAINTS + "银行保险机构应当在收到投诉之日起（ ）日内作出处理决定并告知投诉人。",
                 ["7", "15", "30", "60"], ["B"], "一般情况下应在收到投诉之日起15日内作出处理决定。", ["投诉处理"],
                 "示例01", "易", 1),
    BankQuestion("single", _DEPOSITS + "存款保险实行限额偿付，最高偿付限额为人民币（ ）。",
                 ["20万元", "50万元", "100万元", "不设上限"], ["B"], "最高偿付限额为人民币50万元。", ["存款保险"],
                 "示例02", "易", 1),
    BankQuestion("multiple", _RIGHTS + "下列属于金融消费者权利的有（ ）。",
                 ["财产安全权", "知情权", "自主选择权", "保本保收益权"], ["A", "B", "C"],
                 "指导意见列明金融消费者的八项权利，其中不包括保本保收益。", ["金融消费者权利"], "示例03", "中", 2),
    BankQuestion("multiple", _RIGHTS + "下列各项中，金融消费者依法享有的有（ ）。",
                 ["受教育权", "受尊重权", "优先兑付权", "信息安全权"], ["A", "B", "D"],
                 "八项权利包括受教育权、受尊重权和信息安全权，没有优先兑付权。", ["金融消费者权利"], "示例04", "中", 2),
    BankQuestion("truefalse", _DEPOSITS + "存款保险最高偿付限额为人民币50万元。", [], ["true"],
                 "《存款保险条例》规定最高偿付限额为人民币50万元。", ["存款保险"], "示例05", "易", 1),
    BankQuestion("truefalse", _COMPLAINTS + "银行保险机构收到投诉后可以不设期限，调查清楚后再作出处理决定。", [],
                 ["false"], "应当在收到投诉之日起15日内作出处理决定。", ["投诉处理"], "示例06", "易", 1),
    BankQuestion("fill", _DEPOSITS + "存款保险最高偿付限额为人民币____万元。", [], [["50", "五十"]],
                 "最高偿付限额为人民币50万元。", ["存款保险"], "示例07", "易", 1),
    BankQuestion("fill", _RIGHTS.removesuffix("，") + "列明的金融消费者权利包括财产安全权、____权、自主选择权、"
                 "公平交易权、依法求偿权、受教育权、受尊重权和____权。", [], [["知情"], ["信息安全"]],
                 "八项权利：财产安全权、知情权、自主选择权、公平交易权、依法求偿权、受教育权、受尊重权、信息安全权。",
                 ["金融消费者权利"], "示例08", "中", 2),
]
