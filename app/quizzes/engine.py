"""Question grading and exam drawing. Pure Python: no Flask, no database.

Scoring rule (documented for authors in quizzes/README.md):
- single / truefalse: the right answer scores 1, anything else 0;
- multiple: exactly the right set scores 1; a non-empty subset of the right options with no wrong
  option scores the share found; any wrong option, or nothing chosen, scores 0.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction


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


def clean_response(kind: str, raw: Iterable[str], allowed: Iterable[str]) -> frozenset[str]:
    """Keep only values that are legal for the question; a single-answer kind keeps at most one."""
    allowed = set(TRUEFALSE_VALUES if kind == "truefalse" else allowed)
    values = [v for v in raw if v in allowed]
    if not KINDS[kind].multiple_responses:
        values = values[:1] if len(set(values)) == 1 else []
    return frozenset(values)


def grade(kind: str, key: Iterable[str], response: Iterable[str]) -> Fraction:
    """Points (0 to 1) for one response."""
    return KINDS[kind].grade(frozenset(key), frozenset(response))


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
