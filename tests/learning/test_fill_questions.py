"""Fill-in-the-blank questions in a staff exam: typed, saved, graded on normalised text, reviewed."""

from __future__ import annotations

from sqlalchemy import select

from app.content.services import sync_content
from app.extensions import db
from app.learning.models import Attempt, AttemptAnswer
from tests.conftest import TINY_COURSE, csrf_token, login, write_tree
from tests.learning.helpers import QUESTION_RE, finish_lessons, open_exam, start_course

SLUG = "tiny-course"
FILL_BANK = """\
    title: 填空考试
    draw: 2
    pass_mark: 60
    review: immediately
    questions:
      - id: f1
        type: fill
        stem: 存款保险实行限额偿付，最高偿付限额为人民币____万元。
        answer: [[50, 五十]]
        explanation: 《存款保险条例》规定的最高偿付限额。
        tags: [存款保险]
        rule: 《存款保险条例》
        basis: [§2]
      - id: f2
        type: fill
        stem: 金融消费者享有____权和____权等基本权利。
        answer: [知情, 自主选择]
        explanation: 八项基本权利之二。
        tags: [八项权利]
        rule: 《关于加强金融消费者权益保护工作的指导意见》
        basis: [§1]
"""


def _fill_course(tmp_path):
    files = dict(TINY_COURSE)
    files["quizzes/tiny-exam.yaml"] = FILL_BANK
    sync_content(write_tree(tmp_path / "content", files))
    db.session.commit()


def test_typed_answers_are_saved_graded_with_width_case_and_script_forgiven_and_reviewed(client, make_user,
                                                                                         app, tmp_path):
    _fill_course(tmp_path)
    make_user("emp")
    login(client, "emp")
    start_course(client, SLUG)
    finish_lessons(client, SLUG, ["01-intro", "case-01"])
    url, page = open_exam(client, SLUG)
    blocks = dict(QUESTION_RE.findall(page))
    assert "[50" not in page and "五十" not in page and "自主选择" not in page  # no key on the page
    two_blanks = next(p for p, block in blocks.items() if "知情" not in block and block.count('type="text"') == 2)
    one_blank = next(p for p in blocks if p != two_blanks)
    assert "(1)____" in blocks[two_blanks] and "(2)____" in blocks[two_blanks]

    token = csrf_token(client, url)
    saved = client.post(url + "/save",
                        data={"csrf_token": token, "only": one_blank, f"q{one_blank}": "５０"},
                        headers={"X-Requested-With": "fetch"})
    assert saved.status_code == 200
    assert 'value="５０"' in client.get(url).get_data(as_text=True)  # a reload shows what was typed

    response = client.post(url, data={"csrf_token": token, f"q{one_blank}": "５０", f"q{two_blanks}": ["知 情", "自主選擇X"]})
    results = client.get(response.headers["Location"]).get_data(as_text=True)
    attempt = db.session.scalar(select(Attempt))
    points = {a.position: a.points for a in db.session.scalars(select(AttemptAnswer))}
    assert points == {int(one_blank): 1.0, int(two_blanks): 0.5}  # 自主選擇X is not 自主选择
    assert attempt.percent == 75.0 and attempt.passed
    assert "５０" in results and "知 情；自主選擇X" in results and "知情；自主选择" in results  # typed, then the key
