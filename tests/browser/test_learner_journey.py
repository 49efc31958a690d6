"""An employee completes 投诉处理与首问负责制 in a real browser and the certificate verifies."""

from __future__ import annotations

import re

import yaml
from sqlalchemy import select

from app.content.models import Scenario
from app.extensions import db
from app.learning.models import Completion
from tests.conftest import PASSWORD, REPO

COURSE = "complaint-handling"


def _answer_key() -> dict[str, dict]:
    """The bank as an author wrote it: stem → question (the test plays a learner who knows)."""
    bank = yaml.safe_load((REPO / "quizzes" / f"{COURSE}.yaml").read_text(encoding="utf-8"))
    return {q["stem"].strip(): q for q in bank["questions"]}


def _answer(page, fieldset, key: dict[str, dict]) -> None:
    legend = fieldset.locator("legend").inner_text()
    question = next(q for stem, q in key.items() if stem in legend)
    if question["type"] == "truefalse":
        value = "true" if str(question["answer"]) in ("对", "True", "true") else "false"
        fieldset.locator(f'input[value="{value}"]').check()
        return
    answers = question["answer"] if isinstance(question["answer"], list) else [question["answer"]]
    for letter in answers:
        fieldset.locator(f'input[value="{letter}"]').check()


def test_employee_completes_the_course_and_the_certificate_verifies(page, live_server, bundled_content, make_user):
    make_user("teller01", name="王晓丽")
    key = _answer_key()
    explanations = [q["explanation"].strip()[-40:] for q in key.values()]  # the end is what is specific
    seen_before_submit: list[str] = []  # every page the learner saw before submitting

    page.goto(f"{live_server}/learn")
    assert "/login" in page.url
    seen_before_submit.append(page.content())
    page.fill('input[name="username"]', "teller01")
    page.fill('input[name="password"]', PASSWORD)
    page.click('main form button[type="submit"]')
    page.wait_for_url(f"{live_server}/learn")
    seen_before_submit.append(page.content())
    page.click(f'a[href="/learn/{COURSE}"] >> nth=0')
    assert "投诉处理与首问负责制" in page.locator("h1").inner_text()

    page.click(f'form[action="/learn/{COURSE}/start"] button')
    lessons_seen = 0
    while "/lessons/" in page.url:
        seen_before_submit.append(page.content())
        assert page.locator("article.lesson h1").inner_text()
        if page.locator(".lesson-case").count():
            assert page.locator(".case-section").count() == 7
        lessons_seen += 1
        page.click('form[action$="/done"] button')
    assert lessons_seen >= 6 and page.url.endswith(f"/learn/{COURSE}/exam")

    page.click(f'form[action="/learn/{COURSE}/exam/start"] button')
    page.wait_for_url(re.compile(r".*/learn/attempts/[0-9a-f]+$"))
    seen_before_submit.append(page.content())
    for fieldset in page.locator("fieldset.question").all():
        _answer(page, fieldset, key)
    assert not any(text in seen_before_submit[-1] for text in explanations)
    page.click('#exam-form button[data-once]')  # "Submit answers" (the other button only saves)
    page.wait_for_url(re.compile(r".*/results$"))
    assert "100%" in page.locator(".score").inner_text()
    assert page.locator(".explanation").count() >= 10

    # The course also requires its role-play: the results page sends the learner there.
    page.click('main a[href="/learn/scenarios/complaint-first-contact"]')
    page.click('form[action="/learn/scenarios/complaint-first-contact/start"] button')
    best = db.session.scalar(select(Scenario).where(Scenario.slug == "complaint-first-contact")).current_version
    for index in best.best_path:  # replies are shown in the run's own order: find the best one by its words
        node = best.data["nodes"][page.locator("#now").get_attribute("data-node")]
        with page.expect_navigation():
            page.locator("form.reply button", has_text=node["choices"][index]["text"]["zh_Hans"]).click()
    page.wait_for_url(re.compile(r".*/debrief(#.*)?$"))
    page.click('main a[href^="/learn/certificates/"]')
    code = db.session.scalar(select(Completion.certificate_code))
    assert code in page.locator(".certificate").inner_text()
    assert "王晓丽" in page.locator(".cert-name").inner_text()
    assert page.locator(".certificate svg").count() == 1

    # Nothing shown before the submission carried an explanation.
    assert not any(text in html for html in seen_before_submit for text in explanations)

    anonymous = page.context.browser.new_context(locale="zh-CN")
    verify = anonymous.new_page()
    verify.goto(f"{live_server}/verify/{code}")
    text = verify.locator("main").inner_text()
    assert "王*丽" in text and "王晓丽" not in text and "投诉处理与首问负责制" in text
    anonymous.close()
