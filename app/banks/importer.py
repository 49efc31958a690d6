"""Importing a question bank file: read it in its format, compare it with the bank it goes into, and
say what would be new, changed or unchanged. Pure Python: no Flask, no database.

A question of the file is the same question as one of the bank when it carries the bank question's
id (编号, Moodle's name, the YAML id), or else has the same kind and the same stem once both are
normalised (full/half width, case, spaces). Same question, same content: unchanged (never imported
twice). Same question, other options, answer, explanation or tags: changed (it keeps its id, and the
rule and basis the bank file gave it). Anything else is new and gets the file's id when that is free
and well formed, or the next free q001, q002…
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from app.banks import aiken, gift, moodle, sheet
from app.banks.model import BankQuestion, Problem, normalise
from app.banks.yamlbank import Entry
from app.core.exceptions import CodedError
from app.core.uploads import ZipLimits

FORMATS = ("xlsx", "csv", "moodle", "gift", "aiken")
BY_EXTENSION = {".xlsx": "xlsx", ".xls": "xlsx", ".et": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".tsv": "csv",
                ".xml": "moodle", ".gift": "gift", ".txt": "aiken"}
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_UPLOAD_MB = 20


class ImportRefused(CodedError):
    """The file cannot be imported at all: ``unknown_format`` (with ``name``), ``too_large``."""


@dataclass
class Parsed:
    questions: list[BankQuestion]
    problems: list[Problem]
    format: str


def format_of(filename: str, wanted: str | None = None) -> str:
    """The format named by ``wanted`` (``--format``), or by the file's extension."""
    found = wanted or BY_EXTENSION.get(PurePath(filename).suffix.lower())
    if found not in FORMATS:
        raise ImportRefused("unknown_format", name=wanted or PurePath(filename).suffix or filename)
    return found


def read(filename: str, content: bytes, wanted: str | None = None, limits=None) -> Parsed:
    """Read the file in its format. Spreadsheet files that are no table raise ``core.sheets.SheetError``."""
    fmt = format_of(filename, wanted)
    if len(content) > MAX_UPLOAD_MB * 1024 * 1024:
        raise ImportRefused("too_large", limit=MAX_UPLOAD_MB)
    if fmt in ("xlsx", "csv"):
        name = filename if PurePath(filename).suffix else f"{filename}.{fmt}"
        questions, problems = sheet.read_bank(name, content, limits or ZipLimits())
    else:
        questions, problems = {"moodle": moodle, "gift": gift, "aiken": aiken}[fmt].read(content)
    return Parsed(questions, problems, fmt)


@dataclass
class Plan:
    """What importing a file into a bank would do; ``entries`` is the bank as it would then be."""

    entries: list[Entry]
    new: list[Entry] = field(default_factory=list)
    changed: list[tuple[Entry, Entry]] = field(default_factory=list)  # (as it is, as it would be)
    unchanged: list[tuple[Entry, BankQuestion]] = field(default_factory=list)  # (the bank's, the file's)
    problems: list[Problem] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.new) + len(self.changed)


def plan(parsed: Parsed, existing: list[Entry], *, authored: bool) -> Plan:
    """Compare the file's questions with the bank's ``existing`` entries (empty for a new bank).

    ``authored``: the bank is written by the team (every question names its rule and basis), so a
    new question from a file, which has neither, is reported rather than added.
    """
    result = Plan(entries=list(existing), problems=list(parsed.problems))
    matcher = _Matcher(existing)
    for question in parsed.questions:
        _place(result, matcher, question, authored=authored)
    return result


def _place(result: Plan, matcher: _Matcher, question: BankQuestion, *, authored: bool) -> None:
    """One question of the file: a duplicate, the same as one of the bank, refused, or new."""
    found = matcher.match(question)
    if found is matcher.DUPLICATE:
        result.problems.append(Problem(question.where, "duplicate_in_file"))
    elif found is not None:
        _compare(result, found, question)
    elif authored:
        result.problems.append(Problem(question.where, "needs_source"))
    else:
        entry = Entry(matcher.new_key(question.key), question)
        result.entries.append(entry)
        result.new.append(entry)


def _compare(result: Plan, entry: Entry, question: BankQuestion) -> None:
    merged = _merged(entry.question, question)
    if _content(merged) == _content(entry.question):
        result.unchanged.append((entry, question))
        return
    updated = Entry(entry.key, merged, entry.kept)
    result.entries[result.entries.index(entry)] = updated
    result.changed.append((entry, updated))


def _merged(old: BankQuestion, new: BankQuestion) -> BankQuestion:
    """The file's version of a question; what the file does not give (explanation, tags) stays as it was."""
    return BankQuestion(kind=new.kind, stem=new.stem, options=list(new.options), answer=list(new.answer),
                        explanation=new.explanation or old.explanation, tags=list(new.tags or old.tags),
                        key=old.key, where=new.where)


def _content(question: BankQuestion) -> tuple:
    answer = [sorted(normalise(a) for a in accepted) for accepted in question.answer] if question.kind == "fill" \
        else sorted(question.answer)
    return (*question.identity(), repr(answer), normalise(question.explanation), tuple(question.tags))


class _Matcher:
    """Finds the bank's entry a file question is, and hands out ids for new ones."""

    DUPLICATE = object()

    def __init__(self, existing: list[Entry]) -> None:
        self.by_key = {entry.key: entry for entry in existing}
        self.by_stem = {self._stem(entry.question): entry for entry in existing}
        self.seen: set = set()
        self.taken = set(self.by_key)
        self.counter = 0

    @staticmethod
    def _stem(question: BankQuestion) -> tuple:
        return question.kind, normalise(question.stem)

    def match(self, question: BankQuestion):
        identity = question.identity()
        if identity in self.seen:
            return self.DUPLICATE
        self.seen.add(identity)
        return self.by_key.get(question.key) or self.by_stem.get(self._stem(question))

    def new_key(self, wanted: str) -> str:
        if wanted and KEY_RE.match(wanted) and wanted not in self.taken:
            self.taken.add(wanted)
            return wanted
        while True:
            self.counter += 1
            key = f"q{self.counter:03d}"
            if key not in self.taken:
                self.taken.add(key)
                return key


def drop_rows(result: Plan, keys: set[str]) -> None:
    """Leave out of the plan the new or changed questions the checker refused (reported separately)."""
    refused = [entry for entry in result.new if entry.key in keys]
    for entry in refused:
        result.entries.remove(entry)
        result.new.remove(entry)
    for before, after in [pair for pair in result.changed if pair[1].key in keys]:
        result.entries[result.entries.index(after)] = before
        result.changed.remove((before, after))

