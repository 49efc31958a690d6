"""Moodle XML: reading every supported type, refusing the others and untrusted markup, writing, and round trips.

The sample files are written here after the examples of Moodle's "Moodle XML format" documentation.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.banks import moodle
from app.banks.model import BLANK_RE, MAX_BYTES, BankQuestion, Problem, Where, check

SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <!-- 类别：后面的题目带上“消保”“投诉处理”两个标签 -->
  <question type="category">
    <category>
      <text>$course$/top/消保/投诉处理</text>
    </category>
  </question>
  <question type="multichoice">
    <name><text>complaint-deadline</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>商业银行收到客户投诉后，<strong>最迟</strong>应在多少日内作出处理决定？</p>
<p>（依据&nbsp;&lt;办法&gt;）<br>请选择一项</p><script>alert(1)</script>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text>&lt;p&gt;一般投诉应在 15 日内处理&amp;答复。&lt;/p&gt;</text>
    </generalfeedback>
    <defaultgrade>2</defaultgrade>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="0" format="html"><text>5 日</text><feedback><text>太短</text></feedback></answer>
    <answer fraction="100" format="html"><text>15 日</text></answer>
    <answer fraction="0" format="html"><text>60 日</text></answer>
    <tags><tag><text>时限</text></tag><tag><text>投诉处理</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>rights</text></name>
    <questiontext format="plain_text"><text>以下哪些属于金融消费者的基本权利？&lt;可多选&gt;</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>知情权</text></answer>
    <answer fraction="50"><text>自主选择权</text></answer>
    <answer fraction="-100"><text>无条件退款权</text></answer>
    <answer fraction="0"><text>免于一切风险的权利</text></answer>
  </question>
  <question type="truefalse">
    <name><text>bundling</text></name>
    <questiontext format="moodle_auto_format"><text>银行可以将理财产品与贷款捆绑销售。</text></questiontext>
    <generalfeedback><text>捆绑销售侵害消费者的自主选择权。</text></generalfeedback>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>deposit-insurance</text></name>
    <questiontext format="html"><text>存款保险的最高偿付限额是多少元？</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>50万</text></answer>
    <answer fraction="100"><text>500000</text></answer>
    <answer fraction="50"><text>五十万左右</text></answer>
    <answer fraction="0"><text>*</text></answer>
  </question>
  <question type="category">
    <category><text>$course$/top/Default for 消保课程/个人信息保护</text></category>
  </question>
  <question type="truefalse">
    <name><text>old-words</text></name>
    <questiontext><text>收集个人信息应当取得本人同意。</text></questiontext>
    <answer fraction="100"><text>正确</text></answer>
    <answer fraction="0"><text>错误</text></answer>
  </question>
</quiz>
"""

UNSUPPORTED = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="essay"><name><text>e</text></name><questiontext><text>论述题</text></questiontext></question>
  <question type="matching"><name><text>m</text></name></question>
  <question type="numerical"><name><text>n</text></name></question>
  <question type="cloze"><name><text>c</text></name></question>
  <question type="truefalse">
    <name><text>kept</text></name>
    <questiontext><text>夹在中间的题照常读入。</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="description"><name><text>d</text></name></question>
  <question type="calculated"><name><text>calc</text></name></question>
  <question type="ddwtos"><name><text>plugin</text></name></question>
</quiz>
"""


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line holding ``marker``."""
    lines = [number for number, line in enumerate(text.split("\n"), 1) if marker in line]
    return lines[occurrence - 1]


def essence(question: BankQuestion, *, key: bool = True) -> tuple:
    """What a round trip must keep."""
    return (question.kind, question.stem, question.options, question.answer, question.explanation, question.tags,
            question.key if key else None)


def test_reads_every_supported_type_with_categories_tags_html_and_cdata():
    questions, problems = moodle.read(SAMPLE)
    assert problems == []
    single, multiple, truefalse, fill, old = questions
    assert single == BankQuestion(
        kind="single",
        stem="商业银行收到客户投诉后，最迟应在多少日内作出处理决定？\n（依据 <办法>）\n请选择一项",
        options=["5 日", "15 日", "60 日"],
        answer=["B"],
        explanation="一般投诉应在 15 日内处理&答复。",
        tags=["消保", "投诉处理", "时限"],
        key="complaint-deadline",
        points=2.0,
        where=Where(row=line_of(SAMPLE, '<question type="multichoice">')),
    )
    assert (multiple.kind, multiple.answer) == ("multiple", ["A", "B"])
    assert multiple.stem == "以下哪些属于金融消费者的基本权利？<可多选>"
    assert multiple.options == ["知情权", "自主选择权", "无条件退款权", "免于一切风险的权利"]
    assert (truefalse.kind, truefalse.answer) == ("truefalse", ["false"])
    assert truefalse.explanation == "捆绑销售侵害消费者的自主选择权。"
    assert (fill.kind, fill.stem, fill.answer) == ("fill", "存款保险的最高偿付限额是多少元？", [["50万", "500000"]])
    assert fill.blanks() == 1
    assert (old.answer, old.tags) == (["true"], ["个人信息保护"])  # translated words: first is true
    assert [q.where.row for q in questions[1:]] == [line_of(SAMPLE, "<question type=", n) for n in (3, 4, 5, 7)]


def test_other_types_are_problems_at_their_line_and_reading_goes_on():
    questions, problems = moodle.read(UNSUPPORTED)
    assert [q.key for q in questions] == ["kept"]
    expected = ["essay", "matching", "numerical", "cloze", "description", "calculated", "ddwtos"]
    assert problems == [Problem(Where(row=line_of(UNSUPPORTED, f'type="{qtype}"')), "unsupported_type", (("type", qtype),))
                        for qtype in expected]


@pytest.mark.parametrize(("html", "text"), [
    ("<p>第一段</p><p>第二段</p>", "第一段\n第二段"),
    ("<p>a<br>b<br/>c</p>\n\n<div>  d   e </div>", "a\nb\nc\nd e"),
    ("<ul><li>知情权</li><li>选择权</li></ul>", "知情权\n选择权"),
    ("&lt;script&gt; &amp;amp; &#x4E2D; &quot;", '<script> &amp; 中 "'),
    ("前<script>alert('x')</script>后<style>p{}</style>", "前后"),
    ("<img src='@@PLUGINFILE@@/a.png'> 图 <b>粗</b>", "图 粗"),
])
def test_html_becomes_the_plain_text_a_reader_sees(html, text):
    assert moodle.html_to_text(html) == text


def _one(body: str) -> tuple[list[BankQuestion], list[Problem]]:
    return moodle.read(f'<quiz>\n<question type="{body}</question>\n</quiz>')


@pytest.mark.parametrize(("body", "reason", "params"), [
    ('multichoice"><questiontext><text>两个满分</text></questiontext>'
     '<answer fraction="100"><text>a</text></answer><answer fraction="100"><text>b</text></answer>',
     "single_with_several_answers", (("answer", "A,B"),)),
    ('multichoice"><questiontext><text>无满分</text></questiontext>'
     '<answer fraction="50"><text>a</text></answer><answer fraction="0"><text>b</text></answer>', "missing_answer", ()),
    ('multichoice"><single>false</single><questiontext><text>一个对</text></questiontext>'
     '<answer fraction="100"><text>a</text></answer><answer fraction="-100"><text>b</text></answer>',
     "multiple_with_one_answer", ()),
    ('multichoice"><questiontext><text>一个选项</text></questiontext><answer fraction="100"><text>a</text></answer>',
     "too_few_options", (("count", 1),)),
    ('multichoice"><questiontext><text>坏分值</text></questiontext>'
     '<answer fraction="full"><text>a</text></answer><answer fraction="0"><text>b</text></answer>',
     "malformed", (("detail", 'fraction="full"'),)),
    ('shortanswer"><questiontext><text>通配</text></questiontext><answer fraction="100"><text>存款*</text></answer>',
     "wildcard_answer", (("answer", "存款*"),)),
    ('truefalse"><questiontext><text> </text></questiontext><answer fraction="100"><text>true</text></answer>',
     "empty_stem", ()),
])
def test_unusable_questions_are_problems_at_their_line(body, reason, params):
    assert _one(body) == ([], [Problem(Where(row=2), reason, params)])


def test_a_literal_star_in_a_short_answer_is_kept():
    questions, _ = _one('shortanswer"><questiontext><text>q</text></questiontext>'
                        '<answer fraction="100"><text>5\\*</text></answer>')
    assert questions[0].answer == [["5*"]]


def test_not_well_formed_xml_is_malformed_at_the_parsers_line_and_earlier_questions_are_kept():
    text = SAMPLE.replace("<single>false</single>", "<single>false</single>\n<answer fraction='50'><text>x</answer>")
    questions, problems = moodle.read(text)
    assert [q.key for q in questions] == ["complaint-deadline"]
    assert [(p.reason, p.where.row) for p in problems] == [("malformed", line_of(text, "<text>x</answer>"))]


def test_a_root_other_than_quiz_is_malformed():
    problem = Problem(Where(row=1), "malformed", (("detail", "<questions> instead of <quiz>"),))
    assert moodle.read("<questions/>") == ([], [problem])


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<quiz><question type="truefalse"><questiontext><text>&lol9;</text></questiontext></question></quiz>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="truefalse"><questiontext><text>&secret;</text></questiontext></question></quiz>
"""
EXTERNAL_DTD = '<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://127.0.0.1:9/quiz.dtd">\n<quiz/>'


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_dtds_and_entity_declarations_are_refused_before_anything_is_expanded(text):
    started = time.monotonic()
    questions, problems = moodle.read(text.encode())
    assert questions == []
    assert [(p.reason, p.where.row) for p in problems] == [("unsafe_xml", 2)]
    assert time.monotonic() - started < 1


def test_bytes_follow_the_xml_declaration():
    gbk = SAMPLE.replace('encoding="UTF-8"', 'encoding="GB18030"').encode("gb18030")
    assert [q.stem for q in moodle.read(gbk)[0]] == [q.stem for q in moodle.read(SAMPLE)[0]]
    assert moodle.read(b"\xef\xbb\xbf" + SAMPLE.encode())[0] == moodle.read(SAMPLE)[0]
    assert moodle.read(SAMPLE.encode("utf-16"))[0] == moodle.read(SAMPLE)[0]


@pytest.mark.parametrize("data", [SAMPLE.encode("gb18030"), SAMPLE.replace("UTF-8", "no-such-codec").encode()])
def test_bytes_that_do_not_decode_as_declared_are_an_encoding_problem(data):
    questions, problems = moodle.read(data)
    assert questions == [] and [p.reason for p in problems] == ["encoding"]


def test_a_file_over_20_mb_is_refused_unread():
    assert moodle.read(b" " * (MAX_BYTES + 1)) == ([], [Problem(Where(), "too_large", (("limit", MAX_BYTES),))])


def test_reading_stops_after_the_question_limit(monkeypatch):
    monkeypatch.setattr(moodle, "MAX_QUESTIONS", 3)
    questions, problems = moodle.read(SAMPLE)  # a category and three questions pass, the fourth question stops
    assert len(questions) == 2
    assert problems == [Problem(Where(row=line_of(SAMPLE, "<question type=", 4)), "too_large", (("limit", 3),))]


QUESTIONS = [
    BankQuestion("single", "<script>alert(1)</script> & { } = ~ # : 消保😀\n第二行", options=["5 日", "15 日", "<b>60</b>"],
                 answer=["B"], explanation="依据《办法》&第十条", tags=["投诉处理", "时限"], key="q-1"),
    BankQuestion("multiple", "以下哪些属于基本权利？", options=["知情权", "自主选择权", "公平交易权", "无条件退款权"],
                 answer=["A", "B", "C"], tags=["权利"], key="q-2"),
    BankQuestion("truefalse", "银行可以捆绑销售。", answer=["false"], explanation="不可以。", key="q-3"),
    BankQuestion("fill", "存款保险的最高偿付限额是____元。", answer=[["50万", "500000", "5*"]], key="q-4"),
    BankQuestion("fill", "没有下划线的简答题", answer=[["答案"]], key="q-5"),
]
TWO_BLANKS = BankQuestion("fill", "____ 和 ____", answer=[["a"], ["b"]])


def test_written_file_is_moodle_xml_with_a_category_shared_fractions_and_plain_text():
    text, skipped = moodle.write([*QUESTIONS, TWO_BLANKS], category="消保/投诉处理")
    assert skipped == [TWO_BLANKS]
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    quiz = ET.fromstring(text)
    category, single, multiple, truefalse, fill, short = quiz.findall("question")
    assert category.get("type") == "category" and category.findtext("category/text") == "$course$/top/消保/投诉处理"
    assert single.find("questiontext").get("format") == "plain_text"
    assert single.findtext("questiontext/text") == QUESTIONS[0].stem
    assert [a.get("fraction") for a in single.findall("answer")] == ["0", "100", "0"]
    assert (multiple.findtext("single"), multiple.findtext("answernumbering")) == ("false", "ABCD")
    assert [a.get("fraction") for a in multiple.findall("answer")] == ["33.33333", "33.33333", "33.33333", "-100"]
    assert [(a.findtext("text"), a.get("fraction")) for a in truefalse.findall("answer")] == [("true", "0"), ("false", "100")]
    assert fill.get("type") == "shortanswer"
    assert [a.findtext("text") for a in fill.findall("answer")] == ["50万", "500000", "5\\*"]
    assert [t.findtext("text") for t in single.findall("tags/tag")] == ["投诉处理", "时限"]
    assert "<script>" not in text  # markup in a text is escaped, never written as markup


def test_round_trip_keeps_every_question():
    text, skipped = moodle.write(QUESTIONS)
    questions, problems = moodle.read(text)
    assert (skipped, problems) == ([], [])
    assert [essence(q) for q in questions] == [essence(q) for q in QUESTIONS]


def test_round_trip_under_a_category_adds_its_levels_as_tags_and_a_keyless_question_is_named_after_its_stem():
    keyless = BankQuestion("truefalse", "  没有编号的题目\n第二行", answer=["true"], tags=["时限"], points=1.5)
    questions, _ = moodle.read(moodle.write([keyless], category="消保")[0])
    assert (questions[0].tags, questions[0].key, questions[0].points) == (["消保", "时限"], "没有编号的题目", 1.5)


# Any text a question can hold: specials of XML, HTML and GIFT, CJK, emoji, tabs and line breaks.
ALPHABET = st.one_of(
    st.sampled_from(list("<>&\"'{}=~#:\\[]%*/$_-!?;.,() \t\n") + ["script", "&amp;", "]]>", "->", "####", "[html]"]),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x1F600, max_codepoint=0x1F64F),
    st.characters(min_codepoint=0x30, max_codepoint=0x7A),
    st.sampled_from(list("，。：；！？（）【】《》\u3000")),
)
texts = st.lists(ALPHABET, min_size=1, max_size=12).map("".join).map(str.strip).filter(bool)
TAGS = ["消保", "投诉处理", "时限", "个人信息", "适当性", "a b"]


@st.composite
def bank_questions(draw, kinds=("single", "multiple", "truefalse", "fill")) -> BankQuestion:
    """A usable question of one of ``kinds`` with any text."""
    kind = draw(st.sampled_from(kinds))
    question = BankQuestion(kind, draw(texts), explanation=draw(st.one_of(st.just(""), texts)),
                            tags=draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=3)),
                            key=draw(st.one_of(st.just(""), texts)))
    if kind in ("single", "multiple"):
        question.options = draw(st.lists(texts, min_size=2, max_size=8))
        letters = "ABCDEFGH"[: len(question.options)]
        size = 1 if kind == "single" else draw(st.integers(2, len(letters)))
        question.answer = sorted(draw(st.lists(st.sampled_from(letters), min_size=size, max_size=size, unique=True)))
    elif kind == "truefalse":
        question.answer = [draw(st.sampled_from(["true", "false"]))]
    else:
        question.answer = [draw(st.lists(texts, min_size=1, max_size=3))]
    return question


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bank_questions(), min_size=1, max_size=5))
def test_any_question_reads_back_as_written(questions):
    text, skipped = moodle.write(questions)
    assert skipped == [q for q in questions if q.kind == "fill" and len(BLANK_RE.findall(q.stem)) > 1]
    read, problems = moodle.read(text.encode())
    kept = [q for q in questions if q not in skipped]
    assert problems == []
    assert [essence(r, key=bool(q.key)) for r, q in zip(read, kept, strict=True)] == [
        essence(q, key=bool(q.key)) for q in kept
    ]


XML_PIECES = ["<quiz>", "</quiz>", '<question type="multichoice">', '<question type="truefalse">', '<question type="category">',
              '<question type="shortanswer">', "</question>", "<answer fraction='100'>", "<answer fraction='x'>", "</answer>",
              "<text>", "</text>", "<questiontext format='html'>", "</questiontext>", "<single>false</single>", "<category>",
              "</category>", "<![CDATA[<p>a</p>]]>", "&amp;", "<!DOCTYPE x>", "<!-- c -->", "*", "题", "\n"]


@settings(max_examples=50, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(XML_PIECES), max_size=40).map("".join), st.binary(max_size=60)))
def test_any_upload_reads_without_an_exception_and_gives_only_usable_questions(data):
    questions, problems = moodle.read(data)
    assert all(check(q) is None for q in questions)
    assert all(isinstance(p, Problem) for p in problems)
