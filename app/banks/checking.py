"""The bank an import would give, written as its YAML file and put through the same checker as
`flask content check`; what the checker refuses is reported at the row it came from and left out."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.banks.importer import Plan, drop_rows
from app.banks.model import Problem, Where
from app.banks.yamlbank import Settings, write
from app.content.questions import QuizSpec, load_quiz
from app.content.reader import Issues

MAX_ROUNDS = 3


@dataclass
class Checked:
    text: str  # the bank file
    spec: QuizSpec | None  # None when the bank as a whole is refused (see problems)
    problems: list[Problem]


def check(slug: str, settings: Settings, result: Plan) -> Checked:
    """Write and check the planned bank; questions the checker refuses are dropped from ``result``."""
    problems: list[Problem] = []
    for _round in range(MAX_ROUNDS):
        text, lines = write(settings, result.entries)
        spec, issues = _load(slug, text)
        refused, whole = _attribute(issues, lines, result)
        if not refused:
            return Checked(text, spec if not whole else None, problems + whole)
        problems += refused.values()
        drop_rows(result, set(refused))
    return Checked(text, None, problems + [Problem(Where(), "checker", (("message", "the bank could not be checked"),))])


def _load(slug: str, text: str) -> tuple[QuizSpec | None, list]:
    public = slug.startswith("public/")
    name = slug.removeprefix("public/")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        issues = Issues()
        spec = load_quiz(path, issues, public=public)
    return spec, list(issues)


def _attribute(issues: list, lines: dict[str, int], result: Plan) -> tuple[dict[str, Problem], list[Problem]]:
    """Each issue at the question whose item holds its line (by id), or at the bank as a whole."""
    starts = sorted((line, key) for key, line in lines.items())
    where_of = {entry.key: entry.question.where for entry in result.entries}
    touched = {entry.key for entry in result.new} | {after.key for _before, after in result.changed}
    refused: dict[str, Problem] = {}
    whole: list[Problem] = []
    for issue in issues:
        key = next((k for line, k in reversed(starts) if line <= issue.line), None)
        problem_at = where_of.get(key, Where()) if key in touched else Where()
        problem = Problem(problem_at, "checker", (("message", issue.message),))
        if key in touched:
            refused.setdefault(key, problem)
        else:
            whole.append(problem)
    return refused, whole
