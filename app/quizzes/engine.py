"""Question grading and exam drawing. Pure Python: no Flask, no database.

Scoring rule (documented for authors in quizzes/README.md):
- single / truefalse: the right answer scores 1, anything else 0;
- multiple: exactly the right set scores 1; a non-empty subset of the right options with no wrong
  option scores the share found; any wrong option, or nothing chosen, scores 0;
- fill: each blank is right when what was typed matches one of its accepted answers once both are
  normalised (full-/half-width, letter case, spaces, Traditional or Simplified characters); the
  question scores the share of its blanks that are right.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from app.core.multilingual import to_simplified
from app.core.text import normalised


@dataclass(frozen=True)
class QuestionKind:
    """How one kind of question reads a response and grades it."""

    name: str
    multiple_responses: bool
    grade: Callable[[frozenset[str], frozenset[str]], Fraction]


def _grade_exact(key: frozenset[str], response: frozenset[str]) -> Fraction:
    return Fraction(1) if response == key else Fraction(0)


def _grade_partial(key: frozenset[str], response: frozenset[str]) -> Fraction:
    if not response or not response <= key:
        return Fraction(0)
    return Fraction(len(response), len(key))


KINDS: dict[str, QuestionKind] = {
    "single": QuestionKind("single", False, _grade_exact),
    "truefalse": QuestionKind("truefalse", False, _grade_exact),
    "multiple": QuestionKind("multiple", True, _grade_partial),
}
TRUEFALSE_VALUES = ("true", "false")
FILL = "fill"
MAX_BLANKS = 10
MAX_TYPED = 200  # characters kept of what is typed into one blank


def clean_response(kind: str, raw: Sequence[str], allowed: Iterable[str]) -> list[str]:
    """The response as stored: for a choice, only legal values, sorted (a single-answer kind keeps at
    most one); for a fill question, what was typed into each blank, in order, trimmed and bounded."""
    if kind == FILL:
        return [" ".join(str(value).split())[:MAX_TYPED] for value in list(raw)[:MAX_BLANKS]]
    allowed = set(TRUEFALSE_VALUES if kind == "truefalse" else allowed)
    values = [v for v in raw if v in allowed]
    if not KINDS[kind].multiple_responses:
        values = values[:1] if len(set(values)) == 1 else []
    return sorted(set(values))


def grade(kind: str, key: Sequence, response: Sequence[str]) -> Fraction:
    """Points (0 to 1) for one response."""
    if kind == FILL:
        return grade_blanks(key, response)
    return KINDS[kind].grade(frozenset(key), frozenset(response))


def typed_form(text: str) -> str:
    """A typed answer as compared: normalised (width, case, spaces) and in Simplified characters."""
    return to_simplified(normalised(text))


def grade_blanks(accepted: Sequence[Sequence[str]], typed: Sequence[str]) -> Fraction:
    """The share of blanks whose typed text matches one of that blank's accepted answers."""
    if not accepted:
        return Fraction(0)
    right = sum(
        1 for index, answers in enumerate(accepted)
        if index < len(typed) and typed_form(typed[index]) and typed_form(typed[index]) in {typed_form(a) for a in answers}
    )
    return Fraction(right, len(accepted))


@dataclass(frozen=True)
class Result:
    points: Fraction
    max_points: int
    percent: float
    passed: bool


def total(points: Sequence[Fraction], pass_mark: int) -> Result:
    """Sum question points into a percentage and a pass/fail against ``pass_mark`` percent."""
    score = sum(points, Fraction(0))
    max_points = len(points)
    percent = float(score * 100 / max_points) if max_points else 0.0
    return Result(score, max_points, round(percent, 2), score * 100 >= pass_mark * max_points)


@dataclass(frozen=True)
class DrawnQuestion:
    question_id: int
    option_order: tuple[str, ...]


def draw(
    questions: Sequence[tuple[int, Sequence[str]]], count: int, *, shuffle_options: bool,
    rng: random.Random,
) -> list[DrawnQuestion]:
    """Pick ``count`` questions at random, each with its options in a random order."""
    chosen = rng.sample(list(questions), min(count, len(questions)))
    drawn = []
    for question_id, option_keys in chosen:
        order = list(option_keys)
        if shuffle_options:
            rng.shuffle(order)
        drawn.append(DrawnQuestion(question_id, tuple(order)))
    return drawn
