"""Role-play analytics: per-node reply shares and endings, from SQL aggregates over generated runs."""

from __future__ import annotations

import random
import re
from collections import Counter

from sqlalchemy import select

from app.auth.models import Role
from app.content.models import Scenario
from app.content.services import sync_content
from app.extensions import db
from app.quizzes import scenario_services
from tests.conftest import count_queries, login, write_tree
from tests.scenario_fixture import TINY_SCENARIO


def _generate_runs(make_user, count: int, rng: random.Random):
    """Play ``count`` runs with random replies through the real service; return what was chosen."""
    scenario = db.session.scalar(select(Scenario))
    graph = scenario_services.graph_of(scenario.current_version)
    choices, endings = Counter(), Counter()
    for n in range(count):
        user = make_user(f"learner{n}_{rng.random():.6f}")
        run = scenario_services.start_run(user.id, scenario)
        while not graph.is_ending(run.current):
            node = run.current
            index = rng.randrange(len(graph.nodes[node].choices))
            scenario_services.choose(run, node, run.steps, index)
            choices[(node, index)] += 1
        endings[run.current] += 1
        db.session.commit()
    return choices, endings


def test_page_figures_match_the_generated_runs(client, app, make_user, tmp_path):
    write_tree(tmp_path, {"quizzes/scenarios/tiny-scenario.yaml": TINY_SCENARIO})
    sync_content(tmp_path)
    db.session.commit()
    choices, endings = _generate_runs(make_user, 40, random.Random(3))
    make_user("editor", roles=(Role.CONTENT_ADMIN,))
    login(client, "editor")
    page = client.get("/admin/scenarios/tiny-scenario").get_data(as_text=True)
    for ending, count in endings.items():
        row = re.search(rf'data-ending="{ending}">(.*?)</tr>', page, re.S).group(1)
        assert f'<td class="num">{count}</td>' in row
    for node in ("greet", "listen", "angry", "verify", "explain"):
        block = re.search(rf'data-node="{node}">(.*?)</article>', page, re.S).group(1)
        total = sum(c for (n, _), c in choices.items() if n == node)
        for index in range(2):
            row = re.search(rf'data-choice="{index}">(.*?)</tr>', block, re.S).group(1)
            count = choices[(node, index)]
            assert f'<td class="num">{count}</td>' in row
            assert f'<span class="share">{100 * count / total:.0f}%</span>' in row
    listing = client.get("/admin/scenarios").get_data(as_text=True)
    assert ">40</td>" in listing


def test_query_count_does_not_grow_with_runs(client, make_user, tmp_path):
    write_tree(tmp_path, {"quizzes/scenarios/tiny-scenario.yaml": TINY_SCENARIO})
    sync_content(tmp_path)
    db.session.commit()
    make_user("editor", roles=(Role.CONTENT_ADMIN,))
    login(client, "editor")
    rng = random.Random(5)
    _generate_runs(make_user, 5, rng)
    with count_queries() as few:
        client.get("/admin/scenarios/tiny-scenario")
    _generate_runs(make_user, 30, rng)
    with count_queries() as many:
        client.get("/admin/scenarios/tiny-scenario")
    assert len(many) == len(few)


def test_analytics_are_for_content_admins_only(client, make_user, tmp_path):
    write_tree(tmp_path, {"quizzes/scenarios/tiny-scenario.yaml": TINY_SCENARIO})
    sync_content(tmp_path)
    db.session.commit()
    make_user("emp")
    login(client, "emp")
    assert client.get("/admin/scenarios").status_code == 403
    assert client.get("/admin/scenarios/tiny-scenario").status_code == 403
