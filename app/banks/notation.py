"""How Chinese question banks write question types, options and answers, read into the neutral record
of :mod:`app.banks.model` and written back. Pure functions: no Flask, no database.

A value that cannot be read raises :class:`NotationError`; its ``code`` is one of the reason codes of
:mod:`app.banks.sheet` (``missing_answer``, ``answer_not_in_options``, ``not_true_or_false``,
``unknown_type``) and its ``params`` name the offending value.

Accepted notations
==================

Question types (题型), compared without spaces, brackets and their content, case or full width:

- single choice: 单选, 单选题, 单项选择, 单项选择题, 单择, 单择题, 单项, single, single choice;
- multiple choice: 多选, 多选题, 多项选择, 多项选择题, 不定项, 不定项选择, 不定项选择题, multiple,
  multiple choice, multichoice;
- true/false: 判断, 判断题, 是非, 是非题, 对错题, truefalse, true/false, judge;
- fill in the blank: 填空, 填空题, fill, fill in the blank, blank;
- essay (问答, 问答题, 简答, 简答题, 论述, 论述题, 主观题, essay): recognised but not imported;
- a number (0, 1, 2, 3…) only when the workbook carries a legend that maps numbers to the words above,
  such as a sheet or a note reading ``0=单选 1=多选 2=判断 3=填空``, ``单选题=1 多选题=2`` or a
  two-column table ``0 | 单选题``; the legend is looked for in the sheets without a header and in the
  notes above each header. Without a legend a number is an unknown type.

A sheet named after a type (单选题, 第一部分 多选题, 判断题…) gives the type of the rows whose type cell
is empty or absent. When neither says, the answer decides: options and one letter → single choice,
options and several letters → multiple choice; no options and a blank mark in the stem → fill in the
blank; no options and a true/false word (not A/B/1/0, which could be anything there) → true/false.

Choice answers (单选题, 多选题): letters, in any case and full or half width, alone or separated by
commas, 、, semicolons, slashes, dots or spaces — ``ABD``, ``A,B``, ``A、B``, ``A;B``, ``A；B``,
``A B``, ``A，B``, ``ＡＢ``, ``abd``. Instead of a letter, an option's text may be written, compared
after normalisation (full width, case and spaces ignored); several texts are separated by ``,``
``，`` ``、`` ``;`` ``；`` ``|`` ``｜`` or new lines. Letters are tried first: an answer made only of
letters A–H that name existing options is read as letters.

True/false answers (判断题): true is 对, 正确, 是, √, ✓, ✔, T, True, Y, Yes, A, 1 (also 對, 正確);
false is 错, 错误, 否, ×, ✗, ✘, ✕, F, False, N, No, B, 0 (also 錯, 錯誤, 不正确, 不对). A true/false
question whose options are 对/错 in some order may give the letter of the right one.

Fill-in-the-blank answers (填空题): one group per blank, in the order of the blanks, separated by
``|`` ``｜`` ``;`` ``；`` or a new line; the answers accepted for one blank are separated by ``#``
(or ``＃``). Example: ``50#五十|存款保险`` is two blanks, the first accepting 50 or 五十. ``/``, ``、``,
``或`` and commas are part of an answer (``1/2``, ``姓名、证件号``), never separators. Empty groups
are dropped (a trailing ``|`` does no harm; a missing group shows as a count that does not match
the blanks). In the stem, ``（ ）``, ``(  )``, ``（　）``, ``【 】``,
``[ ]``, ``（____）`` and any run of two or more underscores are blank marks and become ``____``; a
stem without a blank mark asks for one short answer.

Options packed in one cell: each option starts with its capital letter (half or full width), the
letters in order from A, each letter followed by ``.`` ``．`` ``、`` ``:`` ``：`` ``-`` ``－`` or ``)``
(or enclosed, ``(A)`` ``（A）``), and every letter after A standing at the start of a line or after a
space, ``|``, ``｜``, ``;``, ``；``, ``$``, a comma, ``。`` ``！`` ``？``, a closing bracket or a
Chinese character: ``A.xx B.xx``, ``A、xx|B、xx``, ``A-xx$;$B-xx``, ``A．xx⏎B．xx``, ``A:xx B:xx``,
``(A)xx (B)xx``. A letter inside an option's text (``ETF基金``, ``A股``, ``C类份额``) is no split
point: only the next letter in sequence, standing where described and followed by a separator,
starts an option. A cell without letters holds one option per line, or options separated by ``$;$``
or ``|``/``｜``. Letters past H are found only to report too many options.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from app.banks.model import BLANK, LETTERS, BankQuestion, normalise
from app.core.exceptions import CodedError
from app.core.sheets import header_key

ESSAY = "essay"
OPTION_SCAN_LETTERS = "ABCDEFGHIJKL"  # options past H are found only to be reported as too many

KIND_WORDS: dict[str, tuple[str, ...]] = {
    "single": ("单选", "单选题", "单项选择", "单项选择题", "单择", "单择题", "单项", "single", "single choice"),
    "multiple": ("多选", "多选题", "多项选择", "多项选择题", "不定项", "不定项选择", "不定项选择题", "multiple",
                 "multiple choice", "multichoice"),
    "truefalse": ("判断", "判断题", "是非", "是非题", "对错题", "truefalse", "true/false", "judge"),
    "fill": ("填空", "填空题", "fill", "fill in the blank", "blank"),
    ESSAY: ("问答", "问答题", "简答", "简答题", "论述", "论述题", "主观题", "essay"),
}
WRITTEN_KIND = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题", "fill": "填空题"}
TRUE_WORDS = ("对", "正确", "是", "√", "✓", "✔", "t", "true", "y", "yes", "a", "1", "對", "正確")
FALSE_WORDS = ("错", "错误", "否", "×", "✗", "✘", "✕", "f", "false", "n", "no", "b", "0", "錯", "錯誤", "不正确",
               "不对")
UNCLEAR_TRUEFALSE = ("a", "b", "1", "0")  # true/false only where the type says so

_KIND_BY_KEY = {header_key(word): kind for kind, words in KIND_WORDS.items() for word in words}
_NAME_WORDS = sorted((w for w in _KIND_BY_KEY if not w.isascii()), key=len, reverse=True)
_TRUEFALSE = {**{normalise(w): "true" for w in TRUE_WORDS}, **{normalise(w): "false" for w in FALSE_WORDS}}
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/.．|｜]+")
_TEXT_SEPARATORS = re.compile(r"[,，、;；|｜\n]")
_BLANK_GROUPS = re.compile(r"[|｜;；\n]")
_ALTERNATIVES = re.compile(r"[#＃]")
_BLANK_MARK = re.compile(r"[（(【\[][\s_＿]*[）)】\]]|[_＿]{2,}")
_KIND_ALTERNATION = "|".join(re.escape(w) for w in _NAME_WORDS)
_LEGEND = re.compile(r"(?<!\d)(\d{1,2})\s*[=:：、.．\-－—→)）]?\s*(" + _KIND_ALTERNATION + ")")
_LEGEND_REVERSED = re.compile("(" + _KIND_ALTERNATION + r")\s*[=:：\-－—→(（]?\s*(\d{1,2})(?!\d)")


class NotationError(CodedError):
    """A value written in no accepted notation; ``code`` is the reason, ``params`` hold the value."""


# --- question types --------------------------------------------------------------------------


def kind_of(word: str, legend: dict[str, str] | None = None) -> str:
    """The kind a type cell names (one of ``model.KINDS`` or ``ESSAY``); numbers through ``legend``."""
    key = header_key(word)
    kind = (legend or {}).get(key) if key.isdigit() else _KIND_BY_KEY.get(key)
    if kind is None:
        raise NotationError("unknown_type", type=str(word).strip())
    return kind


def kind_in_name(name: str) -> str | None:
    """The kind a sheet (or file) name announces ('单选题', '第二部分 判断题（50道）'); None for none or several."""
    key = header_key(name)
    if key in _KIND_BY_KEY:
        return _KIND_BY_KEY[key]
    kinds = {_KIND_BY_KEY[word] for word in _NAME_WORDS if word in key}
    return kinds.pop() if len(kinds) == 1 else None


def legend_of(texts: Iterable[str]) -> dict[str, str]:
    """Number → kind from a legend's text ('0=单选 1=多选', '0 单选题' rows); {} unless two or more kinds."""
    text = "\n".join(texts)
    for pattern, number_first in ((_LEGEND, True), (_LEGEND_REVERSED, False)):
        pairs = [(m[0], m[1]) if number_first else (m[1], m[0]) for m in pattern.findall(text)]
        legend = {}
        for number, word in pairs:
            legend.setdefault(str(int(number)), _KIND_BY_KEY[header_key(word)])
        if len(set(legend.values())) >= 2:
            return legend
    return {}


def guess_kind(answer: str, options: list[str], stem: str) -> str | None:
    """The kind of a row that does not say, from its options and answer (see the module docstring);
    raises :class:`NotationError` for a choice answer that names no option."""
    if options:
        return "single" if len(choice_answer(answer, options)) == 1 else "multiple"
    if _BLANK_MARK.search(stem):
        return "fill"
    word = normalise(answer)
    if word in _TRUEFALSE and word not in UNCLEAR_TRUEFALSE:
        return "truefalse"
    return None


# --- answers ---------------------------------------------------------------------------------


def choice_answer(raw: str, options: list[str]) -> list[str]:
    """The letters a choice answer names, in option order: from letters or from option texts."""
    text = str(raw or "").strip()
    if not text:
        raise NotationError("missing_answer")
    named = _text_answer(text, options)
    if named is not None:
        return named
    compact = _LETTER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if compact and all(char in LETTERS for char in compact):
        outside = next(char for char in compact if LETTERS.index(char) >= len(options))
        raise NotationError("answer_not_in_options", answer=outside)
    raise NotationError("answer_not_in_options", answer=_first_unknown(text, options))


def _text_answer(text: str, options: list[str]) -> list[str] | None:
    """Letters for an answer of letters or of option texts; None when some part names no option."""
    compact = _LETTER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if compact and all(char in LETTERS[:len(options)] for char in compact):
        return _in_order(LETTERS.index(char) for char in compact)
    texts = [normalise(option) for option in options]
    if normalise(text) in texts:
        return _in_order([texts.index(normalise(text))])
    indexes = [_option_index(part, texts) for part in _TEXT_SEPARATORS.split(text) if part.strip()]
    if not indexes or None in indexes:
        return None
    return _in_order(indexes)


def _option_index(part: str, texts: list[str]) -> int | None:
    """The index of the option one part of an answer names, by its letter or its text."""
    key = normalise(part)
    letter = key.upper()
    if len(letter) == 1 and letter in LETTERS[:len(texts)]:
        return LETTERS.index(letter)
    return texts.index(key) if key in texts else None


def _first_unknown(text: str, options: list[str]) -> str:
    """The first part of an answer that names no option, as written."""
    texts = [normalise(option) for option in options]
    parts = [part.strip() for part in _TEXT_SEPARATORS.split(text) if part.strip()]
    return next((part for part in parts if _option_index(part, texts) is None), text)


def _in_order(indexes: Iterable[int]) -> list[str]:
    """Option indexes as letters, each once, in option order."""
    return [LETTERS[index] for index in sorted(set(indexes))]


def truefalse_answer(raw: str, options: list[str] | None = None) -> list[str]:
    """``["true"]`` or ``["false"]`` from any accepted true/false word, or from the letter of an
    option that is one (options 错/对 and answer B mean true)."""
    word = normalise(raw)
    if not word:
        raise NotationError("missing_answer")
    if options and all(normalise(o) in _TRUEFALSE for o in options):
        named = _text_answer(str(raw), options)
        if named is not None and len(named) == 1:
            return [_TRUEFALSE[normalise(options[LETTERS.index(named[0])])]]
    if word not in _TRUEFALSE:
        raise NotationError("not_true_or_false", answer=str(raw).strip())
    return [_TRUEFALSE[word]]


def fill_answer(raw: str) -> list[list[str]]:
    """One list of accepted answers per blank: '50#五十|存款保险' → [['50', '五十'], ['存款保险']]."""
    groups = []
    for group in _BLANK_GROUPS.split(str(raw or "")):
        alternatives = [a.strip() for a in _ALTERNATIVES.split(group) if a.strip()]
        if alternatives:
            groups.append(alternatives)
    if not groups:
        raise NotationError("missing_answer")
    return groups


def fill_stem(stem: str) -> str:
    """The stem with every blank mark people type turned into ``model.BLANK``."""
    return _BLANK_MARK.sub(BLANK, stem)


def fill_separator(text: str) -> str | None:
    """The first character of a fill answer that the notation would read as a separator."""
    found = _BLANK_GROUPS.search(text) or _ALTERNATIVES.search(text)
    return found.group() if found else None


# --- options in one cell ---------------------------------------------------------------------

_MARK_BEFORE = r"(?:^|(?<=[\s|｜;；$,，。！？)）\u3400-\u9fff]))"
_TRAILING = re.compile(r"(?:\s|[|｜;；,，]|\$;\$|\$)+$")


def _marker(letter: str) -> re.Pattern:
    """A letter that starts an option: 'B.', 'B、', 'B：', '(B)', '（B）'…"""
    wide = chr(ord(letter) - ord("A") + ord("Ａ"))
    return re.compile(_MARK_BEFORE + rf"(?:[(（][{letter}{wide}][)）]|[{letter}{wide}]\s*[.．、:：\-－)）])\s*")


_MARKERS = [_marker(letter) for letter in OPTION_SCAN_LETTERS]


def split_options(cell: str) -> list[str]:
    """The options packed in one cell, in order (see the module docstring for the shapes read)."""
    text = str(cell or "").strip()
    first = _MARKERS[0].match(text)
    if first is None:
        return _unlettered(text)
    starts, position = [first], first.end()
    for marker in _MARKERS[1:]:
        found = marker.search(text, position)
        if found is None:
            break
        starts.append(found)
        position = found.end()
    ends = [m.start() for m in starts[1:]] + [len(text)]
    return [_TRAILING.sub("", text[m.end():end]).strip() for m, end in zip(starts, ends, strict=True)]


def _unlettered(text: str) -> list[str]:
    """Options without letters: one per line, or separated by '|' or '$;$'."""
    for separator in ("\n", "$;$", "|", "｜"):
        if separator in text:
            return [part.strip() for part in text.split(separator) if part.strip()]
    return [text] if text else []


# --- writing ---------------------------------------------------------------------------------


def written_answer(question: BankQuestion) -> str:
    """The answer as the sheet writes it: 'ABD', 对/错, or '50#五十|存款保险'."""
    if question.kind in ("single", "multiple"):
        return "".join(question.answer)
    if question.kind == "truefalse":
        return "对" if question.answer == ["true"] else "错"
    return "|".join("#".join(group) for group in question.answer)
