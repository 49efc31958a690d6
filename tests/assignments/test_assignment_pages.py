"""The assignments pages from the outside: the list with its figures, the new-assignment page (create,
scope, confirmation), stop."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.assignments.models import Assignment, Requirement
from app.auth.models import Role
from app.core.models import AuditEvent
from app.extensions import db
from tests.conftest import count_queries, csrf_token, login

NEW = "/hr/assignments/new"


def _post(client, **fields):
    data = {"csrf_token": csrf_token(client, NEW), "course": "tiny-course", "audience": "BJ",
            "positions": "", "cycle": "annual", "kind": "window", "starts_on": "2026-01-01",
            "window_start": "01-01", "window_end": "12-31", "due_date": "", "due_month_day": "", "days": ""}
    data.update(fields)
    return client.post(NEW, data=data)


def test_branch_hr_assigns_within_its_branch(client, make_user, tiny_content, org):
    make_user("hr_bj", roles=(Role.HR,), unit="BJ", scope="BJ")
    make_user("t1", unit="BJ01")
    make_user("t2", unit="SH01")
    login(client, "hr_bj")
    page = client.get(NEW).get_data(as_text=True)
    assert '<option value="BJ01">' in page and 'value="SH01"' not in page
    assert '<option value="">' not in page  # no "whole bank" for a branch
    created = _post(client)
    assert created.status_code == 302 and created.headers["Location"] == "/hr/assignments"
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


@pytest.mark.parametrize(("roles", "scope", "whole_bank"), [
    ((Role.HR,), "HO", True),         # head-office HR
    ((Role.HR,), "BJ", False),        # branch HR: its own branch only
    ((Role.ADMIN,), None, True),      # an administrator answers for the whole bank
])
def test_the_new_assignment_page_opens_for_each_role_allowed(client, make_user, tiny_content, org, roles, scope,
                                                              whole_bank):
    make_user("allowed", roles=roles, unit="HO", scope=scope)
    login(client, "allowed")
    response = client.get(NEW)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="assignment-form"' in page and 'name="csrf_token"' in page
    assert '<option value="BJ01">' in page and ('<option value="">' in page) is whole_bank
    assert 'href="/hr/assignments"' in page  # back to the list


@pytest.mark.parametrize("roles", [(Role.EMPLOYEE,), (Role.CONTENT_ADMIN,), (Role.HR,)])
def test_the_new_assignment_page_is_refused_to_others(client, make_user, tiny_content, org, roles):
    user = make_user("refused", roles=roles, unit="BJ01")
    user.hr_scope = None  # an HR role without a part of the bank to answer for is refused too
    db.session.commit()
    login(client, "refused")
    assert client.get(NEW).status_code == 403
    form = {"csrf_token": csrf_token(client, "/account"), "course": "tiny-course", "audience": "BJ",
            "cycle": "annual", "kind": "window", "starts_on": "2026-01-01", "window_start": "01-01",
            "window_end": "12-31"}
    assert client.post(NEW, data=form).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_the_new_assignment_page_asks_anonymous_visitors_to_sign_in(client, tiny_content, org):
    response = client.get(NEW)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_list_links_to_the_new_assignment_page_and_holds_no_form(client, make_user, tiny_content, org):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    login(client, "hr_ho")
    listing = client.get("/hr/assignments").get_data(as_text=True)
    assert f'href="{NEW}"' in listing and "新建必修安排" in listing
    assert 'name="audience"' not in listing and 'class="assignment-form"' not in listing
    assert client.post("/hr/assignments", data={"csrf_token": csrf_token(client, "/hr/assignments")}).status_code == 405


def test_creating_needs_csrf_and_is_audited(client, make_user, tiny_content, org):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    make_user("t1", unit="BJ01")
    login(client, "hr_ho")
    assert _post(client, csrf_token="forged").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    done = client.post(NEW, data={"csrf_token": csrf_token(client, NEW), "course": "tiny-course", "audience": "BJ",
                                  "cycle": "annual", "kind": "window", "starts_on": "2026-01-01",
                                  "window_start": "01-01", "window_end": "12-31"}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and done.request.path == "/hr/assignments" and "已布置" in page
    assignment = db.session.scalar(select(Assignment))
    assert f'data-assignment="{assignment.id}"' in page and "北京分行" in page and "测试课程" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.create"))
    assert event is not None and event.details["assignment"] == assignment.id


def test_the_list_reads_its_rows_in_one_go_whatever_their_number(client, make_user, tiny_content, org):
    make_user("hr_ho", roles=(Role.HR,), unit="HO", scope="HO")
    make_user("t1", unit="BJ01")
    login(client, "hr_ho")
    _post(client, audience="BJ")
    with count_queries() as one:
        client.get("/hr/assignments")
    for audience in ("SH", "SH01", "BJ01"):
        assert _post(client, audience=audience).status_code == 302
    with count_queries() as four:
        listing = client.get("/hr/assignments").get_data(as_text=True)
    assert listing.count("data-assignment=") == 4 and listing.count("测试课程") == 4
    assert len(four) == len(one)
