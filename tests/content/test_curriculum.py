"""The bundled curriculum: a year of staff courses and the public modules, every fact traceable to
docs/DOMAIN.md, and no shortcut for a test-wise learner."""

from __future__ import annotations

import difflib

import pytest

from app.content.loader import load_tree
from tests.conftest import REPO

BUNDLE, _ = load_tree(REPO)
STAFF_BANKS = {course.exam: BUNDLE.quizzes[course.exam] for course in BUNDLE.courses.values()}
ALL_BANKS = {**STAFF_BANKS, **BUNDLE.public_quizzes}


def test_the_year_of_staff_training_is_there():
    courses = BUNDLE.courses.values()
    cases = sum(1 for course in courses for lesson in course.lessons if lesson.kind == "case")
    assert len(BUNDLE.courses) >= 10 and cases >= 24 and len(BUNDLE.scenarios) >= 15
    assert sum(len(bank.questions) for bank in STAFF_BANKS.values()) >= 320


@pytest.mark.parametrize("slug", sorted(BUNDLE.courses))
def test_each_course_meets_the_minimums(slug):
    course = BUNDLE.courses[slug]
    kinds = [lesson.kind for lesson in course.lessons]
    assert kinds.count("lesson") >= 4 and kinds.count("case") >= 2
    bank = BUNDLE.quizzes[course.exam]
    assert len(bank.questions) >= 30 and {"single", "multiple", "truefalse"} <= {q.kind for q in bank.questions}
    required = [BUNDLE.scenarios[sid] for sid, _score, _line in course.scenarios]
    assert required, f"{slug} requires no role-play"
    assert any(len(s.data["nodes"]) >= 15 and len(s.data["endings"]) >= 5 for s in required)


def test_the_public_site_covers_the_fraud_types_people_meet():
    practice = sum(len(module.practice) for module in BUNDLE.modules.values())
    assert len(BUNDLE.modules) >= 20
    assert sum(len(pool.questions) for pool in BUNDLE.public_quizzes.values()) + practice >= 250
    for slug in ("fake-shopping", "ai-deepfake", "million-cover-scam", "fake-medical-insurance", "elderly-scam",
                 "money-mule", "training-loan", "deposit-insurance"):
        module = BUNDLE.modules[slug]
        assert 3 <= len(module.practice) <= 5
        assert (REPO / "app" / "static" / "img" / "modules" / f"{module.icon}.svg").exists()


@pytest.mark.parametrize("slug", sorted(ALL_BANKS))
def test_no_two_questions_of_a_bank_share_a_stem(slug):
    stems = [(q.key, q.stem["zh_Hans"]) for q in ALL_BANKS[slug].questions]
    close = [(a, b) for i, (a, x) in enumerate(stems) for b, y in stems[i + 1:]
             if difflib.SequenceMatcher(None, x, y).ratio() > 0.9]
    assert close == []


def test_the_facts_file_is_the_verified_one():
    facts = (REPO / "docs" / "DOMAIN.md").read_text(encoding="utf-8")
    for section in [*(f"## {n}." for n in range(1, 7)), *(f"## W{n}." for n in range(1, 10))]:
        assert section in facts
    shared = REPO.parent / "shared" / "DOMAIN.md"  # beside a developer's checkout: the copy must not drift
    assert not shared.exists() or shared.read_text(encoding="utf-8") == facts


PLANTED_BANK = """\
title: 有三处事实错误的题库
draw: 1
questions:
  - id: q1
    type: single
    stem: 客户遇到问题应当拨打哪个电话？
    options:
      A: 12399
      B: 96110
      C: 110
    answer: B
    explanation: 容易误选A；正确做法是拨打96110。
    tags: [反诈]
    rule: 《中华人民共和国反电信网络诈骗法》、银保监发〔2099〕1号
    basis: [§4, §W12]
"""


def test_unverified_numbers_letters_and_unknown_sections_are_located(tmp_path):
    bank = tmp_path / "planted.yaml"
    bank.write_text(PLANTED_BANK, encoding="utf-8")
    _, issues = load_tree(REPO, [bank])
    found = sorted((i.line, i.message) for i in issues)
    lines = {n: line for n, line in enumerate(PLANTED_BANK.splitlines(), 1)}
    messages = {(i.line, i.message) for i in issues}
    assert any(lines[line].strip().startswith("A: 12399") and "'12399' is not in docs/DOMAIN.md" in m
               for line, m in messages), found
    assert any("银保监发〔2099〕1号" in m and lines[line].strip().startswith("rule:") for line, m in messages), found
    assert any("names option A by its letter" in m and lines[line].strip().startswith("explanation:")
               for line, m in messages), found
    assert any("basis '§W12' is not a section" in m and lines[line].strip().startswith("basis:")
               for line, m in messages), found
    assert len(issues) == 4


def test_a_question_without_basis_is_refused(tmp_path):
    bank = tmp_path / "nobasis.yaml"
    bank.write_text(PLANTED_BANK.replace("    basis: [§4, §W12]\n", "").replace("12399", "110")
                    .replace("容易误选A；", "").replace("、银保监发〔2099〕1号", ""), encoding="utf-8")
    _, issues = load_tree(REPO, [bank])
    assert [(i.line, i.message.split(" (")[0]) for i in issues] == [(4, "missing 'basis'")]


def _longest_is_key(questions) -> tuple[int, int, int, int]:
    singles = [q for q in questions if q.kind == "single"]
    multiples = [q for q in questions if q.kind == "multiple"]
    single_hits = sum(1 for q in singles if max(q.options, key=lambda o: len(o[1]["zh_Hans"]))[0] == q.answer[0])
    multiple_hits = sum(1 for q in multiples if {o[0] for o in sorted(
        q.options, key=lambda o: -len(o[1]["zh_Hans"]))[:len(q.answer)]} == set(q.answer))
    return single_hits, len(singles), multiple_hits, len(multiples)


@pytest.mark.parametrize("slug", sorted(ALL_BANKS) + ["module practice"])
def test_picking_the_longest_option_gives_no_edge(slug):
    questions = ALL_BANKS[slug].questions if slug in ALL_BANKS else [
        q for module in BUNDLE.modules.values() for q in module.practice]
    single_hits, singles, multiple_hits, multiples = _longest_is_key(questions)
    assert single_hits <= 0.3 * singles, f"the longest option is the key in {single_hits} of {singles}"
    assert multiple_hits <= multiples / 3, f"the longest options are the key in {multiple_hits} of {multiples}"


@pytest.mark.parametrize("slug", sorted(BUNDLE.scenarios))
def test_a_role_play_is_not_passed_by_always_taking_the_longest_or_shortest_reply(slug):
    from app.content import scenario_graph as engine

    spec = BUNDLE.scenarios[slug]
    graph = engine.graph_from_data(spec.data)
    reached = engine.replay(graph, spec.best_path)
    best = engine.BestPath(spec.best_path, reached.scores, reached.current)
    for sign in (1, -1):  # -1: longest first
        current, path = graph.start, []
        while not graph.is_ending(current) and len(path) < 200:
            choices = spec.data["nodes"][current]["choices"]
            index = min(range(len(choices)), key=lambda i: sign * len(choices[i]["text"]["zh_Hans"]))
            path.append(index)
            current = choices[index]["next"]
        position = engine.replay(graph, path)
        assert not (position.finished and engine.grade(graph, position, best).passed), (slug, sign)
