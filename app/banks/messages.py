"""The sentences of the question-bank import, for /admin/banks and `flask bank import` alike."""

from __future__ import annotations

from flask_babel import gettext as _

from app.banks.model import Problem, Where
from app.core.messages import sheet_problem

# reason code → the sentence, given the problem's values (its params as a dict)
REASONS = {
    "empty_stem": lambda values: _("the question (stem) is empty"),
    "too_few_options": lambda values: _("a choice question needs at least two options"),
    "too_many_options": lambda values: _("more than %(limit)s options; at most eight (A to H) can be imported",
        limit=values.get("limit", 8)),
    "empty_option": lambda values: _("this option is empty while a later one is filled: the letters would shift"),
    "missing_answer": lambda values: _("the answer is empty"),
    "answer_not_in_options": lambda values: _("the answer “%(answer)s” is not one of the options",
        answer=values.get("answer", "")),
    "not_true_or_false": lambda values: _("a true/false answer must be 对 or 错 (also 正确/错误, √/×, T/F), not “%(answer)s”",
        answer=values.get("answer", "")),
    "single_with_several_answers": lambda values: _("a single-choice question has one right answer; this row gives "
        "%(answer)s (make it a multiple-choice question?)",
        answer=values.get("answer", "")),
    "multiple_with_one_answer": lambda values: _("a multiple-choice question needs at least two right answers (make it "
        "a single-choice question?)"),
    "unknown_type": lambda values: _("unknown question type “%(type)s”: use 单选, 多选, 判断 or 填空",
        type=values.get("type", "")),
    "unsupported_type": lambda values: _("questions of type “%(type)s” cannot be imported (single, multiple, "
        "true/false and fill-in-the-blank can)", type=values.get("type", "")),
    "essay_skipped": lambda values: _("an essay question (问答/简答) cannot be graded automatically: skipped"),
    "formula": lambda values: _("this cell is a formula (单元格是公式); paste it as values (选择性粘贴 → 数值) and upload "
        "again"),
    "duplicate_in_file": lambda values: _("the same question appears earlier in this file: imported once"),
    "blank_count_mismatch": lambda values: _("the stem has %(blanks)s blank(s) but the answer gives %(answers)s; give one "
        "answer per blank", blanks=values.get("blanks", "?"),
        answers=values.get("answers", "?")),
    "wildcard_answer": lambda values: _("the short answer “%(answer)s” uses Moodle's * wildcard, which cannot be graded "
        "as typed text", answer=values.get("answer", "")),
    "fill_blank_mismatch": lambda values: _("the stem has %(blanks)s blank(s) but the answer gives %(answers)s; give one "
        "answer per blank, separated by |", blanks=values.get("blanks", "?"),
        answers=values.get("answers", "?")),
    "too_long": lambda values: _("longer than the %(limit)s characters this field can hold", limit=values.get("limit", 0)),
    "refused_character": lambda values: _("contains a character a question may not hold (%(char)s: a control character "
        "or an invisible mark)", char=values.get("char", "")),
    "bad_points": lambda values: _("the points (分值) must be a positive number"),
    "no_header": lambda values: _("no sheet has a header row naming the question (题干) and the answer (答案) in its "
        "first ten rows"),
    "too_many_questions": lambda values: _("the file has more than %(limit)s questions; split it",
        limit=values.get("limit", 20000)),
    "too_large": lambda values: _("the file is larger than this import accepts; split it"),
    "malformed": lambda values: _("this part of the file does not follow its format: %(detail)s",
        detail=values.get("detail", "")),
    "unsafe_xml": lambda values: _("the XML declares a document type or entities, which an import never follows"),
    "encoding": lambda values: _("the text is neither UTF-8 nor GBK/GB18030"),
    "needs_source": lambda values: _("a new question for a bank the team writes needs the rule and DOMAIN.md sections "
        "it rests on: add it to the bank's YAML by hand, or import into a bank of "
        "imported questions"),
    "checker": lambda values: _("the bank checker refuses it: %(message)s", message=values.get("message", "")),
}


def reason_text(problem: Problem) -> str:
    sentence = REASONS.get(problem.reason)
    return sentence(problem.values) if sentence else problem.reason


def place(where: Where) -> str:
    """'题库 sheet, row 5, column C (题干)', 'line 12' or 'the file', in the reader's language."""
    if not where.row:
        return _("the file")
    if where.sheet or where.letter:
        title = " ".join(where.column.split())
        cell = (_("row %(row)d, column %(letter)s (%(title)s)", row=where.row, letter=where.letter or "?",
                  title=title) if title else _("row %(row)d", row=where.row))
        return _("sheet %(sheet)s, %(cell)s", sheet=where.sheet, cell=cell) if where.sheet else cell
    return _("line %(line)d", line=where.row)


def located(problem: Problem) -> str:
    """Where and what, as one sentence."""
    return _("%(cell)s: %(problem)s", cell=place(problem.where), problem=reason_text(problem))


def refusal(code: str, params: dict | None = None) -> str:
    """Why a whole file, or the target bank, cannot be used."""
    params = params or {}
    return {
        "unknown_format": lambda: _("“%(name)s” is not a format this import reads: use .xlsx/.xls/.csv (题库), .xml "
                                    "(Moodle XML), .gift (GIFT) or .txt (Aiken)", name=params.get("name", "")),
        "too_large": lambda: _("The file is larger than %(limit)s MB; split it.", limit=params.get("limit", 20)),
        "bad_slug": lambda: _("A bank's name is lower-case letters, digits and '-' (public pools start with "
                              "public/), e.g. branch-quiz-2027."),
        "out_of_sync": lambda: _("The bank's file has changed since it was last loaded: run flask content sync "
                                 "first, then import."),
        "nothing_to_import": lambda: _("Nothing in the file can be imported."),
    }.get(code, lambda: sheet_problem(code))()
