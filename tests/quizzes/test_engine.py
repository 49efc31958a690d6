"""The grading engine: every question kind, partial credit, totals and drawing."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.quizzes import engine


@pytest.mark.parametrize(
    ("kind", "key", "response", "points"),
    [
        ("single", ["B"], ["B"], 1),
        ("single", ["B"], ["A"], 0),
        ("single", ["B"], [], 0),
        ("truefalse", ["false"], ["false"], 1),
        ("truefalse", ["false"], ["true"], 0),
        ("multiple", ["A", "C", "D"], ["A", "C", "D"], 1),
        ("multiple", ["A", "C", "D"], ["A", "C"], Fraction(2, 3)),
        ("multiple", ["A", "C", "D"], ["D"], Fraction(1, 3)),
        ("multiple", ["A", "C", "D"], ["A", "B", "C", "D"], 0),
        ("multiple", ["A", "C", "D"], ["B"], 0),
        ("multiple", ["A", "C", "D"], [], 0),
    ],
)
def test_grade(kind, key, response, points):
    assert engine.grade(kind, key, response) == points


def test_clean_response_drops_illegal_values_and_extra_single_answers():
    assert engine.clean_response("single", ["A", "B"], "ABC") == []
    assert engine.clean_response("single", ["Z"], "ABC") == []
    assert engine.clean_response("single", ["C"], "ABC") == ["C"]
    assert engine.clean_response("multiple", ["A", "Z", "C"], "ABCD") == ["A", "C"]
    assert engine.clean_response("truefalse", ["true"], []) == ["true"]
    assert engine.clean_response("truefalse", ["yes"], []) == []


def test_total_uses_exact_fractions_against_the_pass_mark():
    result = engine.total([Fraction(1), Fraction(2, 3), Fraction(0)], pass_mark=55)
    assert result.points == Fraction(5, 3) and result.max_points == 3
    assert result.percent == 55.56 and result.passed
    assert not engine.total([Fraction(1), Fraction(0)], pass_mark=51).passed
    assert engine.total([Fraction(1), Fraction(0)], pass_mark=50).passed


def test_draw_picks_distinct_questions_and_shuffles_options():
    questions = [(i, ["A", "B", "C", "D"]) for i in range(20)]
    drawn = engine.draw(questions, 10, shuffle_options=True, rng=random.Random(7))
    assert len({d.question_id for d in drawn}) == 10
    assert all(sorted(d.option_order) == ["A", "B", "C", "D"] for d in drawn)
    assert any(list(d.option_order) != ["A", "B", "C", "D"] for d in drawn)
    fixed = engine.draw(questions, 3, shuffle_options=False, rng=random.Random(7))
    assert all(list(d.option_order) == ["A", "B", "C", "D"] for d in fixed)


@given(
    key=st.sets(st.sampled_from("ABCDEF"), min_size=2),
    response=st.sets(st.sampled_from("ABCDEF")),
)
def test_multiple_choice_points_are_between_zero_and_one_and_full_only_when_exact(key, response):
    points = engine.grade("multiple", key, response)
    assert 0 <= points <= 1
    assert (points == 1) == (response == key)
    if response - key:
        assert points == 0


@pytest.mark.parametrize(
    ("typed", "points"),
    [
        (["50", "存款保险"], 1),
        (["５０", "存款 保险"], 1),  # full-width digits, a space typed inside
        (["五十", "存款保險"], 1),  # an accepted alternative; Traditional characters
        (["50"], Fraction(1, 2)),  # one blank of two
        (["500", "存款保险"], Fraction(1, 2)),
        (["", ""], 0),
        ([], 0),
    ],
)
def test_a_fill_question_scores_the_share_of_blanks_typed_right(typed, points):
    accepted = [["50", "五十"], ["存款保险"]]
    assert engine.grade("fill", accepted, engine.clean_response("fill", typed, [])) == points


def test_case_counts_for_nothing_in_a_typed_answer_and_what_is_typed_is_bounded():
    assert engine.grade("fill", [["ETF"]], ["etf"]) == 1
    cleaned = engine.clean_response("fill", ["  a  b ", "x" * 1000] + ["y"] * 20, [])
    assert cleaned[0] == "a b" and len(cleaned[1]) == engine.MAX_TYPED and len(cleaned) == engine.MAX_BLANKS
