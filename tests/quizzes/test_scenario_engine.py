"""The scenario engine on the fixture and, by property tests, on every bundled scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content import scenario_graph as engine
from app.content.reader import Issues
from app.content.scenarios import load_scenario
from tests.conftest import REPO
from tests.scenario_fixture import TINY_SCENARIO

BUNDLED = sorted((REPO / "quizzes" / "scenarios").glob("*.yaml"))


def _graph(path: Path) -> engine.Graph:
    issues = Issues()
    spec = load_scenario(path, issues)
    assert not issues, [str(i) for i in issues]
    return engine.graph_from_data(spec.data)


@pytest.fixture
def tiny(tmp_path) -> engine.Graph:
    path = tmp_path / "scenarios" / "tiny.yaml"
    path.parent.mkdir()
    path.write_text(TINY_SCENARIO, encoding="utf-8")
    return _graph(path)


def test_replay_follows_the_path_and_sums_points(tiny):
    position = engine.replay(tiny, [0, 0, 0, 0])  # greet→listen→verify→explain→resolved
    assert position.current == "resolved" and position.finished
    assert position.scores == {"倾听与共情": 2, "首问负责": 2, "合规话术": 5}
    assert position.red_lines == ()


def test_illegal_steps_are_refused(tiny):
    with pytest.raises(engine.IllegalChoice):
        engine.replay(tiny, [5])
    with pytest.raises(engine.IllegalChoice):
        engine.replay(tiny, [0, 1, 0])  # the run ended at "resolved" after two steps


def test_best_path_avoids_red_lines_and_failing_endings(tiny):
    best = engine.best_path(tiny)
    assert best.path == (0, 0, 0, 0) and best.ending == "resolved" and best.total == 9


def test_red_line_fails_whatever_the_score(tiny):
    best = engine.best_path(tiny)
    position = engine.replay(tiny, [0, 1])  # promises the refund: red line, ends "resolved"
    result = engine.grade(tiny, position, best)
    assert not result.passed and "red_line" in result.reasons


def test_failing_ending_and_low_score(tiny):
    best = engine.best_path(tiny)
    complaint = engine.grade(tiny, engine.replay(tiny, [1, 1]), best)
    assert not complaint.passed and "failing_ending" in complaint.reasons and complaint.percent == 0
    detour = engine.grade(tiny, engine.replay(tiny, [1, 0, 0, 1, 0, 0]), best)  # angry, loop once, recover
    assert detour.percent == pytest.approx(100 * 5 / 9, abs=0.1) and not detour.passed  # -2+1+2+0+2+2
    perfect = engine.grade(tiny, engine.replay(tiny, [0, 0, 0, 0]), best)
    assert perfect.passed and perfect.percent == 100 and perfect.competency_percent["合规话术"] == 100


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenarios_meet_the_content_minimums(path):
    graph = _graph(path)
    issues = Issues()
    outcomes = {e["outcome"] for e in load_scenario(path, issues).data["endings"].values()}
    assert len(graph.nodes) >= 12 and len(graph.endings) >= 3 and len(outcomes) >= 3
    assert any(c.red_line for n in graph.nodes.values() for c in n.choices)
    assert engine.best_path(graph) is not None


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(min_value=0, max_value=3), max_size=200))
def test_every_walk_can_end_and_scores_are_deterministic(path, picks):
    graph = _graph_cached(path)
    finishing = engine.can_finish(graph)
    current, taken = graph.start, []
    for pick in picks:
        if graph.is_ending(current):
            break
        assert current in finishing  # from wherever a learner stands, an ending is still reachable
        choices = engine.legal_choices(graph, current)
        index = pick % len(choices)
        taken.append(index)
        current = graph.nodes[current].choices[index].next
    first, second = engine.replay(graph, taken), engine.replay(graph, list(taken))
    assert first == second and first.current == current


_CACHE: dict[Path, engine.Graph] = {}


def _graph_cached(path: Path) -> engine.Graph:
    if path not in _CACHE:
        _CACHE[path] = _graph(path)
    return _CACHE[path]
