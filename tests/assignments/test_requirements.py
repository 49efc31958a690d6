"""Requirements follow assignments and people: joins, moves, leavers, earlier completions, new cycles."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.assignments import services
from app.assignments.models import Requirement
from app.assignments.rules import DueRule
from app.auth.models import Role
from app.content.models import Course
from app.extensions import db
from tests.conftest import TINY_ANSWERS, csrf_token, login
from tests.learning.helpers import answers_for, finish_lessons, open_exam, start_course

TODAY = date(2026, 11, 23)
ANNUAL = DueRule("window", "annual", date(2026, 1, 1), window=((1, 1), (12, 31)))


def _course():
    return db.session.scalar(select(Course).where(Course.slug == "tiny-course"))


def _requirements(**filters):
    return list(db.session.scalars(select(Requirement).filter_by(**filters).order_by(Requirement.user_id)))


@pytest.fixture
def people(make_user):
    hr = make_user("hr_bj", roles=(Role.HR, Role.EMPLOYEE), unit="BJ", scope="BJ", name="人力")
    teller = make_user("teller", unit="BJ01", name="柜员甲")
    manager = make_user("manager", unit="BJ01", name="经理乙")
    manager.position = "客户经理"
    teller.position = "柜员"
    shanghai = make_user("sh", unit="SH01", name="上海丙")
    db.session.commit()
    return {"hr": hr, "teller": teller, "manager": manager, "shanghai": shanghai}


def test_assignment_materialises_one_row_per_person_in_the_audience(tiny_content, org, people):
    services.create_assignment(_course(), audience=org["BJ"], positions=["柜员"], rule=ANNUAL,
                               actor=people["hr"], scope=org["BJ"], today=TODAY)
    db.session.commit()
    rows = _requirements()
    assert [r.user_id for r in rows] == [people["teller"].id]
    assert (rows[0].period, rows[0].window_start, rows[0].due_date) == ("2026", date(2026, 1, 1), date(2026, 12, 31))
    assert rows[0].org_path == org["BJ01"].path


def test_branch_hr_cannot_assign_outside_its_branch(tiny_content, org, people):
    for audience in (org["SH"], None):
        with pytest.raises(services.AssignmentError) as error:
            services.create_assignment(_course(), audience=audience, positions=[], rule=ANNUAL,
                                       actor=people["hr"], scope=org["BJ"], today=TODAY)
        assert error.value.code == "out_of_scope"


def test_moves_and_leavers_keep_requirements_right(tiny_content, org, people):
    assignment = services.create_assignment(_course(), audience=org["BJ"], positions=[], rule=ANNUAL,
                                            actor=people["hr"], scope=org["BJ"], today=TODAY)
    assert len(_requirements(active=True)) == 3  # hr (an employee too), teller, manager
    people["manager"].active = False                      # leaves the bank
    people["teller"].org_unit = org["SH01"]                # moves to Shanghai: out of the Beijing audience
    people["shanghai"].org_unit = org["BJ01"]             # moves into Beijing
    db.session.flush()
    report = services.sync_assignment(assignment, TODAY)
    assert (report.created, report.withdrawn) == (1, 2)
    assert {r.user_id for r in _requirements(active=True)} == {people["hr"].id, people["shanghai"].id}
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 4  # nothing deleted


def test_completions_count_for_requirements_and_earlier_ones_are_credited(app, client, tiny_content, org, people):
    login(client, "teller")
    start_course(client, "tiny-course")
    finish_lessons(client, "tiny-course", ["01-intro", "case-01"])
    url, page = open_exam(client, "tiny-course")
    client.post(url, data={"csrf_token": csrf_token(client, url), **answers_for(page, TINY_ANSWERS)})
    services.create_assignment(_course(), audience=org["BJ"], positions=[], rule=ANNUAL,
                               actor=people["hr"], scope=org["BJ"], today=TODAY)
    db.session.commit()
    mine = _requirements(user_id=people["teller"].id)[0]
    assert mine.completed_at is not None and mine.score == 100.0  # earned before the assignment existed
    assert _requirements(user_id=people["manager"].id)[0].completed_at is None


def test_a_new_annual_cycle_asks_for_the_course_again_and_keeps_history(app, client, tiny_content, org, people):
    assignment = services.create_assignment(_course(), audience=org["BJ01"], positions=["柜员"], rule=ANNUAL,
                                            actor=people["hr"], scope=org["BJ"], today=TODAY)
    db.session.commit()
    login(client, "teller")
    start_course(client, "tiny-course")
    finish_lessons(client, "tiny-course", ["01-intro", "case-01"])
    url, page = open_exam(client, "tiny-course")
    client.post(url, data={"csrf_token": csrf_token(client, url), **answers_for(page, TINY_ANSWERS)})
    assert _requirements(period="2026")[0].completed_at is not None
    services.sync_assignment(assignment, date(2027, 1, 2))  # the next year's cycle opens
    db.session.commit()
    new = _requirements(period="2027")[0]
    assert new.completed_at is None and new.due_date == date(2027, 12, 31)
    course_page = client.get("/learn/tiny-course").get_data(as_text=True)
    assert 'action="/learn/tiny-course/start"' in course_page  # a fresh start for the new cycle
    start_course(client, "tiny-course")
    assert _requirements(period="2027")[0].started_at is not None
    assert _requirements(period="2026")[0].completed_at is not None  # last year's record stays


def test_dashboard_shows_due_dates_with_overdue_first(client, tiny_content, org, people, tmp_path):
    from app.content.services import sync_content
    from tests.conftest import TINY_COURSE, write_tree

    second = {k.replace("tiny-course", "other-course").replace("tiny-exam", "other-exam"): v.replace("tiny-exam", "other-exam")
              for k, v in TINY_COURSE.items()}
    sync_content(write_tree(tmp_path / "more", {**TINY_COURSE, **second}))
    db.session.commit()
    other = db.session.scalar(select(Course).where(Course.slug == "other-course"))
    services.create_assignment(other, audience=org["BJ01"], positions=[], actor=people["hr"], scope=org["BJ"],
                               rule=DueRule("fixed", "once", date(2026, 1, 1), due_date=date(2026, 3, 31)),
                               today=date(2026, 11, 23))
    services.create_assignment(_course(), audience=org["BJ01"], positions=[], actor=people["hr"], scope=org["BJ"],
                               rule=DueRule("fixed", "once", date(2026, 1, 1), due_date=date(2099, 6, 30)),
                               today=date(2026, 11, 23))
    db.session.commit()
    login(client, "teller")
    page = client.get("/learn").get_data(as_text=True)
    assert page.index("/learn/other-course") < page.index("/learn/tiny-course")
    assert "已逾期" in page
