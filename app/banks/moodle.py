"""Moodle XML question banks (Moodle's "Moodle XML format"), read and written. Pure Python.

**Read.** A ``<quiz>`` of ``<question type="…">`` elements; a question's place is the line of its
``<question>`` tag.

- ``multichoice`` with ``<single>true</single>`` (Moodle's default) → ``single``: the answer with
  fraction 100 is right. With ``<single>false</single>`` → ``multiple``: every answer with a
  positive fraction is right (negative and zero fractions are wrong answers).
- ``truefalse``: the answer ``true`` or ``false`` that has fraction 100. In old files whose answers
  are translated words, the first answer is "true" and the second "false", as Moodle reads them.
- ``shortanswer`` → ``fill`` with one blank: every answer with fraction 100 is an accepted
  alternative; answers with partial credit are left out. The stem is kept as it is (no ``____`` is
  added). ``\\*`` is a literal star; an accepted answer with a bare ``*`` (a Moodle wildcard) is
  refused (``wildcard_answer``), since the academy compares answers literally.
- ``category`` pseudo-questions: the path ``$course$/top/消保/投诉处理`` gives the tags ``消保`` and
  ``投诉处理`` to every question after it, until the next category (context markers such as
  ``$course$``, ``top`` and Moodle's ``Default for …`` categories are left out; ``//`` is a slash
  inside a category's name).
- ``<name>`` → key; ``<generalfeedback>`` → explanation; ``<tags><tag><text>`` → tags (after the
  category's tags, without repeats); ``<defaultgrade>`` → points.
- Texts (question, answers, general feedback) in ``format="html"`` (Moodle's default) become plain
  text: tags removed (``<script>`` and ``<style>`` with their content, images without a trace),
  entities unescaped, ``<br>`` as a line break and paragraphs, list items and other blocks on lines
  of their own. Texts in ``plain_text``, ``moodle_auto_format`` or ``markdown`` are kept as written.
  CDATA sections read like any other text. Every text is trimmed.
- Not kept: per-answer feedback, combined feedback, hints, penalties, ``idnumber``, images and
  other embedded files.
- Refused, with a problem at the question's line: every other type (``essay``, ``matching``,
  ``numerical``, ``cloze``/``multianswer``, ``description``, ``calculated``…): ``unsupported_type``;
  a question that is not usable (see ``model.check``), e.g. a single choice with two right answers.
- Safety: the file is untrusted. Any DTD (``<!DOCTYPE …>``, and so every entity declaration: no
  "billion laughs", no external entities) is refused before it is read (``unsafe_xml``); files over
  20 MB and questions after the 20,000th are refused (``too_large``). Not well-formed XML is
  ``malformed`` at the line the parser stopped at; the questions before it are kept.
- Encoding: text is read as it is; bytes as their XML declaration says (UTF-8 when it says nothing,
  a byte-order mark wins); ``encoding`` when they cannot be decoded so.

**Written.** ``<?xml … encoding="UTF-8"?>`` and a ``<quiz>``: first one ``category`` pseudo-question
when a category is given (``消保/投诉处理`` is written ``$course$/top/消保/投诉处理``; a path that
starts with ``$`` is written as given), then each question with ``<name>`` (the key; a question
without one is named after the start of its stem, which becomes its key when read back),
``<questiontext>``, ``<generalfeedback>``, ``<defaultgrade>`` (points, when set) and ``<tags>``.

- Every text is written ``format="plain_text"``, escaped: Moodle shows it literally (markup such as
  ``<script>`` in a stem stays text, never HTML) and reading it back gives the identical text.
  Characters XML cannot hold (control characters other than tab and line feed) are dropped.
- ``single`` / ``multiple`` → ``multichoice`` with ``<single>``, ``<shuffleanswers>true`` and
  ``<answernumbering>ABCD`` (the academy's option letters). Single: the right answer 100, the others
  0. Multiple: the right answers share 100 (3 right: 33.33333 each, as Moodle's own grade list has
  it) and every wrong answer is -100, so that a learner who ticks any wrong option scores nothing,
  which is as close as Moodle comes to the academy's rule (all right options and no wrong one).
- ``truefalse`` → ``truefalse`` (answers ``true`` and ``false``, the right one 100).
- ``fill`` with one blank → ``shortanswer``, case-insensitive, every accepted answer at 100 (a ``*``
  written ``\\*`` so that Moodle does not take it for a wildcard); the stem is written as it is.
- Skipped (returned as skipped): ``fill`` questions with several blanks.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from xml.sax import SAXParseException
from xml.sax.handler import (
    ContentHandler,
    LexicalHandler,
    feature_external_ges,
    feature_external_pes,
    property_lexical_handler,
)
from xml.sax.xmlreader import InputSource, Locator

from app.banks.model import BLANK_RE, BOMS, LETTERS, MAX_QUESTIONS, BankQuestion, Problem, Where, check, oversize

try:  # defusedxml, where installed, adds its own refusals (entities, external references) inside expat
    from defusedxml import DefusedXmlException as _DefusedError
    from defusedxml.sax import make_parser as _make_parser
except ImportError:  # the standard parser; _Handler.startDTD refuses every DTD on either parser
    from xml.sax import make_parser as _make_parser

    class _DefusedError(ValueError):
        """Stands in for defusedxml's error where defusedxml is not installed; never raised."""


FULL = 99.99  # a fraction this high (Moodle writes 100) is a fully right answer
PLAIN_FORMATS = frozenset({"plain_text", "moodle_auto_format", "markdown", "wiki_like"})  # read as written
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_XML_INVALID = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WILDCARD = re.compile(r"(?<!\\)\*")


def read(data: str | bytes) -> tuple[list[BankQuestion], list[Problem]]:
    """The questions of a Moodle XML file and the problems that kept others out (see the module docstring)."""
    too_large = oversize(data)
    if too_large:
        return [], [too_large]
    quiz = _Quiz()
    try:
        _parse(_xml_text(data), quiz)
    except _Stop as stop:
        quiz.problems.append(stop.problem)
    return quiz.questions, quiz.problems


def write(questions: list[BankQuestion], *, category: str = "") -> tuple[str, list[BankQuestion]]:
    """A Moodle XML file of ``questions`` under ``category``, and the questions it cannot hold."""
    quiz = ET.Element("quiz")
    if category:
        quiz.append(_category_element(category_path(category)))
    skipped = []
    for question in questions:
        writer = _WRITERS.get(question.kind)
        element = writer(question) if writer else None
        if element is None:
            skipped.append(question)
        else:
            quiz.append(element)
    ET.indent(quiz)
    return DECLARATION + ET.tostring(quiz, encoding="unicode") + "\n", skipped


# Categories (shared with GIFT's $CATEGORY)


def category_tags(path: str) -> list[str]:
    """The tags a Moodle category path gives: ``$course$/top/消保/投诉处理`` → ``["消保", "投诉处理"]``."""
    names = [name.replace("\0", "/").strip() for name in path.replace("//", "\0").split("/")]
    names = [name for name in names if name and not (name.startswith("$") and name.endswith("$"))]
    if names and names[0] == "top":
        names = names[1:]
    return merge_tags([name for name in names if not name.startswith("Default for ")])


def category_path(category: str, tags: Sequence[str] = ()) -> str:
    """The Moodle category path of ``category`` (``a/b``) with one level per tag below it; '' for neither."""
    base = category.strip().strip("/")
    if not base and not tags:
        return ""
    if not base.startswith("$"):
        base = "$course$/top" + (f"/{base}" if base else "")
    names = [" ".join(tag.replace("/", "//").split()) for tag in tags]
    return "/".join([base, *names])


def merge_tags(*groups: Sequence[str]) -> list[str]:
    """The tags of every group in order, each once."""
    return list(dict.fromkeys(tag for group in groups for tag in group if tag))


# HTML as plain text (shared with GIFT's [html])

_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
    "table", "tbody", "thead", "tfoot", "tr", "ul",
})
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template"})
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def html_to_text(html: str) -> str:
    """The text a reader sees in an HTML fragment: tags gone, entities unescaped, blocks and ``<br>`` as line breaks."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    return "\n".join(line.strip(" ") for line in text.split("\n")).strip()


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        else:
            self.handle_startendtag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self._break()
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(_HTML_SPACE.sub(" ", data))

    def _break(self) -> None:
        """A line break, unless the text is already at the start of a line (blocks do not stack up)."""
        at_line_start = next((part == "\n" for part in reversed(self.parts) if part.strip(" ")), True)
        if not at_line_start:
            self.parts.append("\n")


# Reading


class _Stop(Exception):
    """Reading ends here, with this problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


class _Invalid(Exception):
    """This question cannot be read: a reason code and its params."""

    def __init__(self, reason: str, params: tuple = ()) -> None:
        super().__init__(reason)
        self.reason, self.params = reason, params


def _xml_text(data: str | bytes) -> str:
    """The file as text: bytes decoded by their byte-order mark or XML declaration (UTF-8 by default)."""
    if isinstance(data, str):
        return data
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), None)
    declared = _DECLARED_ENCODING.match(data)
    encoding = encoding or (declared.group(1).decode("ascii") if declared else "utf-8")
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as error:
        raise _Stop(Problem(Where(), "encoding", (("encoding", encoding), ("detail", str(error))))) from None


@dataclass
class _Node:
    """An element as read: tag, attributes, the line of its start tag, children and own text."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    def child(self, tag: str) -> _Node | None:
        return next((node for node in self.children if node.tag == tag), None)

    def all(self, tag: str) -> list[_Node]:
        return [node for node in self.children if node.tag == tag]

    def value(self, *path: str) -> str:
        """The trimmed text at ``path`` below this element; '' when there is none."""
        node: _Node | None = self
        for tag in path:
            node = node.child(tag) if node else None
        return "".join(node.parts).strip() if node else ""


class _Handler(ContentHandler, LexicalHandler):
    """Builds each ``<question>`` of the ``<quiz>`` and hands it on; refuses any DTD."""

    def __init__(self, on_question: Callable[[_Node], None]) -> None:
        super().__init__()
        self._on_question = on_question
        self._stack: list[_Node] = []
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX's name)
        self._locator = locator

    def line(self) -> int:
        return self._locator.getLineNumber() if self._locator else 0

    def startDTD(self, name: str, public_id: str | None, system_id: str | None) -> None:  # noqa: N802
        raise _Stop(Problem(Where(row=self.line()), "unsafe_xml"))

    def startElement(self, name: str, attrs: dict) -> None:  # noqa: N802
        node = _Node(name, dict(attrs), self.line())
        if not self._stack and name != "quiz":
            raise _Stop(Problem(Where(row=node.line), "malformed", (("detail", f"<{name}> instead of <quiz>"),)))
        if len(self._stack) > 1:  # the quiz keeps no children: each question is handed on when it ends
            self._stack[-1].children.append(node)
        self._stack.append(node)

    def endElement(self, name: str) -> None:  # noqa: N802
        node = self._stack.pop()
        if len(self._stack) == 1 and name == "question":
            self._on_question(node)

    def characters(self, content: str) -> None:
        if len(self._stack) > 1:
            self._stack[-1].parts.append(content)


def _parse(text: str, quiz: _Quiz) -> None:
    handler = _Handler(quiz.add)
    parser = _make_parser()
    parser.forbid_dtd = True  # defusedxml's switch (a plain attribute on the standard parser)
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    parser.setContentHandler(handler)
    parser.setProperty(property_lexical_handler, handler)
    source = InputSource()
    source.setCharacterStream(io.StringIO(text))  # text: expat ignores the declared encoding
    try:
        parser.parse(source)
    except SAXParseException as error:
        raise _Stop(Problem(Where(row=error.getLineNumber()), "malformed", (("detail", error.getMessage()),))) from None
    except _DefusedError:
        raise _Stop(Problem(Where(row=handler.line()), "unsafe_xml")) from None


class _Quiz:
    """What has been read: the questions, the problems, and the tags of the current category."""

    def __init__(self) -> None:
        self.questions: list[BankQuestion] = []
        self.problems: list[Problem] = []
        self.tags: list[str] = []
        self._seen = 0

    def add(self, node: _Node) -> None:
        """Read one ``<question>`` element."""
        self._seen += 1
        where = Where(row=node.line)
        if self._seen > MAX_QUESTIONS:
            raise _Stop(Problem(where, "too_large", (("limit", MAX_QUESTIONS),)))
        qtype = node.attrs.get("type", "")
        if qtype == "category":
            self.tags = category_tags(node.value("category", "text") or node.value("category"))
            return
        try:
            question = _question(node, qtype)
        except _Invalid as invalid:
            self.problems.append(Problem(where, invalid.reason, invalid.params))
            return
        question.where, question.tags = where, merge_tags(self.tags, question.tags)
        problem = check(question)
        if problem:
            self.problems.append(Problem(where, *problem))
        else:
            self.questions.append(question)


def _question(node: _Node, qtype: str) -> BankQuestion:
    reader = _READERS.get(qtype)
    if reader is None:
        raise _Invalid("unsupported_type", (("type", qtype),))
    question = reader(node)
    stem_format = _format_of(node.child("questiontext"), "html")
    question.stem = _rich(node.child("questiontext"), "html")
    question.explanation = _rich(node.child("generalfeedback"), stem_format)
    question.key = node.value("name", "text")
    question.tags = merge_tags([tag.value("text") for tags in node.all("tags") for tag in tags.all("tag")])
    question.points = _points(node.value("defaultgrade"))
    return question


def _multichoice(node: _Node) -> BankQuestion:
    answers = node.all("answer")
    stem_format = _format_of(node.child("questiontext"), "html")
    fractions = [_fraction(answer) for answer in answers]
    single = node.value("single").lower() not in ("false", "0", "") if node.child("single") else True
    right = [fraction >= FULL if single else fraction > 0 for fraction in fractions]
    return BankQuestion(
        kind="single" if single else "multiple",
        stem="",
        options=[_rich(answer, stem_format) for answer in answers],
        answer=[LETTERS[index] for index, ok in enumerate(right[: len(LETTERS)]) if ok],
    )


def _truefalse(node: _Node) -> BankQuestion:
    answer: list[str] = []
    for index, element in enumerate(node.all("answer")):
        word = element.value("text").lower()
        if word not in ("true", "false"):  # an old file's translated words: true first, then false
            word = "true" if index == 0 else "false"
        if _fraction(element) >= FULL:
            answer = [word]
    return BankQuestion(kind="truefalse", stem="", answer=answer)


def _shortanswer(node: _Node) -> BankQuestion:
    accepted = [element.value("text") for element in node.all("answer") if _fraction(element) >= FULL]
    literal = [literal_answer(text) for text in accepted]
    if None in literal:
        raise _Invalid("wildcard_answer", (("answer", accepted[literal.index(None)]),))
    return BankQuestion(kind="fill", stem="", answer=[[text for text in literal if text]])


_READERS: dict[str, Callable[[_Node], BankQuestion]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
}


def literal_answer(text: str) -> str | None:
    """A Moodle short answer as the literal text it accepts (``\\*`` is a star); None for a ``*`` wildcard."""
    return None if _WILDCARD.search(text) else text.replace("\\*", "*")


def _format_of(element: _Node | None, default: str) -> str:
    return element.attrs.get("format", default) if element else default


def _rich(element: _Node | None, default_format: str) -> str:
    """The plain text of a text element (``<questiontext>``, ``<answer>``…) in its ``format``."""
    if element is None:
        return ""
    text = element.value("text")
    return text if _format_of(element, default_format) in PLAIN_FORMATS else html_to_text(text)


def _fraction(answer: _Node) -> float:
    raw = answer.attrs.get("fraction", "0")
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _Invalid("malformed", (("detail", f'fraction="{raw}"'),))
    return value


def _points(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# Writing


def _category_element(path: str) -> ET.Element:
    element = ET.Element("question", type="category")
    _add_text(element, "category", path, text_format=None)
    return element


def _add_text(parent: ET.Element, tag: str, text: str, text_format: str | None = "plain_text") -> ET.Element:
    """``<tag format="…"><text>text</text></tag>`` below ``parent``."""
    element = ET.SubElement(parent, tag, {"format": text_format} if text_format else {})
    ET.SubElement(element, "text").text = xml_safe(text)
    return element


def _add_value(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def xml_safe(text: str) -> str:
    """``text`` with line feeds for line ends and without the characters XML 1.0 cannot hold."""
    return _XML_INVALID.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _question_element(question: BankQuestion, qtype: str) -> ET.Element:
    element = ET.Element("question", type=qtype)
    _add_text(element, "name", question.key or _name_from(question.stem), text_format=None)
    _add_text(element, "questiontext", question.stem)
    _add_text(element, "generalfeedback", question.explanation)
    if question.points is not None:
        _add_value(element, "defaultgrade", fraction_text(question.points))
    return element


def _name_from(stem: str) -> str:
    """A name for a question that has no key: the start of its stem's first line."""
    first_line = " ".join(stem.strip().split("\n")[0].split())
    return first_line[:50] or "question"


def _add_tags(element: ET.Element, tags: Sequence[str]) -> ET.Element:
    if tags:
        holder = ET.SubElement(element, "tags")
        for tag in tags:
            _add_text(holder, "tag", tag, text_format=None)
    return element


def _write_choice(question: BankQuestion) -> ET.Element:
    element = _question_element(question, "multichoice")
    _add_value(element, "single", "true" if question.kind == "single" else "false")
    _add_value(element, "shuffleanswers", "true")
    _add_value(element, "answernumbering", "ABCD")
    right = {LETTERS.index(a) for a in question.answer if a in LETTERS}
    for index, option in enumerate(question.options):
        _add_text(element, "answer", option).set("fraction", _choice_fraction(question.kind, index in right, len(right)))
    return _add_tags(element, question.tags)


def _choice_fraction(kind: str, is_right: bool, right_count: int) -> str:
    """Single: 100 or 0. Multiple: the right answers share 100, a wrong answer takes all (-100)."""
    if kind == "single":
        return "100" if is_right else "0"
    return fraction_text(100 / max(1, right_count)) if is_right else "-100"


def fraction_text(value: float) -> str:
    """A number as Moodle writes grades: up to five decimals, no trailing zeros (33.33333, 50)."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _write_truefalse(question: BankQuestion) -> ET.Element:
    element = _question_element(question, "truefalse")
    for word in ("true", "false"):
        _add_text(element, "answer", word, text_format=None).set("fraction", "100" if question.answer == [word] else "0")
    return _add_tags(element, question.tags)


def _write_fill(question: BankQuestion) -> ET.Element | None:
    if len(BLANK_RE.findall(question.stem)) > 1 or len(question.answer) != 1:
        return None  # Moodle's shortanswer has one answer box
    element = _question_element(question, "shortanswer")
    _add_value(element, "usecase", "0")
    for accepted in question.answer[0]:
        _add_text(element, "answer", str(accepted).replace("*", "\\*"), text_format=None).set("fraction", "100")
    return _add_tags(element, question.tags)


_WRITERS: dict[str, Callable[[BankQuestion], ET.Element | None]] = {
    "single": _write_choice,
    "multiple": _write_choice,
    "truefalse": _write_truefalse,
    "fill": _write_fill,
}
