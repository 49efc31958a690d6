"""GIFT: reading every supported type, escapes, comments, formats and categories; refusing the rest;
writing; and round trips. The sample files follow the examples of Moodle's "GIFT format" documentation."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.banks import gift
from app.banks.model import BLANK_RE, MAX_BYTES, BankQuestion, Problem, Where, check
from app.banks.moodle import merge_tags
from tests.banks.test_moodle import QUESTIONS, TWO_BLANKS, bank_questions, essence, line_of

SAMPLE = r"""// 消保学堂 GIFT 样例：题与题之间空一行
$CATEGORY: $course$/top/消保/投诉处理

// 单选：= 标出正确答案，# 之后是该选项的反馈（不保留），#### 之后是解析
::complaint-deadline::商业银行收到客户投诉后，最迟应在多少日内作出处理决定？{
	~5 日#太短
	=15 日#正确
// 注释行也可以夹在题目中间
	~60 日
	####一般投诉应在 15 日内处理并答复。
}

::rights::[markdown]以下哪些属于金融消费者的**基本权利**？{
	~%50%知情权
	~%50%自主选择权
	~%-100%无条件退款权
}

::bundling::银行可以将理财产品与贷款捆绑销售。{FALSE#错：捆绑销售侵害自主选择权。####不可以捆绑销售。}

::tf-short:: 金融机构应当保护消费者个人信息。{T}

// 填空：答案块在句中，空格落在答案块的位置；部分得分的答案不算
存款保险的最高偿付限额为 {=50万元 =五十万元 =%50%50万} 人民币。

::deposit::存款保险的最高偿付限额是多少元？{=500000 =%100%50万}

::html::[html]<p>下列说法<b>正确</b>的是&hellip;</p>{
	=保护&amp;尊重
	~[plain]<不保护>
}

$CATEGORY: 个人信息

::escapes::转义字符：\{ \} \= \~ \# \: 与反斜杠 \\ 以及\n换行 {=a\=b =5\\*}
"""

REFUSED = r"""::numeric::存款保险条例施行于哪一年？{#2015}

::match::请配对 {=知情权 -> 了解产品 =选择权 -> 自主决定}

::essay::谈谈你对消保工作的理解。{}

这是一段说明文字，没有答案块。

::bad::缺少右括号 {=a ~b

::two::两个答案块 {=a ~b} 以及 {=c ~d}

::notitle 标题没有收尾 {=a ~b}

::two-right::两个正确答案 {=a =b ~c}

::one-right::多选只有一个正确答案 {~%100%a ~%0%b ~c}

::wild::通配符 {=存款*}

::kept::说明：夹在中间的好题照常读入 {TRUE}
"""


def test_reads_every_supported_type_with_comments_categories_formats_and_escapes():
    questions, problems = gift.read(SAMPLE)
    assert problems == []
    single, multiple, bundling, short_tf, missing_word, deposit, html, escapes = questions
    assert single == BankQuestion(
        kind="single", stem="商业银行收到客户投诉后，最迟应在多少日内作出处理决定？", options=["5 日", "15 日", "60 日"],
        answer=["B"], explanation="一般投诉应在 15 日内处理并答复。", tags=["消保", "投诉处理"], key="complaint-deadline",
        where=Where(row=line_of(SAMPLE, "::complaint-deadline::")),
    )
    assert (multiple.kind, multiple.stem, multiple.answer) == ("multiple", "以下哪些属于金融消费者的**基本权利**？", ["A", "B"])
    assert (bundling.answer, bundling.explanation) == (["false"], "不可以捆绑销售。")
    assert (short_tf.stem, short_tf.answer, short_tf.key) == ("金融机构应当保护消费者个人信息。", ["true"], "tf-short")
    assert (missing_word.kind, missing_word.stem) == ("fill", "存款保险的最高偿付限额为 ____ 人民币。")
    assert (missing_word.answer, missing_word.key) == ([["50万元", "五十万元"]], "")
    assert (deposit.stem, deposit.answer) == ("存款保险的最高偿付限额是多少元？", [["500000", "50万"]])
    assert (html.stem, html.options, html.answer) == ("下列说法正确的是…", ["保护&尊重", "<不保护>"], ["A"])
    assert escapes.stem == "转义字符：{ } = ~ # : 与反斜杠 \\ 以及\n换行"
    assert (escapes.answer, escapes.tags) == ([["a=b", "5*"]], ["个人信息"])
    assert [q.where.row for q in questions] == [line_of(SAMPLE, marker) for marker in (
        "::complaint", "::rights", "::bundling", "::tf-short", "存款保险的最高偿付限额为", "::deposit", "::html", "::escapes")]


def test_other_types_and_broken_questions_are_problems_at_their_first_line():
    questions, problems = gift.read(REFUSED)
    assert [q.key for q in questions] == ["kept"]
    expected = [
        ("::numeric", "unsupported_type", (("type", "numerical"),)),
        ("::match", "unsupported_type", (("type", "matching"),)),
        ("::essay", "unsupported_type", (("type", "essay"),)),
        ("这是一段说明文字", "unsupported_type", (("type", "description"),)),
        ("::bad", "malformed", (("detail", "{ and } do not pair"),)),
        ("::two::", "malformed", (("detail", "more than one answer block"),)),
        ("::notitle", "malformed", (("detail", "a title without its closing ::"),)),
        ("::two-right", "single_with_several_answers", (("answer", "A,B"),)),
        ("::one-right", "multiple_with_one_answer", ()),
        ("::wild", "wildcard_answer", (("answer", "存款*"),)),
    ]
    assert problems == [Problem(Where(row=line_of(REFUSED, marker)), reason, params) for marker, reason, params in expected]


def test_bytes_are_utf8_with_or_without_bom_or_else_gb18030_and_windows_line_ends_are_read():
    expected = gift.read(SAMPLE)
    assert gift.read(SAMPLE.encode()) == expected
    assert gift.read(b"\xef\xbb\xbf" + SAMPLE.replace("\n", "\r\n").encode()) == expected
    assert gift.read(SAMPLE.encode("gb18030")) == expected


def test_bytes_that_are_no_known_encoding_are_an_encoding_problem():
    assert [p.reason for p in gift.read(b"\x81\x20\xff\xfe\xfd")[1]] == ["encoding"]


def test_size_and_question_limits(monkeypatch):
    assert gift.read("x" * (MAX_BYTES + 1)) == ([], [Problem(Where(), "too_large", (("limit", MAX_BYTES),))])
    monkeypatch.setattr(gift, "MAX_QUESTIONS", 2)
    questions, problems = gift.read(SAMPLE)  # the category line counts as one
    assert len(questions) == 1
    assert problems == [Problem(Where(row=line_of(SAMPLE, "::rights")), "too_large", (("limit", 2),))]


def test_written_file_escapes_text_marks_plain_text_and_writes_tags_as_categories():
    text, skipped = gift.write([*QUESTIONS, TWO_BLANKS])
    assert skipped == [TWO_BLANKS]
    blocks = text.split("\n\n")
    assert blocks[0] == "$CATEGORY: $course$/top/投诉处理/时限"
    assert blocks[1].startswith(r"::q-1::[plain]<script>alert(1)</script> & \{ \} \= \~ \# \: 消保😀\n第二行 {")
    assert "\t~<b>60</b>\n\t####依据《办法》&第十条\n}" in blocks[1]
    assert blocks[3].split("\n")[1:] == ["\t~%33.33333%知情权", "\t~%33.33333%自主选择权", "\t~%33.33333%公平交易权",
                                         "\t~%-100%无条件退款权", "}"]
    assert blocks[4:7] == ["$CATEGORY: $course$/top", "::q-3::银行可以捆绑销售。 {FALSE####不可以。}",
                           r"::q-4::存款保险的最高偿付限额是____元。 {=50万 =500000 =5\\*}"]


def test_text_that_would_read_as_markup_is_written_so_that_it_reads_back_as_text():
    tricky = [
        BankQuestion("single", "[html]<b>粗</b>", options=["%50% 的客户", "[plain]x"], answer=["B"], explanation="[x]"),
        BankQuestion("single", "// 不是注释", options=["=1", "~2"], answer=["A"]),
        BankQuestion("fill", "利率____", answer=[["%3", "[a]", "a\\*b"]]),
        BankQuestion("truefalse", "$CATEGORY: 不是类别", answer=["true"]),
    ]
    text, skipped = gift.write(tricky)
    questions, problems = gift.read(text)
    assert (skipped, problems) == ([], [])
    assert [essence(q) for q in questions] == [essence(q) for q in tricky]


def test_round_trip_keeps_every_question_and_a_category_adds_its_levels_as_tags():
    questions, problems = gift.read(gift.write(QUESTIONS)[0])
    assert problems == []
    assert [essence(q) for q in questions] == [essence(q) for q in QUESTIONS]
    questions, _ = gift.read(gift.write(QUESTIONS, category="消保/银行")[0])
    assert [q.tags for q in questions] == [["消保", "银行", *q.tags] for q in QUESTIONS]


def test_fill_answers_holding_an_arrow_are_skipped():
    arrow = BankQuestion("fill", "流程", answer=[["受理->处理"]])
    assert gift.write([arrow]) == ("", [arrow])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bank_questions(), min_size=1, max_size=5), st.sampled_from(["", "消保"]))
def test_any_question_reads_back_as_written(questions, category):
    text, skipped = gift.write(questions, category=category)
    assert skipped == [q for q in questions if q.kind == "fill" and (
        len(BLANK_RE.findall(q.stem)) > 1 or any("->" in a for a in q.answer[0]))]
    read, problems = gift.read(text.encode())
    kept = [q for q in questions if q not in skipped]
    assert problems == []
    assert [essence(q) for q in read] == [
        essence(BankQuestion(q.kind, q.stem, q.options, q.answer, q.explanation, merge_tags([category], q.tags), q.key))
        for q in kept
    ]


GIFT_PIECES = ["{", "}", "=", "~", "#", "####", "::", "\\", "\n", "\n\n", "%50%", "%-100%", "->", "[html]", "<p>", "&amp;",
               "$CATEGORY: a/b", "//", "T", "FALSE", "*", "x", "题", " ", "____"]


@settings(max_examples=50, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(GIFT_PIECES), max_size=40).map("".join), st.binary(max_size=60)))
def test_any_upload_reads_without_an_exception_and_gives_only_usable_questions(data):
    questions, problems = gift.read(data)
    assert all(check(q) is None for q in questions)
    assert all(isinstance(p, Problem) and p.where.row >= 0 for p in problems)
