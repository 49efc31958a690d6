"""Aiken: reading single-choice questions, reporting broken blocks at their line, writing, and round trips.
The sample files follow the examples of Moodle's "Aiken format" documentation."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.banks import aiken
from app.banks.model import MAX_BYTES, BankQuestion, Problem, Where, check
from tests.banks.test_moodle import QUESTIONS, bank_questions, line_of

SAMPLE = """商业银行收到客户投诉后，最迟应在多少日内作出处理决定？
A. 5 日
B. 15 日
C. 60 日
ANSWER: B

以下哪一项属于金融消费者的知情权？
A) 了解产品的收费标准
B) 要求银行保证收益
ANSWER: A
银行工作人员能否代客户签字？
多行的题干保留为多行。
A. 能
B. 不能
C. 视情况而定
Answer：B
"""

BROKEN = """没有答案行的题
A. 甲
B. 乙

答案不在选项中
A. 甲
B. 乙
ANSWER: E

两个答案
A. 甲
B. 乙
C. 丙
ANSWER: A, C

只有一个选项
A. 甲
ANSWER: A

选项次序不对
A. 甲
C. 丙
ANSWER: A

A. 没有题干
B. 乙
ANSWER: B

选项之后又出现题干的题
A. 甲
B. 乙
好题：存款保险由谁承担保费？
A. 存款人
B. 投保机构
ANSWER: B
结尾没有答案行
A. 甲
B. 乙
"""


def test_reads_single_choice_questions_with_either_option_style_and_several_stem_lines():
    questions, problems = aiken.read(SAMPLE)
    assert problems == []
    assert questions == [
        BankQuestion("single", "商业银行收到客户投诉后，最迟应在多少日内作出处理决定？", ["5 日", "15 日", "60 日"], ["B"],
                     where=Where(row=1)),
        BankQuestion("single", "以下哪一项属于金融消费者的知情权？", ["了解产品的收费标准", "要求银行保证收益"], ["A"],
                     where=Where(row=line_of(SAMPLE, "知情权"))),
        BankQuestion("single", "银行工作人员能否代客户签字？\n多行的题干保留为多行。", ["能", "不能", "视情况而定"], ["B"],
                     where=Where(row=line_of(SAMPLE, "代客户签字"))),
    ]


def test_broken_blocks_are_problems_at_their_line_and_reading_goes_on():
    questions, problems = aiken.read(BROKEN)
    assert [q.stem for q in questions] == ["好题：存款保险由谁承担保费？"]
    expected = [
        ("没有答案行的题", "missing_answer", ()),
        ("答案不在选项中", "answer_not_in_options", (("answer", "E"),)),
        ("两个答案", "single_with_several_answers", (("answer", "A,C"),)),
        ("只有一个选项", "too_few_options", (("count", 1),)),
        ("C. 丙", "malformed", (("detail", "option C after option A"),)),
        ("A. 没有题干", "empty_stem", ()),
        ("选项之后又出现题干的题", "missing_answer", ()),
        ("结尾没有答案行", "missing_answer", ()),
    ]
    assert problems == [Problem(Where(row=line_of(BROKEN, marker, 2 if marker == "C. 丙" else 1)), reason, params)
                        for marker, reason, params in expected]


def test_bytes_are_utf8_with_or_without_bom_or_else_gb18030():
    expected = aiken.read(SAMPLE)
    assert aiken.read(SAMPLE.encode()) == expected
    assert aiken.read(b"\xef\xbb\xbf" + SAMPLE.replace("\n", "\r\n").encode()) == expected
    assert aiken.read(SAMPLE.encode("gb18030")) == expected
    assert [p.reason for p in aiken.read(b"\x81\x20\xff")[1]] == ["encoding"]


def test_size_and_question_limits(monkeypatch):
    assert aiken.read("x" * (MAX_BYTES + 1)) == ([], [Problem(Where(), "too_large", (("limit", MAX_BYTES),))])
    monkeypatch.setattr(aiken, "MAX_QUESTIONS", 2)
    questions, problems = aiken.read(SAMPLE)
    assert len(questions) == 2
    assert problems == [Problem(Where(row=line_of(SAMPLE, "代客户签字")), "too_large", (("limit", 2),))]


def test_writes_single_choice_only_with_line_breaks_as_spaces():
    text, skipped = aiken.write(QUESTIONS, category="消保")
    assert skipped == QUESTIONS[1:]  # multiple, truefalse and fill cannot be written
    assert text == (
        "<script>alert(1)</script> & { } = ~ # : 消保😀 第二行\n"
        "A. 5 日\nB. 15 日\nC. <b>60</b>\nANSWER: B\n"
    )


def test_a_stem_that_would_read_as_an_option_or_an_answer_line_is_skipped():
    looks_like_option = BankQuestion("single", "A. 这样开头的题干", ["甲", "乙"], ["A"])
    looks_like_answer = BankQuestion("single", "Answer: 这样开头的题干", ["甲", "乙"], ["A"])
    two_answers = BankQuestion("single", "两个答案", ["甲", "乙"], ["A", "B"])
    assert aiken.write([looks_like_option, looks_like_answer, two_answers]) == ("", [looks_like_option, looks_like_answer,
                                                                                     two_answers])


def test_round_trip_keeps_stem_options_and_answer_with_line_breaks_as_spaces():
    question = BankQuestion("single", "<script>alert(1)</script> & { } = ~ # :\n消保 😀", ["选项\n一", "选项二"], ["B"],
                            explanation="解析不写入", tags=["标签不写入"], key="编号不写入")
    questions, problems = aiken.read(aiken.write([question])[0])
    assert problems == []
    assert [(q.kind, q.stem, q.options, q.answer, q.explanation, q.tags, q.key) for q in questions] == [
        ("single", "<script>alert(1)</script> & { } = ~ # : 消保 😀", ["选项 一", "选项二"], ["B"], "", [], "")
    ]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bank_questions(kinds=("single",)), min_size=1, max_size=5))
def test_any_single_choice_question_reads_back_as_written(questions):
    text, skipped = aiken.write(questions)
    assert skipped == [q for q in questions if aiken.is_option_or_answer(aiken.one_line(q.stem))]
    read, problems = aiken.read(text.encode())
    assert problems == []
    kept = [q for q in questions if q not in skipped]
    assert [(q.stem, q.options, q.answer) for q in read] == [
        (aiken.one_line(q.stem), [aiken.one_line(o) for o in q.options], q.answer) for q in kept
    ]


AIKEN_PIECES = ["A. ", "B) ", "C. ", "A.", "ANSWER: ", "answer：", "A", "B", "AB", "E", "\n", "\n\n", "题干", "x", " "]


@settings(max_examples=50, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(AIKEN_PIECES), max_size=40).map("".join), st.binary(max_size=60)))
def test_any_upload_reads_without_an_exception_and_gives_only_usable_questions(data):
    questions, problems = aiken.read(data)
    assert all(check(q) is None and q.kind == "single" for q in questions)
    assert all(isinstance(p, Problem) for p in problems)
