"""Reading and validating role-play scenario files (quizzes/scenarios/*.yaml). Pure Python."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from app.content import scenario_graph as engine
from app.content.questions import read_basis
from app.content.reader import SLUG_RE, FieldReader, Issues, read_text, read_yaml
from app.content.yamlsrc import LList, LMap

SCENARIO_KEYS = {
    "title", "title_en", "title_zh_hant", "summary", "summary_en", "summary_zh_hant", "role", "role_en",
    "customer", "competencies", "pass", "start", "nodes", "endings",
}
CUSTOMER_KEYS = {"name", "age", "situation", "emotion", "goal"}
PASS_KEYS = {"min_total", "min_each", "failing_endings"}
NODE_KEYS = {"speaker", "text", "narration", "choices"}
CHOICE_KEYS = {"text", "next", "points", "feedback", "rule", "red_line", "basis"}
ENDING_KEYS = {"outcome", "title", "debrief"}


@dataclass
class ScenarioSpec:
    slug: str
    path: Path
    data: dict
    best_path: tuple[int, ...] = ()  # choice indexes of the best passing path (computed once, here)
    bases: list = field(default_factory=list)  # [(basis of a reply, its line)] for the facts check

    def fingerprint(self) -> str:
        raw = json.dumps(self.data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _zh(text: str | None) -> dict | None:
    return {"zh_Hans": text} if text else None


def load_scenario(path: Path, issues: Issues) -> ScenarioSpec | None:
    """Parse and validate one scenario file."""
    slug = path.stem
    if not SLUG_RE.match(slug):
        issues.add(path, 1, "file name must be lower-case letters, digits and '-' (e.g. safe-account.yaml)")
    before = len(issues)
    data = read_yaml(issues, path, read_text(path, issues))
    if not isinstance(data, LMap):
        if len(issues) == before:
            issues.add(path, 1, "a scenario must be a mapping with title, role, customer, nodes, endings…")
        return None
    result = _read_scenario(issues, path, data)
    if len(issues) > before:
        return None
    best = _check_graph(issues, path, data, result)
    if len(issues) > before or best is None:
        return None
    bases = [(choice["basis"], choice["basis_line"]) for node in result["nodes"].values() for choice in node["choices"]]
    return ScenarioSpec(slug, path, strip_lines(result), tuple(best.path), bases)


def _read_scenario(issues: Issues, path: Path, data: LMap) -> dict:
    """The scenario's fields, each checked (the graph as a whole is checked afterwards)."""
    r = FieldReader(issues, path, data, SCENARIO_KEYS, "scenario")
    result = {
        "title": r.localized("title", required=True),
        "summary": r.localized("summary", required=True),
        "role": r.localized("role", required=True),
        "customer": _customer(issues, path, data, r),
        "competencies": _competencies(data, r),
        "start": r.text("start", required=True),
    }
    result["endings"] = _endings(issues, path, data, r)
    result["nodes"] = _nodes(issues, path, data, r, set(result["competencies"]))
    result["pass"] = _pass_rule(issues, path, data, r, result["endings"])
    return result


def _customer(issues, path, data: LMap, r: FieldReader) -> dict:
    customer = data.get("customer")
    if not isinstance(customer, LMap):
        r.error(r.line("customer") if "customer" in data else data.line,
                "missing 'customer' (name, age, situation, emotion, goal)")
        return {}
    cr = FieldReader(issues, path, customer, CUSTOMER_KEYS, "customer")
    age = cr.integer("age", required=True, minimum=1, maximum=120)
    return {
        "name": cr.text("name", required=True) or "", "age": age,
        "situation": _zh(cr.text("situation", required=True)), "emotion": _zh(cr.text("emotion", required=True)),
        "goal": _zh(cr.text("goal", required=True)),
    }


def _competencies(data: LMap, r: FieldReader) -> list[str]:
    items = data.get("competencies")
    if not isinstance(items, LList) or not items:
        r.error(r.line("competencies"), "'competencies' must list the competencies this scenario scores")
        return []
    result = []
    for index, name in enumerate(items):
        if name not in engine.COMPETENCIES:
            r.error(items.item_lines[index],
                    f"unknown competency '{name}' (use: {'、'.join(engine.COMPETENCIES)})")
        elif name in result:
            r.error(items.item_lines[index], f"competency '{name}' is listed twice")
        else:
            result.append(name)
    return result


def _pass_rule(issues, path, data: LMap, r: FieldReader, endings: dict) -> dict:
    rule = data.get("pass")
    if not isinstance(rule, LMap):
        r.error(r.line("pass") if "pass" in data else data.line, "missing 'pass' (min_total, failing_endings…)")
        return {}
    pr = FieldReader(issues, path, rule, PASS_KEYS, "pass rule")
    failing = rule.get("failing_endings") or []
    if not isinstance(failing, list):
        pr.error(pr.line("failing_endings"), "'failing_endings' must be a list of ending ids")
        failing = []
    for name in failing:
        if name not in endings:
            pr.error(pr.line("failing_endings"), f"failing ending '{name}' is not among the endings")
    return {
        "min_total": pr.integer("min_total", default=70, minimum=0, maximum=100),
        "min_each": pr.integer("min_each", minimum=0, maximum=100),
        "failing_endings": [str(name) for name in failing],
    }


def _endings(issues, path, data: LMap, r: FieldReader) -> dict:
    endings = data.get("endings")
    if not isinstance(endings, LMap) or not endings:
        r.error(r.line("endings") if "endings" in data else data.line, "missing 'endings'")
        return {}
    result = {}
    for ending_id, ending in endings.items():
        line = endings.line_of(ending_id)
        if not isinstance(ending, LMap):
            issues.add(path, line, f"ending '{ending_id}' must have outcome, title and debrief")
            continue
        er = FieldReader(issues, path, ending, ENDING_KEYS, f"ending '{ending_id}'")
        outcome = er.text("outcome", required=True)
        if outcome is not None and outcome not in engine.OUTCOMES:
            er.error(er.line("outcome"), f"unknown outcome '{outcome}' (use: {', '.join(engine.OUTCOMES)})")
        result[str(ending_id)] = {
            "outcome": outcome, "title": _zh(er.text("title", required=True)),
            "debrief": _zh(er.text("debrief", required=True, max_len=4000)), "line": line,
        }
    return result


def _nodes(issues, path, data: LMap, r: FieldReader, competencies: set[str]) -> dict:
    nodes = data.get("nodes")
    if not isinstance(nodes, LMap) or not nodes:
        r.error(r.line("nodes") if "nodes" in data else data.line, "missing 'nodes'")
        return {}
    endings = data.get("endings") if isinstance(data.get("endings"), LMap) else {}
    result = {}
    for node_id, node in nodes.items():
        line = nodes.line_of(node_id)
        if node_id in endings:
            issues.add(path, line, f"'{node_id}' is both a node and an ending: ids must be unique")
        if not isinstance(node, LMap):
            issues.add(path, line, f"node '{node_id}' must have speaker, text and choices")
            continue
        result[str(node_id)] = _node(issues, path, node, str(node_id), line, competencies)
    return result


def _node(issues, path, node: LMap, node_id: str, line: int, competencies: set[str]) -> dict:
    nr = FieldReader(issues, path, node, NODE_KEYS, f"node '{node_id}'")
    speaker = nr.text("speaker") or "customer"
    if speaker not in engine.SPEAKERS:
        nr.error(nr.line("speaker"), f"unknown speaker '{speaker}' (use: {', '.join(engine.SPEAKERS)})")
    return {
        "speaker": speaker, "text": _zh(nr.text("text", required=True, max_len=4000)),
        "narration": _zh(nr.text("narration", max_len=4000)), "line": line,
        "choices": _choices(issues, path, node, nr, node_id, competencies),
    }


def _choices(issues, path, node: LMap, nr: FieldReader, node_id: str, competencies: set[str]) -> list:
    items = node.get("choices")
    if not isinstance(items, LList) or not 2 <= len(items) <= 4:
        nr.error(nr.line("choices") if "choices" in node else node.line,
                 f"node '{node_id}' needs 2 to 4 choices")
        if not isinstance(items, LList):
            return []
    result = []
    for index, item in enumerate(items):
        line = items.item_lines[index]
        if not isinstance(item, LMap):
            issues.add(path, line, "each choice needs text, next, points and feedback")
            continue
        result.append(_choice(issues, path, item, line, competencies))
    return result


def _choice(issues, path, item: LMap, line: int, competencies: set[str]) -> dict:
    cr = FieldReader(issues, path, item, CHOICE_KEYS, "choice")
    points = _points(cr, item, competencies)
    if item.get("feedback") in (None, ""):
        cr.error(line, "this choice has no feedback (say in one or two sentences why it is right or wrong)")
    red_line = cr.text("red_line")
    basis = read_basis(cr, item)
    return {
        "text": _zh(cr.text("text", required=True)), "next": cr.text("next", required=True),
        "points": {str(k): v for k, v in points.items() if isinstance(v, int) and not isinstance(v, bool)},
        "feedback": _zh(cr.text("feedback")), "rule": cr.text("rule", max_len=300) or "",
        "red_line": _zh(red_line), "basis": basis, "line": line, "next_line": cr.line("next"),
        "basis_line": cr.line("basis"),
    }


def _points(cr: FieldReader, item: LMap, competencies: set[str]) -> dict:
    """A choice's points per competency, each checked (a mapping; {} when it is not one)."""
    points = item.get("points") or {}
    if not isinstance(points, dict):
        cr.error(cr.line("points"), "'points' must be a mapping like {首问负责: 2, 情绪安抚: -1}")
        points = {}
    for competency, value in points.items():
        if competency not in competencies:
            cr.error(points.line_of(competency) if isinstance(points, LMap) else cr.line("points"),
                     f"'{competency}' is not one of this scenario's competencies")
        if isinstance(value, bool) or not isinstance(value, int):
            cr.error(cr.line("points"), f"points for '{competency}' must be a whole number")
    return points


def _check_graph(issues: Issues, path: Path, data: LMap, result: dict) -> engine.BestPath | None:
    """Report graph problems; return the best passing path (None when there is a problem)."""
    nodes, endings = result["nodes"], result["endings"]
    known = set(nodes) | set(endings)
    start = result["start"]
    if start not in nodes:
        issues.add(path, data.line_of("start"), f"start node '{start}' does not exist")
        return None
    dangling = _dangling(issues, path, nodes, known)
    graph = engine.graph_from_data({**result, "pass": result["pass"]})
    reached = engine.reachable(graph)
    _report_unreached(issues, path, nodes, endings, known - reached)
    stuck = (set(nodes) & reached) - engine.can_finish(graph) - dangling
    _report_stuck(issues, path, nodes, stuck)
    if stuck or dangling:
        return None
    return _best_path(issues, path, data, graph)


def _best_path(issues: Issues, path: Path, data: LMap, graph) -> engine.BestPath | None:
    """The best passing path; when there is none, nobody could pass, and that is reported."""
    best = engine.best_path(graph)
    if best is None:
        issues.add(path, data.line_of("endings"),
                   "no ending can be reached without a red line and outside failing_endings: nobody could pass")
    return best


def _dangling(issues: Issues, path: Path, nodes: dict, known: set[str]) -> set[str]:
    """Report each choice whose 'next' names nothing; return the nodes that have one."""
    dangling = set()
    for node_id, node in nodes.items():
        for choice in node["choices"]:
            if choice["next"] not in known:
                issues.add(path, choice["next_line"], f"'next: {choice['next']}' names no node or ending")
                dangling.add(node_id)
    return dangling


def _report_unreached(issues: Issues, path: Path, nodes: dict, endings: dict, unreached: set[str]) -> None:
    for ident in sorted(unreached, key=lambda i: (nodes.get(i) or endings.get(i))["line"]):
        line = (nodes.get(ident) or endings.get(ident))["line"]
        kind = "node" if ident in nodes else "ending"
        issues.add(path, line, f"{kind} '{ident}' cannot be reached from the start")


def _report_stuck(issues: Issues, path: Path, nodes: dict, stuck: set[str]) -> None:
    for ident in sorted(stuck, key=lambda i: nodes[i]["line"]):
        issues.add(path, nodes[ident]["line"], f"node '{ident}' has no way to an ending (a dead end or a closed loop)")


def strip_lines(data: dict) -> dict:
    """The scenario without the file line numbers kept for messages (what is stored and hashed)."""
    if isinstance(data, dict):
        return {k: strip_lines(v) for k, v in data.items() if k not in ("line", "next_line", "basis_line")}
    if isinstance(data, list):
        return [strip_lines(v) for v in data]
    return data
