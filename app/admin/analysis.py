"""Turning aggregated decision counts into the per-node view content admins read. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChoiceShare:
    index: int
    text: dict
    count: int
    share: float
    on_best_path: bool
    red_line: bool
    points: int


@dataclass(frozen=True)
class NodeShares:
    node_id: str
    text: dict
    total: int
    choices: list[ChoiceShare]

    @property
    def off_best_share(self) -> float:
        """Share of learners at this node who did not take the best-path reply (where staff go wrong)."""
        return sum(c.share for c in self.choices if not c.on_best_path) if self.total else 0.0


@dataclass(frozen=True)
class Analysis:
    endings: list[tuple[str, dict, str, int, float]]  # id, title, outcome, count, share
    nodes: list[NodeShares]


def analyse(data: dict, best_path: list[int], endings: dict[str, int], choices: dict[str, dict[int, int]]) -> Analysis:
    """Combine a scenario's graph with the counts: shares per ending and per reply at each node."""
    best_moves = _best_moves(data, best_path)
    finished = sum(endings.values())
    ending_rows = [
        (ending_id, ending["title"], ending["outcome"], endings.get(ending_id, 0),
         100 * endings.get(ending_id, 0) / finished if finished else 0.0)
        for ending_id, ending in data["endings"].items()
    ]
    nodes = [_node_shares(node_id, node, choices.get(node_id, {}), best_moves.get(node_id))
             for node_id, node in data["nodes"].items()]
    return Analysis(ending_rows, nodes)


def _best_moves(data: dict, best_path: list[int]) -> dict[str, int]:
    """Node id → the index of the reply the best path takes there."""
    best_moves, current = {}, data["start"]
    for index in best_path:
        best_moves[current] = index
        current = data["nodes"][current]["choices"][index]["next"]
    return best_moves


def _node_shares(node_id: str, node: dict, counts: dict[int, int], best_move: int | None) -> NodeShares:
    total = sum(counts.values())
    return NodeShares(node_id, node["text"], total, [
        ChoiceShare(i, c["text"], counts.get(i, 0), 100 * counts.get(i, 0) / total if total else 0.0,
                    best_move == i, bool(c.get("red_line")), sum(c["points"].values()))
        for i, c in enumerate(node["choices"])
    ])
