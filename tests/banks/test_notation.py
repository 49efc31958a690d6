"""Every answer, type and option notation the question-bank spreadsheets are written in."""

from __future__ import annotations

import pytest

from app.banks.model import BankQuestion
from app.banks.notation import (
    ESSAY,
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

OPTIONS = ["银行卡", "理财产品", "存款保险", "ETF基金"]


def refusal(call, *args) -> tuple[str, dict]:
    with pytest.raises(NotationError) as caught:
        call(*args)
    return caught.value.code, caught.value.params


@pytest.mark.parametrize("raw, letters", [
    ("B", ["B"]), ("b", ["B"]), ("ABD", ["A", "B", "D"]), ("A,B", ["A", "B"]), ("A、B", ["A", "B"]),
    ("A;B", ["A", "B"]), ("A；B", ["A", "B"]), ("A B", ["A", "B"]), ("A，B", ["A", "B"]), ("ＡＢ", ["A", "B"]),
    ("abd", ["A", "B", "D"]), ("DBA", ["A", "B", "D"]), ("A/C", ["A", "C"]), (" C． ", ["C"]), ("AAB", ["A", "B"]),
    ("存款保险", ["C"]), ("ＥＴＦ基金", ["D"]), ("etf 基金", ["D"]), ("银行卡、存款保险", ["A", "C"]),
    ("理财产品|ETF基金", ["B", "D"]), ("A、ETF基金", ["A", "D"]),
])
def test_choice_answers_in_every_notation(raw, letters):
    assert choice_answer(raw, OPTIONS) == letters


@pytest.mark.parametrize("raw, offending", [("E", "E"), ("AE", "E"), ("国债", "国债"), ("银行卡、国债", "国债"),
                                            ("ETF", "ETF")])
def test_an_answer_outside_the_options_names_the_offending_value(raw, offending):
    assert refusal(choice_answer, raw, OPTIONS) == ("answer_not_in_options", {"answer": offending})


def test_an_empty_answer_is_missing():
    assert refusal(choice_answer, "  ", OPTIONS) == ("missing_answer", {})
    assert refusal(truefalse_answer, "") == ("missing_answer", {})
    assert refusal(fill_answer, " | # ") == ("missing_answer", {})


def test_an_option_whose_text_is_all_letters_is_named_by_its_text_when_the_letters_do_not_fit():
    assert choice_answer("ETF", ["ETF", "LOF"]) == ["A"]  # T is no option letter
    assert choice_answer("B", ["ETF", "LOF"]) == ["B"]


@pytest.mark.parametrize("raw", ["对", "正确", "是", "√", "✓", "✔", "T", "t", "True", "TRUE", "Y", "yes", "A", "1",
                                 "Ａ", "１", "對", " 对 "])
def test_true_words(raw):
    assert truefalse_answer(raw) == ["true"]


@pytest.mark.parametrize("raw", ["错", "错误", "否", "×", "✗", "✘", "✕", "F", "False", "N", "no", "B", "0", "錯", "不正确"])
def test_false_words(raw):
    assert truefalse_answer(raw) == ["false"]


def test_a_true_false_answer_by_letter_follows_the_order_of_its_options():
    assert truefalse_answer("B", ["错", "对"]) == ["true"]
    assert truefalse_answer("A", ["错", "对"]) == ["false"]
    assert truefalse_answer("B", ["甲", "乙"]) == ["false"]  # options that are no true/false words are not used
    assert refusal(truefalse_answer, "可能") == ("not_true_or_false", {"answer": "可能"})


@pytest.mark.parametrize("raw, groups", [
    ("50", [["50"]]),
    ("50#五十", [["50", "五十"]]),
    ("50#五十|存款保险", [["50", "五十"], ["存款保险"]]),
    ("50｜存款保险", [["50"], ["存款保险"]]),
    ("50;存款保险", [["50"], ["存款保险"]]),
    ("50；存款保险", [["50"], ["存款保险"]]),
    ("50\n存款保险", [["50"], ["存款保险"]]),
    ("五十＃50 | 存款保险 |", [["五十", "50"], ["存款保险"]]),
    ("1/2、姓名或证件号", [["1/2、姓名或证件号"]]),  # '/', '、' and '或' belong to the answer
])
def test_fill_answers(raw, groups):
    assert fill_answer(raw) == groups


def test_fill_separators_are_the_ones_the_reader_splits_on():
    assert [fill_separator(t) for t in ("a|b", "a；b", "a#b", "a\nb", "1/2 或 3、4")] == ["|", "；", "#", "\n", None]


@pytest.mark.parametrize("stem", ["存款保险限额为（ ）万元", "存款保险限额为(  )万元", "存款保险限额为（　）万元",
                                  "存款保险限额为【 】万元", "存款保险限额为__万元", "存款保险限额为_______万元",
                                  "存款保险限额为（____）万元", "存款保险限额为（）万元", "存款保险限额为____万元"])
def test_blank_marks_become_four_underscores(stem):
    assert fill_stem(stem) == "存款保险限额为____万元"


def test_text_in_brackets_is_no_blank():
    assert fill_stem("《存款保险条例》（2015年）规定") == "《存款保险条例》（2015年）规定"


@pytest.mark.parametrize("word, kind", [
    *[(w, "single") for w in ("单选", "单选题", "单项选择", "单项选择题", "单择", "single", "Single Choice", "单选题（1分）")],
    *[(w, "multiple") for w in ("多选", "多选题", "多项选择", "多项选择题", "不定项", "不定项选择题", "multiple", "multichoice")],
    *[(w, "truefalse") for w in ("判断", "判断题", "是非题", "truefalse", "True/False")],
    *[(w, "fill") for w in ("填空", "填空题", "fill", "Fill in the blank")],
    *[(w, ESSAY) for w in ("问答", "简答", "简答题", "论述", "问答题", "论述题", "essay")],
])
def test_type_words(word, kind):
    assert kind_of(word) == kind


def test_unknown_types_and_numbers_without_a_legend_are_refused():
    assert refusal(kind_of, "计算题") == ("unknown_type", {"type": "计算题"})
    assert refusal(kind_of, "1") == ("unknown_type", {"type": "1"})
    assert kind_of("1", {"0": "single", "1": "multiple"}) == "multiple"


@pytest.mark.parametrize("texts, legend", [
    (["题型代码：0=单选 1=多选 2=判断 3=填空"], {"0": "single", "1": "multiple", "2": "truefalse", "3": "fill"}),
    (["代码 题型", "0 单选题", "1 多选题", "2 判断题"], {"0": "single", "1": "multiple", "2": "truefalse"}),
    (["1：单选题；2：多选题"], {"1": "single", "2": "multiple"}),
    (["单选题=1", "多选题=2"], {"1": "single", "2": "multiple"}),
    (["本表共 120 道单选题"], {}),
    (["请按要求填写单选题、多选题"], {}),
])
def test_legends_of_type_numbers_are_found_by_their_content(texts, legend):
    assert legend_of(texts) == legend


@pytest.mark.parametrize("name, kind", [("单选题", "single"), ("第二部分 多选题（50道）", "multiple"), ("判断题", "truefalse"),
                                        ("填空", "fill"), ("问答题", ESSAY), ("Sheet1", None), ("单选多选混合", None),
                                        ("选择题", None)])
def test_types_named_by_sheets(name, kind):
    assert kind_in_name(name) == kind


@pytest.mark.parametrize("answer, options, stem, kind", [
    ("B", OPTIONS, "问", "single"), ("A、C", OPTIONS, "问", "multiple"), ("对", [], "问", "truefalse"),
    ("×", [], "问", "truefalse"), ("50", [], "限额为（ ）万元", "fill"), ("A", [], "问", None), ("1", [], "问", None),
    ("50", [], "限额为多少", None),
])
def test_a_type_is_told_from_the_answer(answer, options, stem, kind):
    assert guess_kind(answer, options, stem) == kind


@pytest.mark.parametrize("cell", [
    "A.银行卡 B.理财产品 C.存款保险 D.ETF基金",
    "A、银行卡|B、理财产品|C、存款保险|D、ETF基金",
    "A-银行卡$;$B-理财产品$;$C-存款保险$;$D-ETF基金",
    "A．银行卡\nB．理财产品\nC．存款保险\nD．ETF基金",
    "A:银行卡 B:理财产品 C:存款保险 D:ETF基金",
    "A：银行卡；B：理财产品；C：存款保险；D：ETF基金",
    "(A)银行卡 (B)理财产品 (C)存款保险 (D)ETF基金",
    "（A）银行卡（B）理财产品（C）存款保险（D）ETF基金",
    "Ａ．银行卡 Ｂ．理财产品 Ｃ．存款保险 Ｄ．ETF基金",
    "A. 银行卡  B. 理财产品  C. 存款保险  D. ETF基金",
    "A.银行卡B.理财产品C.存款保险D.ETF基金",
    "银行卡\n理财产品\n存款保险\nETF基金",
    "银行卡|理财产品|存款保险|ETF基金",
    "银行卡$;$理财产品$;$存款保险$;$ETF基金",
])
def test_options_packed_in_one_cell(cell):
    assert split_options(cell) == OPTIONS


def test_letters_inside_option_texts_are_not_split_points():
    assert split_options("A.买入A股 B.购买ETF基金 C.C类份额 D.持有B股") == ["买入A股", "购买ETF基金", "C类份额", "持有B股"]
    assert split_options("A.选C.或D B.都不是") == ["选C.或D", "都不是"]  # C is not the next letter after A
    assert split_options("A.只有一个选项") == ["只有一个选项"]
    assert len(split_options(" ".join(f"{letter}.项{letter}" for letter in "ABCDEFGHIJ"))) == 10


def test_answers_are_written_in_the_notation_read():
    assert written_answer(BankQuestion("multiple", "问", ["a", "b", "c"], ["A", "C"])) == "AC"
    assert written_answer(BankQuestion("truefalse", "问", [], ["true"])) == "对"
    assert written_answer(BankQuestion("truefalse", "问", [], ["false"])) == "错"
    question = BankQuestion("fill", "限额为____万元，由____基金偿付", [], [["50", "五十"], ["存款保险"]])
    assert written_answer(question) == "50#五十|存款保险"
    assert fill_answer(written_answer(question)) == question.answer
