"""Anonymous quiz play from the outside: keys stay on the server, every refusal records nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy import text as sql

from app.content.models import Question
from app.core.database import LEAN_ENGINE
from app.extensions import db
from app.public.models import PublicAnswer, PublicPlay
from tests.public.conftest import (
    answer,
    answer_rows,
    page_token,
    play_row,
    play_through,
    question_form,
    start_play,
    today,
)

OPTION_RE = re.compile(r'<label class="option"><input ([^>]*)>')


def _answer_count() -> int:
    return db.session.scalar(select(func.count(PublicAnswer.id)))


def test_a_visitor_without_an_account_plays_a_whole_quiz(client, campaign):
    html = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "无需注册" in html and "个人信息" in html  # the page says nothing personal is needed
    play = start_play(client, campaign, nickname="王小丽", region="北京")
    assert client.get_cookie("xb_player") is not None
    for position in range(1, 11):
        assert answer(client, play, position).status_code == 303
        feedback = client.get(f"/p/{play}/{position}").get_data(as_text=True)
        assert "正确答案" in feedback and ("答对了" in feedback or "答错了" in feedback or "部分正确" in feedback)
    result = client.get(f"/p/{play}/result")
    assert result.status_code == 200
    row = play_row(play)
    assert row.finished_at is not None and row.question_count == 10 and row.counts
    assert row.percent == round(sum(a.points for a in answer_rows(play)) * 10, 2)
    board = client.get(f"/c/{campaign.slug}/leaderboard?board=today").get_data(as_text=True)
    assert "王*丽" in board and "王小丽" not in board


def test_no_answer_key_or_explanation_reaches_the_player_before_answering(client, campaign):
    entry = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    play = start_play(client, campaign)
    row = play_row(play)
    for position, (question_id, _order, *_key) in enumerate(row.drawn, 1):
        question = db.session.get(Question, question_id)
        _, shown_id, html = question_form(client, play, position)
        assert int(shown_id) == question_id
        for text in (question.explanation["zh_Hans"], question.explanation["zh_Hant"], question.rule):
            assert text[:30] not in html and text[:30] not in entry
        assert "is-key" not in html and "tag-ok" not in html and "verdict" not in html
        # options are posted by their place on screen, and every option's markup is the same
        inputs = OPTION_RE.findall(html)
        assert len(inputs) == (2 if question.kind == "truefalse" else len(question.options))
        assert {re.sub(r'value="\d+"', "", i) for i in inputs} == {re.sub(r'value="\d+"', "", inputs[0])}
        assert [re.search(r'value="(\d+)"', i).group(1) for i in inputs] == [str(i) for i in range(len(inputs))]
        answer(client, play, position)
        after = client.get(f"/p/{play}/{position}").get_data(as_text=True)
        assert question.explanation["zh_Hans"][:30] in after and "is-key" in after


def test_an_answer_cannot_be_changed_and_the_refusal_records_nothing(client, campaign):
    play = start_play(client, campaign)
    assert answer(client, play, 1, ("0",)).status_code == 303
    first = answer_rows(play)[0]
    csrf, question_id, _ = page_token(client, f"/c/{campaign.slug}"), str(first.question_id), None
    response = client.post(f"/p/{play}/1", data={"csrf_token": csrf, "question": question_id, "choice": ["1"]},
                           follow_redirects=True)
    assert "这道题已经作答，答案不能修改" in response.get_data(as_text=True)
    rows = answer_rows(play)
    assert len(rows) == 1 and rows[0].choice == first.choice and rows[0].id == first.id


def test_a_double_submit_records_once_without_an_error(client, campaign):
    play = start_play(client, campaign)
    csrf, question_id, _ = question_form(client, play, 1)
    data = {"csrf_token": csrf, "question": question_id, "choice": ["0"]}
    assert client.post(f"/p/{play}/1", data=data).status_code == 303
    again = client.post(f"/p/{play}/1", data=data, follow_redirects=True).get_data(as_text=True)
    assert "已经作答" not in again and len(answer_rows(play)) == 1


def test_answers_outside_the_draw_are_refused_and_record_nothing(client, campaign):
    play = start_play(client, campaign)
    row = play_row(play)
    drawn = {d[0] for d in row.drawn}
    pool = row.quiz_version.questions
    undrawn = next(q.id for q in pool if q.id not in drawn)
    csrf, _, _ = question_form(client, play, 1)
    before = _answer_count()
    for position, question_id in ((1, undrawn), (1, row.drawn[1][0]), (11, row.drawn[0][0]), (0, row.drawn[0][0])):
        response = client.post(f"/p/{play}/{position}", data={"csrf_token": csrf, "question": str(question_id),
                                                               "choice": ["0"]})
        assert response.status_code == 400
        assert "这道题不在本次答题范围内" in response.get_data(as_text=True)
    impossible = client.post(f"/p/{play}/1", data={"csrf_token": csrf, "question": str(row.drawn[0][0]),
                                                   "choice": ["9"]}, follow_redirects=True)
    assert "请先选择答案" in impossible.get_data(as_text=True)
    no_token = client.post(f"/p/{play}/1", data={"question": str(row.drawn[0][0]), "choice": ["0"]})
    assert no_token.status_code == 400 and "表单已过期" in no_token.get_data(as_text=True)
    garbage = client.post(f"/p/{play}/1", data={"csrf_token": csrf, "question": "x1", "choice": ["0"]})
    assert garbage.status_code == 400
    assert _answer_count() == before


def test_only_the_player_who_started_a_play_can_answer_it(app, client, campaign):
    play = start_play(client, campaign)
    stranger = app.test_client()
    csrf = page_token(stranger, f"/c/{campaign.slug}")
    question_id = str(play_row(play).drawn[0][0])
    response = stranger.post(f"/p/{play}/1", data={"csrf_token": csrf, "question": question_id, "choice": ["0"]},
                             follow_redirects=True)
    assert "另一部手机或浏览器" in response.get_data(as_text=True)
    assert answer_rows(play) == []


def test_answering_too_fast_hits_the_rate_limit_with_a_clear_page_and_records_nothing(app, client, campaign):
    app.config["PUBLIC_ANSWER_RATE_LIMIT"] = "3 per minute"
    play = start_play(client, campaign)
    for position in (1, 2, 3):
        assert answer(client, play, position).status_code == 303
    csrf, question_id, _ = question_form(client, play, 4)
    response = client.post(f"/p/{play}/4", data={"csrf_token": csrf, "question": question_id, "choice": ["0"]})
    assert response.status_code == 429
    assert "请求过于频繁" in response.get_data(as_text=True) or "稍等" in response.get_data(as_text=True)
    assert len(answer_rows(play)) == 3


def test_starting_plays_is_rate_limited_too(app, client, campaign):
    app.config["PUBLIC_PLAY_RATE_LIMIT"] = "2 per minute"
    start_play(client, campaign)
    start_play(client, campaign)
    response = start_play(client, campaign, expect_ok=False)
    assert response.status_code == 429
    assert db.session.scalar(select(func.count(PublicPlay.id))) == 2


def test_the_daily_cap_refuses_a_further_play_and_the_best_score_counts(client, campaign):
    campaign.attempts_per_day = 2
    db.session.commit()
    first = start_play(client, campaign, nickname="阿明")
    play_through(client, first, choice=("0",))
    client.get(f"/p/{first}/result")
    second = start_play(client, campaign, nickname="阿明")
    play_through(client, second, choice=("1",))
    client.get(f"/p/{second}/result")
    refused = start_play(client, campaign, expect_ok=False)
    assert "今天的答题次数已用完" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(PublicPlay.id))) == 2
    best = max(play_row(first).percent, play_row(second).percent)
    board = client.get(f"/c/{campaign.slug}/leaderboard?board=all").get_data(as_text=True)
    assert board.count("阿*") == 1 and f">{round(best)}<" in board.replace(" ", "")


def test_an_upcoming_campaign_shows_coming_soon_and_refuses_plays(client, campaign):
    campaign.starts_on, campaign.ends_on = today() + timedelta(days=3), today() + timedelta(days=10)
    db.session.commit()
    html = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "即将开始" in html and 'action="/c/antifraud-winter-2026/play"' not in html
    csrf = page_token(client, "/m/fake-police")
    response = client.post(f"/c/{campaign.slug}/play", data={"csrf_token": csrf, "track": "elderly"},
                           follow_redirects=True)
    assert "活动还没有开始" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PublicPlay.id))) == 0


def test_after_the_end_the_quiz_is_practice_and_stays_off_the_leaderboard(client, campaign):
    campaign.starts_on, campaign.ends_on = today() - timedelta(days=30), today() - timedelta(days=1)
    db.session.commit()
    assert "成绩不再计入排行榜" in client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    play = start_play(client, campaign, nickname="练习者")
    play_through(client, play)
    assert "练习模式" in client.get(f"/p/{play}/result").get_data(as_text=True)
    assert not play_row(play).counts
    assert "练*者" not in client.get(f"/c/{campaign.slug}/leaderboard?board=all").get_data(as_text=True)


def test_ties_on_the_leaderboard_go_to_the_faster_player(app, campaign):
    players = []
    for name, seconds in (("慢慢来", 300), ("快快答", 60)):
        client = app.test_client()
        play = start_play(client, campaign, nickname=name)
        play_through(client, play, choice=("0",))
        client.get(f"/p/{play}/result")
        players.append((client, play, seconds))
    # same answers at the same places are not guaranteed; make the scores equal and keep the times apart
    for _client, play, seconds in players:
        row = play_row(play)
        row.percent, row.seconds = 80.0, seconds
    db.session.commit()
    board = players[0][0].get(f"/c/{campaign.slug}/leaderboard?board=today").get_data(as_text=True)
    assert board.index("快*答") < board.index("慢*来")


def test_nicknames_are_checked_and_a_refused_one_starts_nothing(client, campaign):
    for nickname, message in (("客服小王", "请换一个昵称"), ("13800138000", "手机号"), ("超" * 13, "最多12个字")):
        response = start_play(client, campaign, nickname=nickname, expect_ok=False)
        assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(PublicPlay.id))) == 0


def test_the_results_page_points_to_the_modules_for_the_questions_missed(client, campaign):
    play = start_play(client, campaign)
    row = play_row(play)
    # answer everything wrong on purpose: the first displayed option that is not the key
    for position, (question_id, order, *_key) in enumerate(row.drawn, 1):
        key = set(db.session.get(Question, question_id).answer)
        wrong = next(str(i) for i, option in enumerate(order) if option not in key)
        assert answer(client, play, position, (wrong,)).status_code == 303
    html = client.get(f"/p/{play}/result").get_data(as_text=True)
    modules = {db.session.get(Question, d[0]).module for d in row.drawn}
    assert play_row(play).percent == 0
    for slug in modules:
        assert f'href="/m/{slug}"' in html


def test_a_module_ends_with_practice_questions_played_the_same_way(client, public_content):
    html = client.get("/m/fake-police").get_data(as_text=True)
    assert "怎么办" in html and "危险信号" in html
    csrf = page_token(client, "/m/fake-police")
    response = client.post("/m/fake-police/practice", data={"csrf_token": csrf})
    play = response.headers["Location"].split("/")[2]
    row = play_row(play)
    assert row.campaign_id is None and 3 <= row.question_count <= 5
    play_through(client, play, count=row.question_count)
    assert "返回知识模块" in client.get(f"/p/{play}/result").get_data(as_text=True)


def test_the_poster_is_a_png_with_the_score(client, campaign):
    from io import BytesIO

    from PIL import Image

    play = start_play(client, campaign)
    assert client.get(f"/p/{play}/poster.png").status_code == 404  # not before the end
    play_through(client, play)
    client.get(f"/p/{play}/result")
    response = client.get(f"/p/{play}/poster.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(BytesIO(response.data))
    assert image.size == (750, 1100)
    # the score is drawn in red, and the QR code in teal, well inside the picture
    rgb = image.convert("RGB")
    colours = {rgb.getpixel((x, y)) for x in range(0, 750, 3) for y in range(0, 1100, 3)}
    assert (200, 64, 47) in colours and (15, 92, 99) in colours
    assert 'src="/p/' in client.get(f"/p/{play}/share").get_data(as_text=True)


def test_the_lobby_poster_carries_a_qr_code(client, campaign):
    html = client.get(f"/c/{campaign.slug}/poster").get_data(as_text=True)
    assert "<svg" in html and "@page" not in html  # print rules live in the stylesheet, not inline
    assert client.get(f"/c/{campaign.slug}/poster?b=HO-aaaaaaaaaaaa").status_code == 404


def test_elder_friendly_mode_sticks_across_pages_and_reloads(client, campaign):
    assert ' elder"' not in client.get("/").get_data(as_text=True)
    csrf = page_token(client, "/")
    client.post("/elder", data={"csrf_token": csrf, "next": f"/c/{campaign.slug}"})
    for path in ("/", f"/c/{campaign.slug}", "/m/fake-police", "/m/fake-police"):
        assert 'class="public elder"' in client.get(path).get_data(as_text=True)
    client.post("/elder", data={"csrf_token": page_token(client, "/"), "next": "/"})
    assert ' elder"' not in client.get("/").get_data(as_text=True)


def test_public_pages_stay_light_for_slow_phones(app, client, campaign):
    from pathlib import Path

    static_dir = Path(app.static_folder)
    static = sum((static_dir / name).stat().st_size for name in ("css/app.css", "js/app.js"))
    play = start_play(client, campaign)
    for path in ("/", f"/c/{campaign.slug}", "/m", "/m/fake-police", f"/p/{play}/1", f"/c/{campaign.slug}/leaderboard"):
        response = client.get(path)
        assert response.status_code == 200
        assert len(response.data) + static < 200 * 1024, path
        html = response.get_data(as_text=True)
        assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # no CDN
    campaign_page = client.get(f"/c/{campaign.slug}").data
    assert len(campaign_page) + static < 60 * 1024  # the link shared in every group: under 60 KB before images


def test_each_track_names_the_modules_its_people_meet(client, campaign):
    html = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    blocks = html.split('class="track-option"')[1:]
    assert len(blocks) == 4
    elderly = next(b for b in blocks if 'value="elderly"' in b)
    student = next(b for b in blocks if 'value="student"' in b)
    assert "先读一读：" in elderly and 'href="/m/elderly-scam"' in elderly
    assert 'href="/m/elderly-scam"' not in student


def test_the_page_script_answers_in_one_request_and_gets_the_answered_state(client, campaign):
    play = start_play(client, campaign)
    csrf, question_id, _html = question_form(client, play, 1)
    fetched = client.post(f"/p/{play}/1", data={"csrf_token": csrf, "question": question_id, "choice": ["0"]},
                          headers={"X-Requested-With": "fetch"})
    html = fetched.get_data(as_text=True)
    assert fetched.status_code == 200 and "<html" not in html  # the fragment alone, no redirect
    assert 'class="verdict' in html and 'class="explanation"' in html and f'href="/p/{play}/2"' in html
    assert len(answer_rows(play)) == 1
    # the page shows the same answered state after a reload
    page = client.get(f"/p/{play}/1").get_data(as_text=True)
    assert html.split('class="verdict', 1)[1][:60] in page
    again = client.post(f"/p/{play}/1", data={"csrf_token": csrf, "question": question_id, "choice": ["1"]},
                        headers={"X-Requested-With": "fetch"})
    assert again.status_code == 409 and again.get_json() == {"error": "already_answered"}
    assert len(answer_rows(play)) == 1


def test_two_plays_with_the_same_question_and_choice_each_get_their_own_way_on(client, campaign):
    """The answered state is rendered once per question, order, choice and language: the link onward
    is still each play's own, and the last question leads to that play's score."""
    first = start_play(client, campaign)
    drawn = play_row(first).drawn
    second = start_play(client, campaign)
    # make the second play's first and last questions the first play's first, in the same order
    row = play_row(second)
    row.drawn = [drawn[0], *row.drawn[1:-1], drawn[0]]
    db.session.commit()
    fetched = {}
    for play, position in ((first, 1), (second, 1), (second, 10)):
        if position == 10:  # answer the rest of the second play first
            for earlier in range(2, 10):
                assert answer(client, play, earlier).status_code == 303
        csrf, question_id, _ = question_form(client, play, position)
        response = client.post(f"/p/{play}/{position}", data={"csrf_token": csrf, "question": question_id,
                                                               "choice": ["0"]}, headers={"X-Requested-With": "fetch"})
        assert response.status_code == 200
        fetched[(play, position)] = response.get_data(as_text=True)
    assert f'href="/p/{first}/2"' in fetched[(first, 1)] and second not in fetched[(first, 1)]
    assert f'href="/p/{second}/2"' in fetched[(second, 1)] and first not in fetched[(second, 1)]
    assert f'href="/p/{second}/result"' in fetched[(second, 10)] and "查看我的成绩" in fetched[(second, 10)]
    # the same verdict, options and explanation for the same question and choice
    assert fetched[(first, 1)].split("<p><a")[0] == fetched[(second, 1)].split("<p><a")[0]


def test_the_last_answer_scores_the_play_in_its_own_transaction_and_the_result_page_makes_up_a_lost_score(
        client, campaign):
    play = start_play(client, campaign)
    play_through(client, play, choice=("0",))
    row = play_row(play)
    answers = answer_rows(play)
    assert row.finished_at == max(a.answered_at for a in answers) and row.finished_at.tzinfo is not None
    assert row.percent == round(sum(a.points for a in answers) * 10, 2) and row.seconds >= 1
    # a score lost between the last answer and its scoring (say, a server killed in between) is made up
    row.finished_at, row.points, row.percent, row.seconds = None, None, None, None
    db.session.commit()
    assert client.get(f"/p/{play}/result").status_code == 200
    db.session.expire_all()
    again = play_row(play)
    assert again.finished_at == max(a.answered_at for a in answers)
    assert again.percent == round(sum(a.points for a in answers) * 10, 2)


def test_the_last_answer_is_kept_when_its_scoring_fails_and_the_result_page_scores_it(
        client, campaign, monkeypatch):
    """Each of the answer's statements commits as it runs: a failure after the answer was written
    (here, in the scoring) does not take the answer with it."""
    from app.public import services

    play = start_play(client, campaign)
    play_through(client, play, count=9)

    def broken(*args, **kwargs):
        raise RuntimeError("scoring failed")

    monkeypatch.setattr(services, "score", broken)
    assert answer(client, play, 10).status_code == 500
    monkeypatch.undo()
    assert len(answer_rows(play)) == 10 and play_row(play).finished_at is None
    page = client.get(f"/p/{play}/result")
    assert page.status_code == 200
    db.session.expire_all()
    assert play_row(play).finished_at is not None


def test_an_answer_over_the_limit_says_when_to_come_back(app, client, campaign):
    app.config["PUBLIC_ANSWER_RATE_LIMIT"] = "1 per minute"
    play = start_play(client, campaign)
    assert answer(client, play, 1).status_code == 303
    response = answer(client, play, 2)
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 60


def test_an_answer_goes_through_when_the_database_dropped_its_pooled_connection(app, client, campaign):
    """The answer path's connections are not pinged before use (a round trip each): one the database
    dropped while it sat in the pool (a restart, a failover) is replaced when it fails, and the answer
    recorded once."""
    play = start_play(client, campaign)
    assert answer(client, play, 1).status_code == 303  # the answer path now holds a pooled connection
    engine = app.extensions[LEAN_ENGINE]
    pooled = engine.raw_connection()
    driver = pooled.dbapi_connection
    pooled.close()  # back in the pool, alive
    if engine.dialect.name == "postgresql":
        db.session.execute(sql("SELECT pg_terminate_backend(:pid)"), {"pid": driver.info.backend_pid})
        db.session.commit()
    else:
        driver.close()
    assert answer(client, play, 2).status_code == 303
    assert [a.position for a in answer_rows(play)] == [1, 2]


def test_the_answer_form_carries_a_token_of_its_play_and_player_and_needs_no_session(client, campaign):
    first = start_play(client, campaign)
    second = start_play(client, campaign)
    token_first, question_id, _ = question_form(client, first, 1)
    token_second, _, _ = question_form(client, second, 1)
    assert token_first != token_second
    # another play's token does not answer this one: the friendly CSRF page, nothing recorded
    refused = client.post(f"/p/{second}/1", data={"csrf_token": token_first, "question": question_id,
                                                  "choice": ["0"]})
    assert refused.status_code == 400 and "表单已过期" in refused.get_data(as_text=True)
    assert answer_rows(second) == []
    # the play's own token answers without the session (a phone that lost it, or never kept it)
    client.delete_cookie("session")
    _, own_question, _ = question_form(client, first, 1)
    ok = client.post(f"/p/{first}/1", data={"csrf_token": token_first, "question": own_question, "choice": ["0"]},
                     headers={"X-Requested-With": "fetch"})
    assert ok.status_code == 200 and 'class="verdict' in ok.get_data(as_text=True)
    assert len(answer_rows(first)) == 1
