"""Role-play scenario player under /learn/scenarios."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.content import scenario_graph as engine
from app.core.charts import bar_chart
from app.core.forms import ConfirmForm
from app.core.multilingual import term
from app.core.templating import current_locale
from app.extensions import db
from app.learning.services import completions_requiring
from app.quizzes import scenario_services as scenarios
from app.quizzes.models import RunStatus

bp = Blueprint("scenarios", __name__, url_prefix="/learn/scenarios")


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in account."""


def _scenario_or_404(slug: str):
    scenario = scenarios.get_scenario(slug)
    if scenario is None:
        abort(404)
    return scenario


def _run_or_404(token: str):
    run = scenarios.get_run(token, current_user.id)
    if run is None:
        abort(404)
    return run


@bp.get("")
def index():
    """All role-play scenarios, with the learner's latest result in each."""
    items = [(s, scenarios.runs_of(current_user.id, s)) for s in scenarios.published_scenarios()]
    return render_template("scenarios/index.html", items=items)


@bp.get("/<slug>")
def intro(slug: str):
    """Who you are, who the customer is, what is scored and how to pass."""
    scenario = _scenario_or_404(slug)
    return render_template("scenarios/intro.html", scenario=scenario, data=scenario.current_version.data,
                           runs=scenarios.runs_of(current_user.id, scenario), form=ConfirmForm())


@bp.post("/<slug>/start")
def start(slug: str):
    """Start a run (or resume the unfinished one)."""
    scenario = _scenario_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    run = scenarios.start_run(current_user.id, scenario)
    db.session.commit()
    return redirect(url_for(".play", token=run.token))


@bp.get("/runs/<token>")
def play(token: str):
    """The conversation so far, with feedback, and the replies available now."""
    run = _run_or_404(token)
    if run.status == RunStatus.FINISHED:
        return redirect(url_for(".debrief", token=token))
    version = run.scenario_version
    turns = scenarios.transcript(version, scenarios.path_of(run))
    return render_template("scenarios/play.html", run=run, data=version.data, turns=turns,
                           node=version.data["nodes"][run.current], replies=scenarios.shown_replies(run, run.current),
                           form=ConfirmForm())


@bp.post("/runs/<token>")
def choose(token: str):
    """Record one reply; anything but a legal reply at the current step is refused with 400."""
    run = _run_or_404(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        step = int(request.form.get("step", ""))
        scenarios.choose_by_key(run, request.form.get("node", ""), step, request.form.get("reply", ""))
    except (ValueError, scenarios.ScenarioError):
        db.session.rollback()
        message = _("That reply is not available at this point of the conversation. "
                    "Reload the page to continue where you are.")
        return render_template("errors/error.html", code=400, title=_("Reply not accepted"), message=message), 400
    db.session.commit()
    return redirect(url_for(".play", token=token, _anchor="now"))


@bp.get("/runs/<token>/debrief")
def debrief(token: str):
    """Outcome, competency chart, the path taken with feedback, and the best path."""
    run = _run_or_404(token)
    if run.status != RunStatus.FINISHED:
        return redirect(url_for(".play", token=token))
    version = run.scenario_version
    data = version.data
    pass_rule = data["pass"]
    chart = bar_chart([(term(c, current_locale()), run.competency_percent.get(c, 0)) for c in data["competencies"]],
                      label=_("Competency scores"), reference=pass_rule.get("min_each"))
    graph = scenarios.graph_of(version)
    best = engine.replay(graph, version.best_path)
    return render_template(
        "scenarios/debrief.html", run=run, data=data, ending=data["endings"][run.ending],
        turns=scenarios.transcript(version, scenarios.path_of(run)),
        best_turns=scenarios.transcript(version, version.best_path), best_ending=data["endings"][best.current],
        chart=chart, scenario=version.scenario, form=ConfirmForm(),
        completions=completions_requiring(current_user.id, version.scenario_id) if run.passed else [],
    )
