"""Reminder emails through a real SMTP server (aiosmtpd on 127.0.0.1) started by the test."""

from __future__ import annotations

import email
import socket
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.assignments import services
from app.assignments.models import Reminder
from app.assignments.rules import DueRule
from app.auth.models import Role
from app.content.models import Course
from app.extensions import db

TODAY = date(2026, 11, 23)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    with socket.socket() as probe:  # a free loopback port (aiosmtpd cannot take port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    yield inbox
    controller.stop()


def _body(message, subtype: str = "plain") -> str:
    part = next(p for p in message.walk() if p.get_content_type() == f"text/{subtype}")
    return part.get_payload(decode=True).decode("utf-8")


def test_employees_and_their_hr_are_reminded_once_a_day(runner, smtp, make_user, tiny_content, org):
    hr = make_user("hr_bj", roles=(Role.HR,), unit="BJ", scope="BJ", name="北京人力")
    late = make_user("late", unit="BJ01", name="迟到者")
    soon = make_user("soon", unit="BJ01", name="快到期")
    far = make_user("far", unit="SH01", name="上海远期")
    for user in (hr, late, soon, far):
        user.email = f"{user.username}@bank.example"
    course = db.session.scalar(select(Course))
    services.create_assignment(course, audience=org["BJ01"], positions=[], actor=hr, scope=None,
                               rule=DueRule("fixed", "once", date(2026, 1, 1), due_date=date(2026, 11, 20)), today=TODAY)
    db.session.flush()
    soon_requirement = services.open_requirement(soon.id, course.id)
    soon_requirement.due_date = date(2026, 11, 26)
    services.create_assignment(course, audience=org["SH01"], positions=[], actor=hr, scope=None,
                               rule=DueRule("fixed", "once", date(2026, 1, 1), due_date=date(2027, 6, 30)), today=TODAY)
    db.session.commit()

    result = runner.invoke(args=["reminders", "send", "--days", "7", "--today", "2026-11-23"])
    assert result.exit_code == 0, result.output
    to = sorted(m["To"] for m in smtp.messages)
    assert to == ["hr_bj@bank.example", "late@bank.example", "soon@bank.example"]  # not the one due next June
    late_mail = next(m for m in smtp.messages if m["To"] == "late@bank.example")
    assert "已逾期" in _body(late_mail) and "2026-11-20" in _body(late_mail)
    digest = next(m for m in smtp.messages if m["To"] == "hr_bj@bank.example")
    assert "迟到者" in _body(digest) and "快到期" in _body(digest) and "上海远期" not in _body(digest)

    again = runner.invoke(args=["reminders", "send", "--days", "7", "--today", "2026-11-23"])
    assert again.exit_code == 0 and len(smtp.messages) == 3  # nothing twice on the same day
    assert db.session.scalar(select(db.func.count()).select_from(Reminder)) == 3
    runner.invoke(args=["reminders", "send", "--days", "7", "--today", "2026-11-24"])
    assert len(smtp.messages) == 6


def test_an_unreachable_mail_server_records_nothing(runner, app, make_user, tiny_content, org):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1)  # nothing listens there
    user = make_user("late", unit="BJ01")
    user.email = "late@bank.example"
    services.create_assignment(db.session.scalar(select(Course)), audience=None, positions=[], actor=user, scope=None,
                               rule=DueRule("fixed", "once", date(2026, 1, 1), due_date=date(2026, 11, 20)), today=TODAY)
    db.session.commit()
    result = runner.invoke(args=["reminders", "send", "--today", "2026-11-23"])
    assert result.exit_code != 0 and "could not send mail" in result.output
    assert db.session.scalar(select(db.func.count()).select_from(Reminder)) == 0


def test_every_message_is_one_mail_systems_accept(runner, smtp, make_user, tiny_content, org):
    hr = make_user("hr_bj", roles=(Role.HR,), unit="BJ", scope="BJ", name="北京人力")
    late = make_user("late", unit="BJ01", name="迟到者")
    hr.email, late.email = "hr@bank.example", "late@bank.example"
    services.create_assignment(db.session.scalar(select(Course)), audience=org["BJ01"], positions=[], actor=hr,
                               scope=None, today=TODAY,
                               rule=DueRule("fixed", "once", date(2026, 1, 1), due_date=date(2026, 11, 20)))
    db.session.commit()
    assert runner.invoke(args=["reminders", "send", "--today", "2026-11-23"]).exit_code == 0
    assert len(smtp.messages) == 2
    for message in smtp.messages:
        assert message["Date"] and message["Message-ID"] and message.is_multipart()
        plain, html = _body(message), _body(message, "html")
        assert "None" not in plain and "None" not in html
        assert '<a href="http' in html and "http" in plain


def test_hr_reminds_now_one_person_or_all_shown_at_most_once_a_day(client, smtp, make_user, tiny_content, org):
    from app.core.models import AuditEvent
    from tests.conftest import csrf_token, login

    hr = make_user("hr_bj", roles=(Role.HR,), unit="BJ", scope="BJ", name="北京人力")
    first = make_user("first", unit="BJ01", name="甲")
    second = make_user("second", unit="BJ01", name="乙")
    outsider = make_user("outsider", unit="SH01", name="上海丙")
    for user in (first, second, outsider):
        user.email = f"{user.username}@bank.example"
    services.create_assignment(db.session.scalar(select(Course)), audience=None, positions=[], actor=hr, scope=None,
                               today=TODAY, rule=DueRule("fixed", "once", date(2026, 1, 1), due_date=date(2026, 2, 1)))
    db.session.commit()
    login(client, "hr_bj")
    page = client.get("/hr/overdue").get_data(as_text=True)
    assert "甲" in page and "上海丙" not in page
    token = csrf_token(client, "/hr/overdue")
    one = client.post("/hr/overdue/remind", data={"csrf_token": token, "user": [first.id]}, follow_redirects=True)
    assert [m["To"] for m in smtp.messages] == ["first@bank.example"] and "已发送提醒：1" in one.get_data(as_text=True)
    everyone = client.post("/hr/overdue/remind", data={"csrf_token": token, "user": [first.id, second.id, outsider.id]},
                           follow_redirects=True).get_data(as_text=True)
    assert sorted(m["To"] for m in smtp.messages) == ["first@bank.example", "second@bank.example"]  # not twice, not outside
    assert "今天已提醒过：1" in everyone
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reminder.manual")).all()
    assert len(events) == 2 and events[0].actor_id == hr.id
