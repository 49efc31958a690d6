"""Playing a role-play through the pages: legal moves only, resume, debrief, course completion."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.content.scenario_graph import reply_key
from app.content.services import sync_content
from app.extensions import db
from app.learning.models import Completion
from app.quizzes.models import RunStatus, ScenarioDecision, ScenarioRun
from tests.conftest import TINY_ANSWERS, TINY_COURSE, csrf_token, login, write_tree
from tests.learning.helpers import answers_for, finish_lessons, open_exam, start_course
from tests.scenario_fixture import TINY_SCENARIO

SCENARIO = "tiny-scenario"


def _load(tmp_path, with_requirement=False):
    files = dict(TINY_COURSE)
    files[f"quizzes/scenarios/{SCENARIO}.yaml"] = TINY_SCENARIO
    if with_requirement:
        files["courses/tiny-course/course.yaml"] = files["courses/tiny-course/course.yaml"].rstrip(" ") + (
            f"        scenarios:\n          - id: {SCENARIO}\n            min_score: 90\n"
        )
    root = write_tree(tmp_path / "content", files)
    sync_content(root)
    db.session.commit()


def _start(client) -> str:
    response = client.post(f"/learn/scenarios/{SCENARIO}/start",
                           data={"csrf_token": csrf_token(client, f"/learn/scenarios/{SCENARIO}")})
    assert response.status_code == 302
    return response.headers["Location"]


def _reply(client, url, choice, node=None, step=None):
    """Post the reply written ``choice``-th in the file, by the opaque key its page shows for it."""
    page = client.get(url).get_data(as_text=True)
    node = node or re.search(r'name="node" value="([^"]+)"', page).group(1)
    step = step if step is not None else int(re.search(r'name="step" value="(\d+)"', page).group(1))
    run = db.session.scalar(select(ScenarioRun).where(ScenarioRun.token == url.rsplit("/", 1)[-1]))
    return client.post(url, data={"csrf_token": csrf_token(client, url), "node": node, "step": step,
                                  "reply": reply_key(run.seed, node, choice)})


def _decisions() -> int:
    return db.session.scalar(select(func.count()).select_from(ScenarioDecision))


def test_play_to_a_good_ending_and_read_the_debrief(client, make_user, tmp_path):
    _load(tmp_path)
    make_user("emp")
    login(client, "emp")
    url = _start(client)
    page = client.get(url).get_data(as_text=True)
    assert "你们凭什么扣我年费？" in page and "李先生快步走进大堂。" in page
    assert "表明负责" not in page  # feedback only after choosing
    _reply(client, url, 0)
    page = client.get(url).get_data(as_text=True)
    assert "表明负责" in page and "银保监办发〔2022〕90号" in page and "办卡时说免年费的！" in page
    for _ in range(3):
        _reply(client, url, 0)
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/debrief")
    debrief = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "当场化解" in debrief and "100%" in debrief and '<svg class="chart"' in debrief
    assert "你做得很好。" in debrief
    run = db.session.scalar(select(ScenarioRun))
    assert run.status == RunStatus.FINISHED and run.passed and run.outcome == "resolved"
    assert [d.node_id for d in db.session.scalars(select(ScenarioDecision).order_by(ScenarioDecision.step))] == [
        "greet", "listen", "verify", "explain"]


def test_red_line_fails_and_the_debrief_shows_the_best_path(client, make_user, tmp_path):
    _load(tmp_path)
    make_user("emp")
    login(client, "emp")
    url = _start(client)
    _reply(client, url, 0)
    _reply(client, url, 1)  # "我保证一定全退。" — a red line
    debrief = client.get(url + "/debrief").get_data(as_text=True)
    run = db.session.scalar(select(ScenarioRun))
    assert not run.passed and run.red_line
    assert "核实前承诺结果。" in debrief and "今天提交，15日内给您书面答复。" in debrief  # best path shown


def test_illegal_replies_get_400_and_record_nothing(client, make_user, tmp_path):
    _load(tmp_path)
    make_user("emp")
    login(client, "emp")
    url = _start(client)
    assert _reply(client, url, 7).status_code == 400              # no such choice
    assert _reply(client, url, 0, node="verify").status_code == 400  # not the current node
    assert _reply(client, url, 0, step=3).status_code == 400         # a step from the future
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "node": "greet", "step": "x",
                                      "reply": "0"})
    assert response.status_code == 400
    assert _decisions() == 0
    run = db.session.scalar(select(ScenarioRun))
    assert run.current == "greet" and run.steps == 0


def test_double_submit_records_one_decision_and_reload_resumes(client, make_user, tmp_path):
    _load(tmp_path)
    make_user("emp")
    login(client, "emp")
    url = _start(client)
    first = _reply(client, url, 0, node="greet", step=0)
    again = _reply(client, url, 0, node="greet", step=0)
    assert first.status_code == again.status_code == 302
    assert _reply(client, url, 1, node="greet", step=0).status_code == 400  # a different answer to a past step
    assert _decisions() == 1
    page = client.get(url).get_data(as_text=True)
    assert 'data-node="listen"' in page
    assert _start(client) == url  # starting again resumes the open run


def test_another_learners_run_is_not_found(client, app, make_user, tmp_path):
    _load(tmp_path)
    make_user("alice")
    make_user("bob")
    login(client, "alice")
    url = _start(client)
    other = app.test_client()
    login(other, "bob")
    assert other.get(url).status_code == 404
    assert other.post(url, data={"csrf_token": csrf_token(other, "/learn"), "node": "greet", "step": 0,
                                 "reply": "0"}).status_code == 404


def test_a_required_scenario_gates_course_completion(client, make_user, tmp_path):
    _load(tmp_path, with_requirement=True)
    make_user("emp")
    login(client, "emp")
    start_course(client, "tiny-course")
    finish_lessons(client, "tiny-course", ["01-intro", "case-01"])
    url, page = open_exam(client, "tiny-course")
    client.post(url, data={"csrf_token": csrf_token(client, url), **answers_for(page, TINY_ANSWERS)})
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 0  # role-play still missing
    course_page = client.get("/learn/tiny-course").get_data(as_text=True)
    assert "测试情景" in course_page
    run_url = _start(client)
    for choice in (1, 0, 0, 0, 0):  # the detour through "angry": 5/9 points, below the course's 90
        _reply(client, run_url, choice)
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 0
    run_url = _start(client)
    for choice in (0, 0, 0, 0):
        _reply(client, run_url, choice)
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
