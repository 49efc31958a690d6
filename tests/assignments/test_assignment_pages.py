"""The assignments page from the outside: create, figures, scope, stop."""

from __future__ import annotations

from sqlalchemy import func, select

from app.assignments.models import Assignment, Requirement
from app.auth.models import Role
from app.extensions import db
from tests.conftest import csrf_token, login


def _post(client, **fields):
    data = {"csrf_token": csrf_token(client, "/hr/assignments"), "course": "tiny-course", "audience": "BJ",
            "positions": "", "cycle": "annual", "kind": "window", "starts_on": "2026-01-01",
            "window_start": "01-01", "window_end": "12-31", "due_date": "", "due_month_day": "", "days": ""}
    data.update(fields)
    return client.post("/hr/assignments", data=data)


def test_branch_hr_assigns_within_its_branch(client, make_user, tiny_content, org):
    make_user("hr_bj", roles=(Role.HR,), unit="BJ", scope="BJ")
    make_user("t1", unit="BJ01")
    make_user("t2", unit="SH01")
    login(client, "hr_bj")
    page = client.get("/hr/assignments").get_data(as_text=True)
    assert '<option value="BJ01">' in page and 'value="SH01"' not in page
    assert '<option value="">' not in page  # no "whole bank" for a branch
    assert _post(client).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 1
    listing = client.get("/hr/assignments").get_data(as_text=True)
    assert '<td class="num">1</td><td class="num">0</td>' in listing
    assert _post(client, audience="SH").status_code == 400  # not a choice offered to this user
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1


def test_bad_rules_are_named_on_their_field(client, make_user, tiny_content, org):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr_ho")
    reversed_window = _post(client, window_start="07-01", window_end="03-31")
    assert reversed_window.status_code == 400 and "窗口关闭日期早于开放日期" in reversed_window.get_data(as_text=True)
    relative_annual = _post(client, kind="relative", days="30")
    assert relative_annual.status_code == 400
    bad_day = _post(client, window_start="13-45")
    assert bad_day.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_stop_is_scoped_and_keeps_completed_history(client, app, make_user, tiny_content, org):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    make_user("hr_sh", roles=(Role.HR,), unit="SH", scope="SH")
    make_user("t1", unit="BJ01")
    login(client, "hr_ho")
    _post(client)
    assignment = db.session.scalar(select(Assignment))
    other = app.test_client()
    login(other, "hr_sh")
    stop_url = f"/hr/assignments/{assignment.id}/deactivate"
    assert other.post(stop_url, data={"csrf_token": csrf_token(other, "/hr/assignments")}).status_code == 404
    assert client.post(stop_url, data={"csrf_token": csrf_token(client, "/hr/assignments")}).status_code == 302
    db.session.refresh(assignment)
    assert not assignment.active
    assert db.session.scalar(select(func.count()).select_from(Requirement).where(Requirement.active.is_(True))) == 0


def test_employees_cannot_open_assignments(client, make_user, tiny_content, org):
    make_user("emp")
    login(client, "emp")
    assert client.get("/hr/assignments").status_code == 403


def test_a_due_date_already_past_asks_for_confirmation_with_the_count(client, make_user, tiny_content, org):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    for n in range(3):
        make_user(f"t{n}", unit="BJ01")
    login(client, "hr_ho")
    past = {"cycle": "once", "kind": "fixed", "starts_on": "2025-01-01", "due_date": "2025-03-31", "audience": "BJ"}
    warning = _post(client, **past)
    page = warning.get_data(as_text=True)
    assert warning.status_code == 200 and "将有3人立即逾期" in page and 'name="confirm_overdue" type="hidden" value="3"' in page
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    confirmed = _post(client, **past, confirm_overdue="3")
    assert confirmed.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 3


def test_a_half_yearly_cycle_is_due_at_the_end_of_each_half(client, make_user, tiny_content, org):
    from datetime import date

    from app.assignments import rules

    rule = rules.DueRule("fixed", "semiannual", date(2026, 1, 1))
    rule.check()
    assert rules.period_for(rule, date(2026, 3, 1)) == rules.Period("2026H1", date(2026, 1, 1), date(2026, 6, 30))
    assert rules.period_for(rule, date(2026, 9, 1)) == rules.Period("2026H2", date(2026, 7, 1), date(2026, 12, 31))
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    make_user("t1", unit="BJ01")
    login(client, "hr_ho")
    assert _post(client, cycle="semiannual", kind="fixed", confirm_overdue="1").status_code == 302
    period = db.session.scalar(select(Requirement.period))
    assert period.endswith(("H1", "H2"))
    overview = client.get("/hr").get_data(as_text=True)  # "due now" counts this half-year's requirement
    assert "当前应完成" in overview and "测试课程" in overview  # the per-course table counts it
