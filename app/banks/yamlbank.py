"""A question bank as the repository keeps it (quizzes/<slug>.yaml), written from the neutral records.

Two directions: :func:`from_spec` turns a checked bank file (``content.questions.QuizSpec``) into
:class:`BankQuestion` records (to export it, or to compare an import with it); :func:`write` turns
the bank's settings and its questions back into YAML in the format authors write by hand, keeping
what only the file knows (rule, basis, Traditional Chinese overrides, module) for questions that
came from it. Pure Python: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from app.banks.model import LETTERS, BankQuestion
from app.content.questions import QuestionSpec, QuizSpec

TRUE_FALSE_WORDS = {"true": "对", "false": "错"}


@dataclass
class Settings:
    """The bank-level keys of the file."""

    title: dict
    draw: int
    pass_mark: int = 80
    max_attempts: int = 0
    time_limit: int | None = None
    shuffle_options: bool = True
    review: str = "after_last_attempt"
    imported_from: str = ""

    @classmethod
    def of(cls, spec: QuizSpec) -> Settings:
        return cls(spec.title, spec.draw, spec.pass_mark, spec.max_attempts, spec.time_limit, spec.shuffle_options,
                   spec.review, spec.imported_from)


@dataclass
class Entry:
    """One question as it will be written: the neutral record, its id, and what only the file knew."""

    key: str
    question: BankQuestion
    kept: dict = field(default_factory=dict)  # rule, basis, *_zh_hant, module of a question from the file


def from_spec(spec: QuizSpec) -> list[Entry]:
    """The questions of a checked bank file as entries (their own ids, rules and overrides kept)."""
    return [Entry(q.key, to_question(q), _kept(q)) for q in spec.questions]


def to_question(q: QuestionSpec) -> BankQuestion:
    return BankQuestion(
        kind=q.kind, stem=q.stem.get("zh_Hans", ""), options=[texts.get("zh_Hans", "") for _key, texts in q.options],
        answer=[list(accepted) for accepted in q.answer] if q.kind == "fill" else list(q.answer),
        explanation=q.explanation.get("zh_Hans", ""), tags=list(q.tags), key=q.key,
    )


def _kept(q: QuestionSpec) -> dict:
    kept = {}
    if q.rule:
        kept["rule"] = q.rule
    if q.basis:
        kept["basis"] = list(q.basis)
    for name, texts in (("stem_zh_hant", q.stem), ("explanation_zh_hant", q.explanation)):
        if "zh_Hant" in texts:
            kept[name] = texts["zh_Hant"]
    hant = {key: texts["zh_Hant"] for key, texts in q.options if "zh_Hant" in texts}
    if hant:
        kept["options_zh_hant"] = hant
    if q.module:
        kept["module"] = q.module
    return kept


# --- writing ---------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """Block style, multi-line text as literal blocks, no anchors."""

    def ignore_aliases(self, data) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def write(settings: Settings, entries: list[Entry]) -> tuple[str, dict[str, int]]:
    """The bank file's text, and the line each question's item starts on (by id)."""
    text = _dump(_head(settings)) + "questions:\n"
    lines: dict[str, int] = {}
    for entry in entries:
        lines[entry.key] = text.count("\n") + 1
        text += _dump([item_of(entry)])
    return text, lines


def _head(settings: Settings) -> dict:
    """The bank-level keys, as authors write them (defaults left out)."""
    head = {"title": settings.title.get("zh_Hans", "")}
    for locale, key in (("en", "title_en"), ("zh_Hant", "title_zh_hant")):
        if settings.title.get(locale):
            head[key] = settings.title[locale]
    head.update({"draw": settings.draw, "pass_mark": settings.pass_mark, "max_attempts": settings.max_attempts})
    if settings.time_limit:
        head["time_limit"] = settings.time_limit
    if not settings.shuffle_options:
        head["shuffle_options"] = False
    if settings.review != "after_last_attempt":
        head["review"] = settings.review
    if settings.imported_from:
        head["imported_from"] = settings.imported_from
    return head


def _dump(value) -> str:
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096,
                     default_flow_style=False)


def item_of(entry: Entry) -> dict:
    """The question as the bank file writes it (the keys in the order authors use)."""
    q = entry.question
    item: dict = {"id": entry.key, "type": q.kind, "stem": q.stem}
    if q.kind in ("single", "multiple"):
        item["options"] = {LETTERS[i]: text for i, text in enumerate(q.options)}
    item["answer"] = _written_answer(q)
    if q.explanation:
        item["explanation"] = q.explanation
    if q.tags:
        item["tags"] = list(q.tags)
    item.update(entry.kept)
    return item


def _written_answer(q: BankQuestion):
    if q.kind == "truefalse":
        return TRUE_FALSE_WORDS[q.answer[0]]
    if q.kind == "single":
        return q.answer[0]
    if q.kind == "fill":
        return [accepted[0] if len(accepted) == 1 else list(accepted) for accepted in q.answer]
    return list(q.answer)
