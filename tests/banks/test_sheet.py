"""Question banks as banks really keep them in Excel, WPS and CSV, each built here: notes and merged
titles above decorated headers, every answer notation, formulas, markup, packed options, one sheet per
type; and the template written back and read again."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from app.banks.model import BankQuestion, Problem, Where, letter, normalise
from app.banks.notation import fill_separator, fill_stem, legend_of
from app.banks.sheet import (
    EXAMPLES,
    HEADER,
    MAX_QUESTIONS,
    UnwritableQuestion,
    blank_template,
    read_bank,
    write_bank,
)
from app.core.sheets import SheetError, read_tables
from tests.workbooks import with_cached_formula

OPTIONS = ["银行卡", "理财产品", "存款保险", "ETF基金"]
MESSY_HEADER = ["序号", "题型", "题干（必填）", "选项A\n(勿删)", "选项B\n(勿删)", "选项 C", "D选项", "选项E", "正确答案",
                "答案解析", "知识点", "难度", "分值"]
HEADER_ROW = 3  # below a note and a merged title
LETTER = {"kind": "B", "stem": "C", "A": "D", "B": "E", "C": "F", "D": "G", "answer": "I", "explanation": "J",
          "points": "M"}
TITLE = {"kind": "题型", "stem": "题干（必填）", "A": "选项A\n(勿删)", "B": "选项B\n(勿删)", "answer": "正确答案",
         "explanation": "答案解析", "points": "分值"}


def workbook(sheets: dict[str, list[list]], *, merged: dict[str, str] | None = None) -> bytes:
    """A workbook of ``sheets`` (name → rows); a value starting with '=' is a formula unless wrapped in Text."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for number, values in enumerate(rows, 1):
            for column, value in enumerate(values, 1):
                cell = sheet.cell(row=number, column=column, value=str(value) if isinstance(value, Text) else value)
                if isinstance(value, Text):
                    cell.data_type = "s"
        if merged and name in merged:
            sheet.merge_cells(merged[name])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class Text(str):
    """A value to be written as a text cell even when it starts with '='."""


def row(kind, stem, options=(), answer="", explanation="", points=None) -> list:
    """A data row of the messy sheet, in the order of MESSY_HEADER."""
    options = [*options, *[None] * (5 - len(options))]
    return [None, kind, stem, *options, answer, explanation, "消费者权益", "易", points]


GOOD = [  # (row of the sheet, kind, answer as written, expected answer)
    ("单选题", "B", ["B"]), ("单选", "b", ["B"]), ("单项选择题", "Ｃ", ["C"]), ("单选题", "存款保险", ["C"]),
    ("单选题", "ｅｔｆ基金", ["D"]), ("多选题", "ABD", ["A", "B", "D"]), ("多选", "A,B", ["A", "B"]),
    ("多项选择", "A、B", ["A", "B"]), ("多项选择题", "A;B", ["A", "B"]), ("不定项", "A；B", ["A", "B"]),
    ("多选题", "A B", ["A", "B"]), ("多选题", "A，C", ["A", "C"]), ("多选题", "ＡＢ", ["A", "B"]),
    ("多选题", "abd", ["A", "B", "D"]), ("多选题", "银行卡、存款保险", ["A", "C"]),
    *[("判断题", word, ["true"]) for word in ("对", "正确", "是", "√", "✓", "✔", "T", "True", "Y", "A", 1)],
    *[("是非题", word, ["false"]) for word in ("错", "错误", "否", "×", "✗", "✘", "F", "False", "N", "B", 0)],
]


def messy_rows() -> tuple[list[list], dict]:
    """The messy sheet's rows and what is expected of them: {row number: (kind, answer)} for good rows,
    and a list of expected problems."""
    rows = [["说明：带（必填）的列必须填写；判断题答案填“对/错”。"], ["2026年消费者权益保护知识题库"], MESSY_HEADER]
    good = {}
    for index, (kind, answer, expected) in enumerate(GOOD):
        number = len(rows) + 1
        choice = "选" in kind or "不定项" in kind
        stem = f"第{index}题：关于金融消费者权益保护，下列说法正确的是（ ）。"
        rows.append(row(kind, stem, OPTIONS if choice else (), answer, "解析", 1))
        good[number] = (_kind(kind), expected, OPTIONS if choice else [])
    return rows, good


def _kind(word: str) -> str:
    return {"单": "single", "多": "multiple", "不": "multiple", "判": "truefalse", "是": "truefalse"}[word[0]]


def bad_rows(first_row: list) -> list[tuple[list, str | None, str | None, tuple]]:
    """Rows after the good ones: (values, column at fault, reason, params); no reason for a row kept."""
    return [
        (row("单选题", "存款保险最高偿付限额是多少？", OPTIONS, "E"), "answer", "answer_not_in_options", (("answer", "E"),)),
        (row("填空题", "存款保险最高偿付限额为人民币（ ）万元。", (), "50#五十"), None, None, ()),
        (row("问答题", "请简述投诉处理的流程。", (), "略"), "kind", "essay_skipped", ()),
        (row("单选题", "   ", OPTIONS, "A"), "stem", "empty_stem", ()),
        (first_row, "stem", "duplicate_in_file", (("row", 4), ("sheet", "题库导出"))),
        (row("单选题", "<script>alert(1)</script>", OPTIONS, "A"), None, None, ()),
        (row("单选题", "可点击的链接是？", ["银行卡", '=HYPERLINK("http://x","y")', "存款"], "A"), "B", "formula", ()),
        (row("单选题", "以等号开头的选项", [Text("=1+1 的结果"), "2"], "A"), None, None, ()),
        (row("计算题", "利息是多少？", (), "5"), "kind", "unknown_type", (("type", "计算题"),)),
        (row("单选题", "只能选一个？", OPTIONS, "AB"), "answer", "single_with_several_answers", (("answer", "AB"),)),
        (row("多选题", "至少选两个？", OPTIONS, "A"), "answer", "multiple_with_one_answer", (("answer", "A"),)),
        (row("单选题", "选项太少？", ["只有一个"], "A"), "A", "too_few_options", (("count", 1),)),
        (row("单选题", "没有答案？", OPTIONS, ""), "answer", "missing_answer", ()),
        (row("填空题", "存款保险由（ ）基金偿付，限额（ ）万元。", (), "存款保险"), "answer", "fill_blank_mismatch",
         (("blanks", 2), ("answers", 1))),
        (row("单选题", "长" * 2001, OPTIONS, "A"), "stem", "too_long", (("limit", 2000),)),
        (row("单选题", "解析里有方向控制符？", OPTIONS, "A", "解析\u202e反向"), "explanation", "refused_character",
         (("char", "U+202E"),)),
        (row("单选题", "分值写错了？", OPTIONS, "A", "", "两分"), "points", "bad_points", (("points", "两分"),)),
        (row("单选题", "选项中间空了一个？", ["银行卡", None, "存款保险"], "A"), "B", "empty_option", ()),
        (row("判断题", "这是真的吗？", (), "可能"), "answer", "not_true_or_false", (("answer", "可能"),)),
        (row("单选题", "=1+1", OPTIONS, "A"), "stem", "formula", ()),
    ]


def test_a_messy_export_every_good_row_once_every_bad_row_located():
    rows, good = messy_rows()
    start, bad = len(rows) + 1, bad_rows(rows[3])
    rows += [values for values, *_ in bad]
    rows.append([27] + [None] * 12)  # an empty, numbered template row
    content = workbook({"使用说明": [["请勿修改本表"]], "题库导出": rows}, merged={"题库导出": "A2:M2"})
    questions, problems = read_bank("题库.xlsx", content)

    expected = {Problem(_where(start + i, column), reason, params) for i, (_, column, reason, params) in enumerate(bad)
                if reason}
    assert set(problems) == expected and len(problems) == len(expected)
    by_row = {q.where.row: q for q in questions}
    assert len(by_row) == len(questions) == len(good) + 3
    for number, (kind, answer, options) in good.items():
        assert (by_row[number].kind, by_row[number].answer, by_row[number].options) == (kind, answer, options), number
    fill, script, equals = by_row[start + 1], by_row[start + 5], by_row[start + 7]
    assert (fill.kind, fill.stem, fill.answer) == ("fill", "存款保险最高偿付限额为人民币____万元。", [["50", "五十"]])
    assert script.stem == "<script>alert(1)</script>"
    assert equals.options == ["=1+1 的结果", "2"]
    first = by_row[4]
    assert (first.explanation, first.tags, first.difficulty, first.points, first.key) == ("解析", ["消费者权益"], "易", 1.0, "")
    assert first.where == Where("题库导出", 4)


def _where(number: int, column: str | None) -> Where:
    if column is None:
        return Where("题库导出", number)
    return Where("题库导出", number, TITLE[column], LETTER[column])


def test_a_formula_with_a_cached_value_is_refused_too():
    content = workbook({"Sheet1": [["题型", "题干", "选项A", "选项B", "答案"], ["单选题", "问", "甲", "乙", "A"]]})
    questions, problems = read_bank("b.xlsx", with_cached_formula(content, "E2", 'UPPER("a")', "A"))
    assert questions == [] and problems == [Problem(Where("Sheet1", 2, "答案", "E"), "formula")]


SIMPLE = [["题型", "题干", "选项A", "选项B", "选项C", "答案", "解析"],
          ["单选题", "存款保险最高偿付限额为人民币多少？", "20万元", "50万元", "100万元", "B", "《存款保险条例》"],
          ["判断题", "<b>投诉</b>应在15日内处理。", "", "", "", "对", ""],
          ["填空题", "存款保险限额为____万元。", "", "", "", "50#五十", ""],
          ["单选题", "控制字符\x07在这里", "甲", "乙", "", "A", ""]]


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_csv_in_gbk_and_with_a_bom_read_the_same():
    gbk = read_bank("题库.csv", csv_bytes(SIMPLE, "gbk"))
    bom = read_bank("题库.csv", csv_bytes(SIMPLE, "utf-8-sig"))
    assert gbk == bom
    questions, problems = gbk
    assert [(q.kind, q.answer) for q in questions] == [("single", ["B"]), ("truefalse", ["true"]), ("fill", [["50", "五十"]])]
    assert questions[1].stem == "<b>投诉</b>应在15日内处理。"
    assert problems == [Problem(Where("", 5, "题干", "B"), "refused_character", (("char", "U+0007"),))]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\ufffe", "\uffff", "\ufdd0", "\u202e", "\u200f", "\x85"])
def test_refused_characters_are_located(char):
    rows = [["题干", "答案"], [f"问{char}题", "对"]]
    assert read_bank("b.csv", csv_bytes(rows, "utf-8")) == (
        [], [Problem(Where("", 2, "题干", "A"), "refused_character", (("char", f"U+{ord(char):04X}"),))])


def test_new_lines_tabs_and_markup_are_kept():
    rows = [["题干", "答案"], ["第一行\r\n第二行\t<i>斜体</i> & <br/>", "对"]]
    (question,), problems = read_bank("b.csv", csv_bytes(rows, "utf-8"))
    assert problems == [] and question.stem == "第一行\n第二行\t<i>斜体</i> & <br/>"


@pytest.mark.parametrize("values, column, limit", [
    (["单选题", "问", "长" * 501, "短", "", "A", ""], "选项A", 500),
    (["单选题", "问", "", "", "A.短 B." + "长" * 501, "A", ""], "选项", 500),
    (["单选题", "问", "甲", "乙", "", "A", "长" * 4001], "解析", 4000),
    (["填空题", "问", "", "", "", "长" * 1001, ""], "答案", 1000),
])
def test_every_value_longer_than_its_limit_is_located(values, column, limit):
    header = ["题型", "题干", "选项A", "选项B", "选项", "答案", "解析"]
    questions, problems = read_bank("b.xlsx", workbook({"S": [header, values]}))
    letter = "ABCDEFG"[header.index(column)]
    assert questions == [] and problems == [Problem(Where("S", 2, column, letter), "too_long", (("limit", limit),))]


def test_a_wps_et_file_is_read():
    content = workbook({"Sheet1": SIMPLE[:3]})
    assert [q.kind for q in read_bank("题库.et", content)[0]] == ["single", "truefalse"]


PACKED = [
    "A.银行卡 B.理财产品 C.存款保险 D.ETF基金",
    "A、银行卡|B、理财产品|C、存款保险|D、ETF基金",
    "A-银行卡$;$B-理财产品$;$C-存款保险$;$D-ETF基金",
    "A．银行卡\nB．理财产品\nC．存款保险\nD．ETF基金",
    "A:银行卡 B:理财产品 C:存款保险 D:ETF基金",
    "(A)银行卡 (B)理财产品 (C)存款保险 (D)ETF基金",
]


def test_options_packed_in_one_cell_in_every_shape():
    rows = [["试题类型", "试题内容", "选项", "标准答案"]]
    rows += [["多选题", f"第{i}题：下列属于存款的是？", cell, "C、D"] for i, cell in enumerate(PACKED)]
    rows.append(["单选题", "只有一个选项？", "A.银行卡", "A"])
    questions, problems = read_bank("packed.xlsx", workbook({"题目": rows}))
    assert [(q.options, q.answer) for q in questions] == [(OPTIONS, ["C", "D"])] * len(PACKED)
    assert problems == [Problem(Where("题目", len(PACKED) + 2, "选项", "C"), "too_few_options", (("count", 1),))]


def test_option_letters_in_a_second_header_row_under_a_merged_heading():
    rows = [["题型", "题干", "选项", None, None, "答案"], [None, None, "A", "B", "C", None],
            ["单选题", "哪一项是存款？", "银行卡", "定期存款", "基金", "B"],
            ["单选题", "选项空了？", "银行卡", None, "基金", "A"]]
    questions, problems = read_bank("b.xlsx", workbook({"S": rows}, merged={"S": "C1:E1"}))
    assert [(q.options, q.answer, q.where.row) for q in questions] == [(["银行卡", "定期存款", "基金"], ["B"], 3)]
    assert problems == [Problem(Where("S", 4, "B", "D"), "empty_option")]


def test_more_than_eight_options_are_refused():
    cell = " ".join(f"{letter}.项{letter}" for letter in "ABCDEFGHI")
    header = ["题型", "题干", *(f"选项{letter}" for letter in "ABCDEFGHI"), "答案"]
    content = workbook({"S": [["题型", "题干", "选项", "答案"], ["单选题", "九个选项？", cell, "A"]],
                        "T": [header, ["单选题", "九列选项？", *"123456789", "A"]]})
    assert read_bank("b.xlsx", content) == ([], [
        Problem(Where("S", 2, "选项", "C"), "too_many_options", (("count", 9), ("limit", 8))),
        Problem(Where("T", 2, "选项I", "K"), "too_many_options", (("count", 9), ("limit", 8)))])


def test_one_sheet_per_type_without_a_type_column():
    header = ["题号", "题目", "A", "B", "C", "答案"]
    content = workbook({
        "说明": [["本题库共五类题目"], ["题目", "说明"]],
        "单选题": [header, [1, "单选？", "甲", "乙", "丙", "B"]],
        "多选题": [header, [1, "多选？", "甲", "乙", "丙", "AC"]],
        "判断题": [header[:2] + ["答案"], [1, "判断？", "错"]],
        "填空题": [header[:2] + ["答案"], [1, "限额为（ ）万元", "50"]],
        "问答题": [header[:2] + ["参考答案"], [1, "请简述八项权利。", "财产安全权……"]],
    })
    questions, problems = read_bank("b.xlsx", content)
    assert [(q.where.sheet, q.kind, q.answer) for q in questions] == [
        ("单选题", "single", ["B"]), ("多选题", "multiple", ["A", "C"]), ("判断题", "truefalse", ["false"]),
        ("填空题", "fill", [["50"]])]
    assert problems == [Problem(Where("问答题", 2), "essay_skipped")]
    assert questions[0].key == ""  # 题号 counts rows; it is no key


def test_without_any_type_the_answer_tells():
    rows = [["编号", "题干", "选项A", "选项B", "选项C", "答案"],
            ["Q1", "单选？", "甲", "乙", "丙", "B"], ["Q2", "多选？", "甲", "乙", "丙", "A、C"],
            ["Q3", "判断？", "", "", "", "√"], ["Q4", "限额为___万元", "", "", "", "50"],
            ["Q5", "限额是多少？", "", "", "", "50"]]
    questions, problems = read_bank("bank.csv", csv_bytes(rows, "utf-8"))
    assert [(q.key, q.kind) for q in questions] == [("Q1", "single"), ("Q2", "multiple"), ("Q3", "truefalse"),
                                                    ("Q4", "fill")]
    assert problems == [Problem(Where("", 6), "unknown_type", (("type", ""),))]
    assert read_bank("判断题.csv", csv_bytes([rows[0], rows[3]], "utf-8"))[0][0].kind == "truefalse"


def test_type_numbers_are_read_only_with_a_legend():
    rows = [["题型", "题干", "选项A", "选项B", "答案"], [0, "单选？", "甲", "乙", "A"], [2, "判断？", None, None, "对"]]
    with_legend = workbook({"题库": rows, "题型代码": [["代码", "题型"], [0, "单选题"], [1, "多选题"], [2, "判断题"],
                                                     [3, "填空题"]]})
    assert [q.kind for q in read_bank("b.xlsx", with_legend)[0]] == ["single", "truefalse"]
    noted = workbook({"题库": [["题型：0=单选 1=多选 2=判断 3=填空"], *rows]})
    assert [q.kind for q in read_bank("b.xlsx", noted)[0]] == ["single", "truefalse"]
    questions, problems = read_bank("b.xlsx", workbook({"题库": rows}))
    assert questions == [] and [p.reason for p in problems] == ["unknown_type", "unknown_type"]
    assert problems[0].where == Where("题库", 2, "题型", "A")


def test_a_true_false_question_with_options_reads_its_letter_answer_through_them():
    rows = [["题型", "题干", "选项A", "选项B", "答案"], ["判断题", "对吗？", "错", "对", "B"]]
    (question,), problems = read_bank("b.xlsx", workbook({"S": rows}))
    assert (question.answer, question.options, problems) == (["true"], [], [])


def test_a_file_without_a_header_is_a_file_problem():
    content = workbook({"说明": [["请使用本行提供的模板"], ["题型", "代码"], ["单选题", 0]]})
    assert read_bank("b.xlsx", content) == ([], [Problem(Where(), "no_header")])
    with pytest.raises(SheetError):
        read_bank("b.pdf", b"%PDF-1.4")


def test_a_file_with_too_many_questions_imports_nothing():
    rows = [["题型", "题干", "答案"]] + [["判断题", f"第{i}题", "对"] for i in range(MAX_QUESTIONS + 1)]
    assert read_bank("b.csv", csv_bytes(rows, "utf-8")) == (
        [], [Problem(Where(), "too_many_questions", (("rows", MAX_QUESTIONS + 1), ("limit", MAX_QUESTIONS)))])


# --- writing ---------------------------------------------------------------------------------

ROUND_TRIP = [
    BankQuestion("single", "<script>alert(1)</script> 下列说法正确的是（ ）。", ["=HYPERLINK(\"http://x\",\"y\")", "+1",
                 "-1", "@SUM(A1)"], ["A"], "=1+1", ["投诉处理", "<b>"], "XB-0001", "难", 2.5),
    BankQuestion("multiple", "以下属于八项权利的有", ["知情权", "受尊重权", "优先兑付权"], ["A", "B"], "", [], "007", "", None),
    BankQuestion("truefalse", "存款保险最高偿付限额为人民币50万元。", [], ["true"], "第五条", [], "", "1", 1.0),
    BankQuestion("truefalse", "=TRUE()", [], ["false"]),
    BankQuestion("fill", "限额为____万元，由____偿付。\n第二行", [], [["50", "五十"], ["存款保险基金", "存款保险"]],
                 "_x0041_ 不是 A"),
    BankQuestion("fill", "存款保险的最高偿付限额是多少万元？", [], [["50"]]),
]


def without_place(questions: list[BankQuestion]) -> list[BankQuestion]:
    return [dataclasses.replace(q, where=Where()) for q in questions]


def test_what_is_written_reads_back_the_same():
    questions, problems = read_bank("bank.xlsx", write_bank(ROUND_TRIP, title="导出"))
    assert problems == [] and without_place(questions) == ROUND_TRIP
    assert [q.where.row for q in questions] == list(range(2, 2 + len(ROUND_TRIP)))


def test_the_written_workbook_keeps_text_as_text_and_validates_types():
    book = load_workbook(io.BytesIO(write_bank(ROUND_TRIP, title="导出")))
    assert book.sheetnames == ["题库", "说明"]
    sheet = book["题库"]
    assert [c.value for c in sheet[1]] == list(HEADER)
    assert all(c.data_type == "s" for c in sheet[2] if isinstance(c.value, str))
    assert sheet["D2"].value == '=HYPERLINK("http://x","y")' and sheet["L2"].value == "A"
    assert not sheet.row_dimensions[1].hidden and book.properties.title == "导出"
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules["B2:B20001"].formula1 == '"单选题,多选题,判断题,填空题"'
    assert rules["L2:L20001"].type == "textLength"


def test_questions_the_notation_cannot_express_are_refused_when_writing():
    with pytest.raises(UnwritableQuestion) as caught:
        write_bank([BankQuestion("fill", "____", [], [["a|b"]])])
    assert caught.value.code == "fill_separator"
    with pytest.raises(UnwritableQuestion):
        write_bank([BankQuestion("single", "问", [str(i) for i in range(9)], ["A"])])


def test_the_blank_template_reads_back_without_problems():
    questions, problems = read_bank("模板.xlsx", blank_template())
    assert problems == [] and without_place(questions) == EXAMPLES
    legend = read_tables("模板.xlsx", blank_template())[1]
    assert legend_of(" ".join(str(c.value or "") for c in row.cells) for row in legend.rows) == {}
    assert sorted(q.kind for q in questions) == sorted(["single", "multiple", "truefalse", "fill"] * 2)


# --- the round trip for any text ---------------------------------------------------------------

_CHARS = st.one_of(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Cf", "Zl", "Zp")),
                   st.sampled_from("消费者权益保护存款保险〔〕《》（）、，。😀🏦=<>&\"'"))


def _text(max_size: int = 30, forbidden: str = "") -> st.SearchStrategy[str]:
    plain = st.text(_CHARS, min_size=1, max_size=max_size).map(str.strip)
    return st.one_of(plain, plain.map(lambda t: "=" + t)).filter(lambda t: t and not set(t) & set(forbidden))


@st.composite
def _question(draw) -> BankQuestion:
    kind = draw(st.sampled_from(["single", "multiple", "truefalse", "fill"]))
    stem, options, answer = draw(_text(60)), [], ["true"] if draw(st.booleans()) else ["false"]
    if kind in ("single", "multiple"):
        options = draw(st.lists(_text(), min_size=2, max_size=8, unique_by=normalise))
        size = 1 if kind == "single" else draw(st.integers(2, len(options)))
        answer = sorted(draw(st.lists(st.sampled_from([letter(i) for i in range(len(options))]), min_size=size,
                                      max_size=size, unique=True)))
    if kind == "fill":
        parts = draw(st.lists(_text(20, "_（(【[").filter(lambda t: fill_stem(t) == t), min_size=1, max_size=4))
        stem = "____".join(parts)
        blank = _text(15).filter(lambda t: fill_separator(t) is None)
        answer = [draw(st.lists(blank, min_size=1, max_size=3, unique=True)) for _ in range(max(1, len(parts) - 1))]
    return BankQuestion(kind, stem, options, answer, draw(st.one_of(st.just(""), _text(80))),
                        draw(st.lists(_text(10, "、,，;；|｜"), max_size=3, unique=True)),
                        draw(st.one_of(st.just(""), _text(20))), draw(st.sampled_from(["", "易", "中", "3"])),
                        draw(st.one_of(st.none(), st.integers(1, 2000).map(lambda n: n / 10))))


@settings(max_examples=50, deadline=None)
@given(st.lists(_question(), min_size=1, max_size=5, unique_by=BankQuestion.identity))
def test_any_bank_reads_back_as_written(questions):
    read, problems = read_bank("bank.xlsx", write_bank(questions))
    assert problems == [] and without_place(read) == questions
