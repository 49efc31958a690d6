"""Scheduled jobs started by every app server's cron at once: one runs, the others say so and do nothing.

The lock is held from this test process (a connection or file of its own) while the command runs,
and the commands are also started as two real `flask` processes at the same moment."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask_babel import refresh
from sqlalchemy import func, select

from app.assignments import services
from app.assignments.models import Reminder, Requirement
from app.assignments.rules import DueRule
from app.auth.models import Role
from app.content.models import Course
from app.core.locks import job_lock, lock_key
from app.extensions import db
from tests.conftest import REPO

TODAY = date(2026, 11, 23)
ANNUAL = DueRule("window", "annual", date(2026, 1, 1), window=((1, 1), (12, 31)))
JOBS = {
    "requirements sync": ["requirements", "sync", "--today", "2027-01-02"],
    "reminders send": ["reminders", "send", "--today", "2026-11-23"],
    "uploads sweep": ["uploads", "sweep"],
    "exams close-overdue": ["exams", "close-overdue"],
}
BUSY_EN = "is already running (on this server or another): nothing was done."


@pytest.fixture
def annual(tiny_content, org, make_user):
    """Two tellers in BJ01 who must take the course every year, with an email address each, and their HR."""
    hr = make_user("hr_bj", roles=(Role.HR,), unit="BJ", scope="BJ", name="北京人力")
    people = [make_user(f"teller{n}", unit="BJ01", name=f"柜员{n}") for n in (1, 2)]
    for user in (hr, *people):
        user.email = f"{user.username}@bank.example"
    course = db.session.scalar(select(Course))
    services.create_assignment(course, audience=org["BJ01"], positions=[], rule=ANNUAL, actor=hr, scope=None,
                               today=TODAY)
    db.session.commit()
    return people


def _periods() -> list[tuple[int, str]]:
    db.session.expire_all()
    return sorted((user_id, period) for user_id, period in db.session.execute(select(Requirement.user_id, Requirement.period)))


def test_the_lock_key_of_a_job_never_changes_between_releases():
    # servers on the old and the new release run side by side during a deploy: they must agree on the key
    assert lock_key("reminders send") == 7631524161252649730
    assert lock_key("requirements sync") == -8373866049060256034
    assert len({lock_key(name) for name in JOBS}) == len(JOBS)


@pytest.mark.parametrize("job", JOBS)
def test_a_job_started_while_another_server_runs_it_says_so_and_exits_0(app, runner, job):
    with job_lock(job) as held:
        assert held
        chinese = runner.invoke(args=JOBS[job], env={"XIAOBAO_LANG": "zh_Hans"})
        refresh()  # a command line runs once per process; here the test's app context cached the locale
        english = runner.invoke(args=JOBS[job], env={"XIAOBAO_LANG": "en"})
    assert (chinese.exit_code, english.exit_code) == (0, 0), (chinese.output, english.output)
    assert chinese.output == f"flask {job} 正在运行（在本服务器或另一台服务器上）：本次什么也没做。\n"
    assert english.output == f"flask {job} {BUSY_EN}\n"


def test_a_requirements_sync_that_finds_the_job_running_changes_nothing_and_runs_later(app, runner, annual):
    before = _periods()
    with job_lock("requirements sync"):
        refused = runner.invoke(args=JOBS["requirements sync"], env={"XIAOBAO_LANG": "en"})
        with job_lock("requirements sync") as second:
            assert not second  # not even this process takes it twice
    assert f"flask requirements sync {BUSY_EN}" in refused.output and _periods() == before
    first = runner.invoke(args=JOBS["requirements sync"])
    again = runner.invoke(args=JOBS["requirements sync"])
    assert "2 created" in first.output and "0 created" in again.output  # the lock went with the job
    assert _periods() == sorted(before + [(user.id, "2027") for user in annual])


def _flask(args: list[str], database_url: str, **env: str) -> subprocess.Popen:
    """`flask ARGS` as cron starts it on one of the app servers."""
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("flask")), *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": database_url, "SECRET_KEY": "shared-by-all-servers",
             "XIAOBAO_LANG": "en", **env},
    )


def _together(args: list[str], database_url: str, **env: str) -> list[tuple[int, str]]:
    """Start the command on two "servers" at the same moment; their exit codes and outputs."""
    processes = [_flask(args, database_url, **env) for _server in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    return [(process.returncode, output) for process, output in zip(processes, outputs, strict=True)]


def test_requirements_sync_on_two_servers_at_once_creates_each_requirement_once(app, annual, database_url):
    before = _periods()
    runs = _together(JOBS["requirements sync"], database_url)
    assert [code for code, _out in runs] == [0, 0], runs
    outputs = sorted(out for _code, out in runs)
    assert sum("2 created" in out for out in outputs) == 1, outputs
    assert all("2 created" in out or "0 created" in out or BUSY_EN in out for out in outputs), outputs
    assert _periods() == sorted(before + [(user.id, "2027") for user in annual])


class SlowInbox:
    """An SMTP server that takes a second over each message, so the first sender holds the lock a while."""

    def __init__(self):
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        await asyncio.sleep(1)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def slow_smtp():
    inbox = SlowInbox()
    with socket.socket() as probe:  # a free loopback port (aiosmtpd cannot take port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_reminders_sent_from_two_servers_at_once_reach_each_person_once(app, annual, database_url, slow_smtp):
    inbox, port = slow_smtp
    runs = _together(["reminders", "send", "--days", "60", "--today", "2026-11-23"], database_url,
                     SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
    assert [code for code, _out in runs] == [0, 0], runs
    assert sorted(out for _code, out in runs) == [
        "2026-11-23: reminded 2 employee(s) and 1 HR user(s)\n", f"flask reminders send {BUSY_EN}\n"]
    assert sorted(inbox.recipients) == ["hr_bj@bank.example", "teller1@bank.example", "teller2@bank.example"]
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 3
