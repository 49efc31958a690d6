"""Role-play scenario engine: walking a branching conversation and scoring it by competency.

Pure Python (no Flask, no database). A run is fully described by the list of choice indexes taken
from the start; everything else (current node, scores, red lines, outcome) is derived by replay,
so the same path always gives the same result.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

COMPETENCIES = (
    "倾听与共情", "首问负责", "风险揭示", "合规话术", "情绪安抚", "反诈干预", "信息保护", "适当性管理",
    "适老与无障碍服务",
)
OUTCOMES = ("resolved", "escalated", "complaint", "loss", "abandoned")
SPEAKERS = ("customer", "colleague", "narrator")
MAX_BEST_PATH_SEARCH = 200_000


@dataclass(frozen=True)
class Choice:
    next: str
    points: dict[str, int] = field(default_factory=dict)
    red_line: bool = False


@dataclass(frozen=True)
class Node:
    id: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class PassRule:
    min_total: int = 70
    min_each: int | None = None
    failing_endings: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Graph:
    start: str
    nodes: dict[str, Node]
    endings: frozenset[str]
    competencies: tuple[str, ...]
    pass_rule: PassRule

    def is_ending(self, ident: str) -> bool:
        return ident in self.endings


class IllegalChoice(ValueError):
    """The choice is not one of the current node's choices, or the run has already ended."""


@dataclass(frozen=True)
class Position:
    """Where a path leaves the learner: the current node (or ending) and the scores so far."""

    current: str
    scores: dict[str, int]
    red_lines: tuple[int, ...]  # steps (0-based) at which a red-line choice was taken
    finished: bool


def graph_from_data(data: dict) -> Graph:
    """Build the engine's view of a scenario from its stored (or loaded) mapping."""
    nodes = {
        node_id: Node(node_id, tuple(
            Choice(c["next"], {k: int(v) for k, v in (c.get("points") or {}).items()}, bool(c.get("red_line")))
            for c in node["choices"]
        ))
        for node_id, node in data["nodes"].items()
    }
    rule = data.get("pass") or {}
    return Graph(
        start=data["start"], nodes=nodes, endings=frozenset(data["endings"]),
        competencies=tuple(data["competencies"]),
        pass_rule=PassRule(int(rule.get("min_total", 70)), rule.get("min_each"),
                           frozenset(rule.get("failing_endings") or ())),
    )


def replay(graph: Graph, path: Sequence[int]) -> Position:
    """Walk ``path`` (choice indexes) from the start; raise IllegalChoice on an impossible step."""
    current = graph.start
    scores = dict.fromkeys(graph.competencies, 0)
    red_lines = []
    for step, index in enumerate(path):
        if graph.is_ending(current):
            raise IllegalChoice(f"the run already ended at step {step}")
        choices = graph.nodes[current].choices
        if not 0 <= index < len(choices):
            raise IllegalChoice(f"node {current!r} has no choice {index}")
        choice = choices[index]
        for competency, value in choice.points.items():
            scores[competency] = scores.get(competency, 0) + value
        if choice.red_line:
            red_lines.append(step)
        current = choice.next
    return Position(current, scores, tuple(red_lines), graph.is_ending(current))


def reply_order(seed: str, node_id: str, count: int) -> list[int]:
    """The order a run shows a node's replies in: random per run, the same on every reload, so that
    the position of a reply (the best one is often written first) tells nothing."""
    digest = hashlib.sha256(f"{seed}\x1f{node_id}".encode()).digest()
    order = list(range(count))
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(order)
    return order


def reply_key(seed: str, node_id: str, index: int) -> str:
    """The opaque key a page posts for a reply: it names the reply without revealing its place in the file."""
    return hmac.new(seed.encode(), f"{node_id}\x1f{index}".encode(), hashlib.sha256).hexdigest()[:20]


def index_of_key(seed: str, node_id: str, count: int, key: str) -> int | None:
    """The reply a posted key names, or None."""
    for index in range(count):
        if hmac.compare_digest(reply_key(seed, node_id, index), key or ""):
            return index
    return None


def legal_choices(graph: Graph, current: str) -> range:
    """The choice indexes available at ``current`` (none at an ending)."""
    if graph.is_ending(current):
        return range(0)
    return range(len(graph.nodes[current].choices))


@dataclass(frozen=True)
class BestPath:
    path: tuple[int, ...]
    scores: dict[str, int]
    ending: str

    @property
    def total(self) -> int:
        return sum(self.scores.values())


def best_path(graph: Graph) -> BestPath | None:
    """The highest-scoring simple path to a passing ending without red lines (None if there is none)."""
    best: BestPath | None = None
    explored = 0
    stack: list[tuple[str, tuple[int, ...], frozenset[str], dict[str, int]]] = [
        (graph.start, (), frozenset({graph.start}), dict.fromkeys(graph.competencies, 0))
    ]
    while stack and explored < MAX_BEST_PATH_SEARCH:
        current, path, visited, scores = stack.pop()
        explored += 1
        if not graph.is_ending(current):
            stack.extend(_steps(graph, current, path, visited, scores))
        elif current not in graph.pass_rule.failing_endings:
            candidate = BestPath(path, scores, current)
            if best is None or (candidate.total, -len(path)) > (best.total, -len(best.path)):
                best = candidate
    return best


def _steps(graph: Graph, current: str, path: tuple[int, ...], visited: frozenset[str], scores: dict[str, int]):
    """The search's next states: each reply from ``current`` that crosses no red line and revisits no node."""
    for index, choice in enumerate(graph.nodes[current].choices):
        if choice.red_line or choice.next in visited:
            continue
        new_scores = dict(scores)
        for competency, value in choice.points.items():
            new_scores[competency] = new_scores.get(competency, 0) + value
        yield choice.next, (*path, index), visited | {choice.next}, new_scores


@dataclass(frozen=True)
class Grade:
    percent: float
    competency_percent: dict[str, float]
    passed: bool
    reasons: tuple[str, ...]  # codes: red_line, failing_ending, below_total, below_competency


def _share(value: int, best: int) -> float:
    if best <= 0:
        return 100.0 if value >= best else 0.0
    return round(max(0.0, min(100.0, 100 * value / best)), 1)


def grade(graph: Graph, position: Position, best: BestPath) -> Grade:
    """Score a finished run against the best path and the scenario's pass rule."""
    total = sum(position.scores.values())
    percent = _share(total, best.total)
    per = {c: _share(position.scores.get(c, 0), best.scores.get(c, 0)) for c in graph.competencies}
    reasons = []
    if position.red_lines:
        reasons.append("red_line")
    if position.current in graph.pass_rule.failing_endings:
        reasons.append("failing_ending")
    if percent < graph.pass_rule.min_total:
        reasons.append("below_total")
    if graph.pass_rule.min_each is not None and any(
        value < graph.pass_rule.min_each for c, value in per.items() if best.scores.get(c, 0) > 0
    ):
        reasons.append("below_competency")
    return Grade(percent, per, position.finished and not reasons, tuple(reasons))


# --- graph checks used by the content checker ------------------------------------------------


def successors(graph: Graph, ident: str) -> Iterable[str]:
    """The ids a node's choices lead to."""
    node = graph.nodes.get(ident)
    return [c.next for c in node.choices] if node else []


def reachable(graph: Graph) -> set[str]:
    """Every node and ending reachable from the start."""
    seen, queue = {graph.start}, deque([graph.start])
    while queue:
        for target in successors(graph, queue.popleft()):
            if target not in seen and (target in graph.nodes or target in graph.endings):
                seen.add(target)
                queue.append(target)
    return seen


def can_finish(graph: Graph) -> set[str]:
    """Every node from which some path leads to an ending (backwards search from the endings)."""
    incoming: dict[str, set[str]] = {}
    for node_id, node in graph.nodes.items():
        for choice in node.choices:
            incoming.setdefault(choice.next, set()).add(node_id)
    done, queue = set(graph.endings), deque(graph.endings)
    while queue:
        for source in incoming.get(queue.popleft(), ()):
            if source not in done:
                done.add(source)
                queue.append(source)
    return done
