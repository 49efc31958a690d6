"""HR on the overdue list in a real browser: a row's Remind button reminds that person only, once."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.assignments import services
from app.assignments.rules import DueRule
from app.auth.models import Role
from app.content.models import Course
from app.core.time import business_today
from app.extensions import db
from tests.assignments.test_reminders import smtp  # noqa: F401  (the fixture: a real SMTP server)
from tests.conftest import PASSWORD


def test_a_rows_remind_button_reminds_that_person_only(page, live_server, smtp, make_user, tiny_content, org):  # noqa: F811
    hr = make_user("hr_bj", roles=(Role.HR,), unit="BJ", scope="BJ", name="北京人力")
    people = [make_user(f"late{n}", unit="BJ01", name=f"逾期{n}") for n in range(3)]
    for person in people:
        person.email = f"{person.username}@bank.example"
    today = business_today()
    services.create_assignment(db.session.scalar(select(Course)), audience=org["BJ"], positions=[], actor=hr,
                               scope=None, today=today,
                               rule=DueRule("fixed", "once", date(today.year - 1, 1, 1), due_date=date(today.year - 1, 2, 1)))
    db.session.commit()

    page.goto(f"{live_server}/login")
    page.fill('input[name="username"]', "hr_bj")
    page.fill('input[name="password"]', PASSWORD)
    page.click('main form button[type="submit"]')
    page.goto(f"{live_server}/hr/overdue?period=once")
    page.locator("#overdue tbody tr", has_text="逾期1").get_by_role("button", name="提醒").click()
    page.wait_for_url(re.compile(r".*/hr/overdue\?period=once$"))
    assert "已发送提醒：1" in page.locator(".flash").inner_text()
    assert [m["To"] for m in smtp.messages] == ["late1@bank.example"]
    assert page.locator("#overdue tbody tr").count() == 3  # the list is shown again, as it was

    # an impatient double click: the second submission is stopped (the button sits outside its form)
    button = page.locator("#overdue tbody tr", has_text="逾期2").get_by_role("button", name="提醒")
    prevented = button.evaluate("""(button) => {
        const seen = [];
        window.addEventListener("submit", (event) => { seen.push(event.defaultPrevented); event.preventDefault(); });
        button.click();
        button.click();
        return seen;
    }""")
    assert prevented == [False, True]
