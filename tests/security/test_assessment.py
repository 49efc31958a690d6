"""Assessment integrity from the outside: reply order tells nothing, review follows the bank's policy,
exam answers survive reloads and deadlines, lessons count as read only when read."""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta

import itsdangerous
import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.content import scenario_graph as engine
from app.content.loader import load_tree
from app.extensions import db
from app.learning.models import Attempt, AttemptAnswer, AttemptStatus, LessonProgress
from app.quizzes.models import ScenarioRun
from tests.conftest import REPO, csrf_token, login
from tests.learning.helpers import finish_lessons, open_exam, start_course

SLUG = "tiny-course"
BUNDLED = load_tree(REPO)[0].scenarios


def _play(graph: engine.Graph, best: engine.BestPath, seed: str, pick) -> bool:
    """A run where the player takes ``pick(shown order)`` at every node; True when it passes."""
    current, path = graph.start, []
    while not graph.is_ending(current) and len(path) < 200:
        order = engine.reply_order(seed, current, len(graph.nodes[current].choices))
        index = pick(order)
        path.append(index)
        current = graph.nodes[current].choices[index].next
    position = engine.replay(graph, path)
    return position.finished and engine.grade(graph, position, best).passed


@pytest.mark.parametrize("slug", sorted(BUNDLED))
@pytest.mark.parametrize("strategy", ["first", "last"])
def test_always_taking_the_same_place_passes_under_five_percent(slug, strategy):
    graph = engine.graph_from_data(BUNDLED[slug].data)
    pick = (lambda order: order[0]) if strategy == "first" else (lambda order: order[-1])
    best = engine.replay(graph, BUNDLED[slug].best_path)
    best_path = engine.BestPath(BUNDLED[slug].best_path, best.scores, best.current)
    passes = sum(_play(graph, best_path, secrets.token_hex(16), pick) for _ in range(100))
    assert passes < 5, f"{slug}: always the {strategy} reply shown passed {passes} of 100 runs"


def test_the_page_shows_replies_in_the_runs_order_and_posts_opaque_keys(client, make_user, bundled_content):
    make_user("emp")
    login(client, "emp")
    orders = set()
    for _ in range(6):
        start = client.post("/learn/scenarios/safe-account-transfer/start",
                            data={"csrf_token": csrf_token(client, "/learn/scenarios/safe-account-transfer")})
        url = start.headers["Location"]
        page = client.get(url).get_data(as_text=True)
        assert client.get(url).get_data(as_text=True).count('name="reply"') == page.count('name="reply"')
        keys = re.findall(r'name="reply" value="([^"]+)"', page)
        assert keys == re.findall(r'name="reply" value="([^"]+)"', client.get(url).get_data(as_text=True))  # stable
        assert all(len(k) == 20 and not k.isdigit() for k in keys)
        run = db.session.scalar(select(ScenarioRun).where(ScenarioRun.token == url.rsplit("/", 1)[-1]))
        shown = [engine.index_of_key(run.seed, run.current, len(keys), k) for k in keys]
        assert shown == engine.reply_order(run.seed, run.current, len(keys))
        orders.add(tuple(shown))
        # abandon the run so that the next start opens a new one
        run.status = "finished"
        db.session.commit()
    assert len(orders) > 1  # the order differs from run to run


def _fail_an_attempt(client):
    url, page = open_exam(client, SLUG)
    wrong = {"单选题干": ["A"], "多选题干": ["B"], "判断题干": ["true"]}
    data = {}
    for position, block in re.findall(r'<fieldset class="question" id="q(\d+)"[^>]*>(.*?)</fieldset>', page, re.S):
        data[f"q{position}"] = next(v for stem, v in wrong.items() if stem in block)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_with_retakes_left_no_correct_option_is_shown(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    start_course(client, SLUG)
    finish_lessons(client, SLUG, ["01-intro", "case-01"])
    first = _fail_an_attempt(client)  # max_attempts 2: one retake left
    assert "0%" in first and "✗" in first and "测试" in first  # score, which were wrong, topics to re-read
    for secret in ("选项乙", "多甲", "多丙", "多丁", "SECRET-EXPLANATION", "正确答案：", "解析："):
        assert secret not in first
    last = _fail_an_attempt(client)  # no attempt left: the review opens
    assert "SECRET-EXPLANATION-1" in last and "选项乙" in last


def _attempt(client):
    start_course(client, SLUG)
    finish_lessons(client, SLUG, ["01-intro", "case-01"])
    url, page = open_exam(client, SLUG)
    return url, page, db.session.scalar(select(Attempt))


def _key_for(attempt: Attempt, stem_fragment: str) -> tuple[int, list[str]]:
    """The position of a question and its right answer as form values."""
    for answer in db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)):
        if stem_fragment in answer.question.stem["zh_Hans"]:
            return answer.position, list(answer.question.answer)
    raise AssertionError(stem_fragment)


def test_saved_answers_survive_a_reload_and_another_device(app, client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    url, _page, attempt = _attempt(client)
    position, key = _key_for(attempt, "单选题干")
    saved = client.post(url + "/save", data={"csrf_token": csrf_token(client, url), f"q{position}": key})
    assert saved.status_code == 302
    checked = rf'name="q{position}" value="{key[0]}" checked'
    assert re.search(checked, client.get(url).get_data(as_text=True))
    other = app.test_client()
    login(other, "emp")
    assert re.search(checked, other.get(url).get_data(as_text=True))
    ajax = client.post(url + "/save", data={"csrf_token": csrf_token(client, url), "only": position},
                       headers={"X-Requested-With": "fetch"})
    assert ajax.get_json() == {"saved": 1, "closed": False}  # the one question, cleared
    assert not re.search(checked, client.get(url).get_data(as_text=True))


def test_an_attempt_open_at_its_deadline_is_graded_on_what_was_saved(app, client, make_user, tiny_content, runner):
    make_user("emp")
    login(client, "emp")
    url, _page, attempt = _attempt(client)
    position, key = _key_for(attempt, "单选题干")
    client.post(url + "/save", data={"csrf_token": csrf_token(client, url), f"q{position}": key})
    attempt.deadline_at = attempt.started_at - timedelta(minutes=5)  # the time ran out meanwhile
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "共3题，已保存1题" in page
    assert db.session.get(Attempt, attempt.id).status == AttemptStatus.OPEN  # reading changed nothing
    result = runner.invoke(args=["exams", "close-overdue"])
    assert result.exit_code == 0 and "1 overdue attempt(s) graded" in result.output
    graded = db.session.get(Attempt, attempt.id)
    assert graded.status == AttemptStatus.EXPIRED and graded.score == 1.0
    again = runner.invoke(args=["exams", "close-overdue"])  # cron's next run, or a second server's
    assert again.exit_code == 0 and "0 overdue attempt(s) graded" in again.output
    late = client.post(url, data={"csrf_token": csrf_token(client, "/learn"), "q1": "A"})
    assert late.status_code == 302 and db.session.get(Attempt, attempt.id).score == 1.0  # nothing new counts


def test_handing_in_after_the_deadline_grades_the_saved_answers_not_the_late_ones(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    url, _page, attempt = _attempt(client)
    position, key = _key_for(attempt, "判断题干")
    client.post(url + "/save", data={"csrf_token": csrf_token(client, url), f"q{position}": key})
    attempt.deadline_at = attempt.started_at - timedelta(minutes=5)
    db.session.commit()
    everything = {f"q{p}": ["A", "B", "C", "D", "true"] for p in (1, 2, 3)}
    client.post(url, data={"csrf_token": csrf_token(client, "/learn"), **everything})
    graded = db.session.get(Attempt, attempt.id)
    assert graded.status == AttemptStatus.EXPIRED and graded.score == 1.0


def test_double_clicked_start_opens_one_attempt(client, make_user, tiny_content):
    make_user("emp")
    login(client, "emp")
    start_course(client, SLUG)
    finish_lessons(client, SLUG, ["01-intro", "case-01"])
    token = csrf_token(client, f"/learn/{SLUG}/exam")
    first = client.post(f"/learn/{SLUG}/exam/start", data={"csrf_token": token})
    second = client.post(f"/learn/{SLUG}/exam/start", data={"csrf_token": token})
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
    # and the database itself holds one open attempt per learner and exam, whatever path writes
    opened = db.session.scalar(select(Attempt))
    db.session.add(Attempt(token=secrets.token_hex(16), user_id=opened.user_id, enrollment_id=opened.enrollment_id,
                           quiz_version_id=opened.quiz_version_id, number=opened.number + 1, max_score=1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_lesson_counts_as_read_only_after_its_reading_time(app, client, make_user, tiny_content):
    app.config["LESSON_MIN_READ_CHARS_PER_MINUTE"] = 10  # the tiny lesson's text then takes a few minutes
    make_user("emp")
    login(client, "emp")
    start_course(client, SLUG)
    lesson_url = f"/learn/{SLUG}/lessons/01-intro"
    page = client.get(lesson_url).get_data(as_text=True)
    assert "至少阅读" in page or "counts as read" in page
    opened = re.search(r'name="opened" value="([^"]+)"', page).group(1)
    too_soon = client.post(lesson_url + "/done", data={"csrf_token": csrf_token(client, lesson_url), "opened": opened})
    assert too_soon.headers["Location"].endswith(lesson_url)
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0

    class HourAgo(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 3600

    # the same signed note the page carries, as if the page had been opened an hour ago
    user_id, lesson_id = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="lesson-opened").loads(opened)
    an_hour_ago = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="lesson-opened", signer=HourAgo)
    forged_elsewhere = URLSafeTimedSerializer("another-key", salt="lesson-opened", signer=HourAgo)
    client.post(lesson_url + "/done", data={"csrf_token": csrf_token(client, lesson_url),
                                            "opened": forged_elsewhere.dumps([user_id, lesson_id])})
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0
    client.post(lesson_url + "/done", data={"csrf_token": csrf_token(client, lesson_url),
                                            "opened": an_hour_ago.dumps([user_id, lesson_id])})
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1
