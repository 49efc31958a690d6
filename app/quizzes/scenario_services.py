"""Playing role-play scenarios: runs, one stored decision per turn, grading, debriefs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update

from app.content import scenario_graph as engine
from app.content.models import Scenario, ScenarioVersion
from app.core import signals
from app.core.exceptions import CodedError
from app.core.time import utcnow
from app.extensions import db
from app.quizzes.models import RunStatus, ScenarioDecision, ScenarioRun


class ScenarioError(CodedError):
    """A move that is not allowed; ``code`` says why (illegal_choice, stale_step, finished)."""


def get_scenario(slug: str) -> Scenario | None:
    """The published scenario with this id."""
    return db.session.scalar(
        select(Scenario).where(Scenario.slug == slug, Scenario.published.is_(True),
                               Scenario.current_version_id.is_not(None))
    )


def published_scenarios() -> list[Scenario]:
    """Every published scenario, by id."""
    return list(db.session.scalars(
        select(Scenario).where(Scenario.published.is_(True), Scenario.current_version_id.is_not(None))
        .order_by(Scenario.slug)
    ))


_GRAPHS: dict[tuple[int, str], engine.Graph] = {}


def graph_of(version: ScenarioVersion) -> engine.Graph:
    """The engine's view of a stored scenario version (versions never change: built once per process)."""
    key = (version.id, version.content_hash)
    graph = _GRAPHS.get(key)
    if graph is None:
        if len(_GRAPHS) > 256:
            _GRAPHS.clear()
        graph = _GRAPHS[key] = engine.graph_from_data(version.data)
    return graph


def open_run(user_id: int, scenario: Scenario) -> ScenarioRun | None:
    """The learner's unfinished run of this scenario, if any."""
    return db.session.scalar(
        select(ScenarioRun)
        .join(ScenarioVersion, ScenarioRun.scenario_version_id == ScenarioVersion.id)
        .where(ScenarioRun.user_id == user_id, ScenarioVersion.scenario_id == scenario.id,
               ScenarioRun.status == RunStatus.IN_PROGRESS)
        .order_by(ScenarioRun.id.desc()).limit(1)
    )


def runs_of(user_id: int, scenario: Scenario) -> list[ScenarioRun]:
    """The learner's runs of this scenario, newest first."""
    return list(db.session.scalars(
        select(ScenarioRun)
        .join(ScenarioVersion, ScenarioRun.scenario_version_id == ScenarioVersion.id)
        .where(ScenarioRun.user_id == user_id, ScenarioVersion.scenario_id == scenario.id)
        .order_by(ScenarioRun.id.desc())
    ))


def start_run(user_id: int, scenario: Scenario, now=None) -> ScenarioRun:
    """Resume the open run, or start a new one on the current version."""
    existing = open_run(user_id, scenario)
    if existing is not None:
        return existing
    version = scenario.current_version
    number = 1 + (db.session.scalar(
        select(func.count()).select_from(ScenarioRun)
        .join(ScenarioVersion, ScenarioRun.scenario_version_id == ScenarioVersion.id)
        .where(ScenarioRun.user_id == user_id, ScenarioVersion.scenario_id == scenario.id)
    ) or 0)
    run = ScenarioRun(token=secrets.token_hex(16), seed=secrets.token_hex(16), user_id=user_id,
                      scenario_version=version, number=number,
                      current=version.data["start"], steps=0, started_at=now or utcnow())
    db.session.add(run)
    db.session.flush()
    return run


def get_run(token: str, user_id: int) -> ScenarioRun | None:
    """The learner's own run with this token."""
    return db.session.scalar(select(ScenarioRun).where(ScenarioRun.token == token, ScenarioRun.user_id == user_id))


def decisions_of(run: ScenarioRun) -> list[ScenarioDecision]:
    """The run's decisions in order."""
    return list(db.session.scalars(run.decisions.select().order_by(ScenarioDecision.step)))


def _seed(run: ScenarioRun) -> str:
    return run.seed or run.token  # runs started before replies were shuffled


def shown_replies(run: ScenarioRun, node_id: str) -> list[tuple[str, dict]]:
    """The node's replies as this run shows them: (opaque key, reply), in the run's own order."""
    choices = run.scenario_version.data["nodes"][node_id]["choices"]
    seed = _seed(run)
    return [(engine.reply_key(seed, node_id, index), choices[index])
            for index in engine.reply_order(seed, node_id, len(choices))]


def choose_by_key(run: ScenarioRun, node_id: str, step: int, key: str, now=None) -> ScenarioRun:
    """Record the reply a page posted by its opaque key (see shown_replies)."""
    nodes = run.scenario_version.data["nodes"]
    if node_id not in nodes:
        raise ScenarioError("illegal_choice")
    index = engine.index_of_key(_seed(run), node_id, len(nodes[node_id]["choices"]), key)
    if index is None:
        raise ScenarioError("illegal_choice")
    return choose(run, node_id, step, index, now)


def choose(run: ScenarioRun, node_id: str, step: int, choice_index: int, now=None) -> ScenarioRun:
    """Record one reply. Only a legal choice at the run's current node and step is accepted.

    A resent form for a step already recorded with the same choice changes nothing (double click);
    anything else that does not fit the run's position raises ScenarioError and records nothing.
    """
    now = now or utcnow()
    if step < run.steps:
        previous = db.session.scalar(run.decisions.select().where(ScenarioDecision.step == step))
        if previous is not None and previous.node_id == node_id and previous.choice_index == choice_index:
            return run
        raise ScenarioError("stale_step")
    graph = _legal_graph(run, node_id, step, choice_index)
    target = graph.nodes[node_id].choices[choice_index].next
    if not _claim_step(run, step, target):  # a concurrent request took this step first
        return choose(run, node_id, step, choice_index, now)
    db.session.add(ScenarioDecision(run_id=run.id, scenario_version_id=run.scenario_version_id, step=step,
                                    node_id=node_id, choice_index=choice_index, chosen_at=now))
    db.session.flush()
    if graph.is_ending(target):
        _finish_and_announce(run, graph, now)
    return run


def _legal_graph(run: ScenarioRun, node_id: str, step: int, choice_index: int) -> engine.Graph:
    """The run's graph, once the reply is known to be legal at the run's current node and step."""
    if run.status != RunStatus.IN_PROGRESS:
        raise ScenarioError("finished")
    graph = graph_of(run.scenario_version)
    if step != run.steps or node_id != run.current or choice_index not in engine.legal_choices(graph, node_id):
        raise ScenarioError("illegal_choice")
    return graph


def _claim_step(run: ScenarioRun, step: int, target: str) -> bool:
    """Move the run on by one step, unless another request did first (the run is reloaded either way)."""
    claimed = db.session.execute(
        update(ScenarioRun)
        .where(ScenarioRun.id == run.id, ScenarioRun.steps == step, ScenarioRun.status == RunStatus.IN_PROGRESS)
        .values(steps=step + 1, current=target)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(run)
    return claimed == 1


def _finish_and_announce(run: ScenarioRun, graph: engine.Graph, now) -> None:
    _finish(run, graph, now)
    if run.passed:  # courses that were waiting for this role-play may now be complete
        signals.scenario_passed.send(None, user_id=run.user_id, scenario_id=run.scenario_version.scenario_id,
                                     now=now)


def path_of(run: ScenarioRun) -> list[int]:
    """The choice indexes taken, in order."""
    return [d.choice_index for d in decisions_of(run)]


def _finish(run: ScenarioRun, graph: engine.Graph, now) -> None:
    position = engine.replay(graph, path_of(run))
    best = engine.replay(graph, run.scenario_version.best_path)
    best_path = engine.BestPath(tuple(run.scenario_version.best_path), best.scores, best.current)
    result = engine.grade(graph, position, best_path)
    run.status = RunStatus.FINISHED
    run.finished_at = now
    run.ending = position.current
    run.outcome = run.scenario_version.data["endings"][position.current]["outcome"]
    run.scores = position.scores
    run.competency_percent = result.competency_percent
    run.percent = result.percent
    run.red_line = bool(position.red_lines)
    run.passed = result.passed
    db.session.flush()


@dataclass(frozen=True)
class Turn:
    """One exchange in the chat: what was said, the reply chosen and its feedback."""

    node_id: str
    node: dict
    choice: dict | None


def transcript(version: ScenarioVersion, path: list[int]) -> list[Turn]:
    """The conversation a path produces, turn by turn."""
    data, current, turns = version.data, version.data["start"], []
    for index in path:
        node = data["nodes"][current]
        choice = node["choices"][index]
        turns.append(Turn(current, node, choice))
        current = choice["next"]
    return turns

