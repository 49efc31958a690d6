"""Xiaobao as N stateless app servers (deploy/stack.sh: PostgreSQL, Redis, two gunicorn instances,
nginx in front), tested from the outside: a play and a sign-in carry from one instance to the other,
a rate limit holds across both, and killing one instance under load loses no committed answer and
records none twice."""

from __future__ import annotations

import concurrent.futures
import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app import create_app
from app.auth.models import Role
from app.auth.services import create_user
from app.core.time import local_now
from app.extensions import db
from app.org.models import OrgKind
from app.org.services import create_unit
from app.public.models import Campaign, PublicAnswer, PublicPlay
from tests.conftest import PASSWORD, REPO

pytestmark = pytest.mark.stack
STACK = REPO / "deploy" / "stack.sh"
CAMPAIGN = "antifraud-winter-2026"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUESTION_RE = re.compile(r'name="question" value="(\d+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    front: str  # nginx
    a: str  # one app instance, directly
    b: str  # the other
    ports: tuple[int, int]
    app: object  # an app on the stack's database, for looking at what was stored


def _missing() -> list[str]:
    missing = [tool for tool in ("nginx", "redis-server") if not shutil.which(tool)]
    return missing + ([] if glob.glob("/usr/lib/postgresql/*/bin/initdb") else ["postgresql"])


@pytest.fixture(scope="module")
def stack():
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing: .ci/run must install postgresql, redis-server and nginx")
        pytest.skip(f"the stack needs {', '.join(missing)} (apt-get install postgresql redis-server nginx)")
    folder = Path(tempfile.mkdtemp(prefix="xiaobao-stack-"))  # in /tmp: the postgres user must reach it
    if os.geteuid() == 0:
        os.chmod(folder, 0o777)  # PostgreSQL refuses to run as root: the script starts it as postgres
    ports = (_free_port(), _free_port())
    http, pg = _free_port(), _free_port()
    env = {**os.environ, "STACK_DIR": str(folder), "STACK_HTTP_PORT": str(http), "STACK_PG_PORT": str(pg),
           "STACK_APP_PORTS": f"{ports[0]} {ports[1]}", "STACK_REDIS_PORT": str(_free_port()),
           # every player of these tests comes from 127.0.0.1: the public limits are raised, not the sign-in one
           "FLASK_PUBLIC_PLAY_RATE_LIMIT": "100000 per minute", "FLASK_PUBLIC_ANSWER_RATE_LIMIT": "100000 per minute",
           "FLASK_PUBLIC_RATE_LIMIT": "100000 per minute", "FLASK_PUBLIC_PLAYS_PER_ADDRESS_PER_DAY": "100000 per day"}
    subprocess.run(["bash", str(STACK), "start"], env=env, check=True, timeout=300, capture_output=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"postgresql://postgres@127.0.0.1:{pg}/xiaobao",
                      "SECRET_KEY": "unused", "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 1024})
    try:
        with app.app_context():
            _prepare(app)
        yield Stack(f"http://127.0.0.1:{http}", f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", ports, app)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        subprocess.run(["bash", str(STACK), "stop"], env=env, timeout=120, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _prepare(app) -> None:
    """The campaign running today and one employee, made through the app's own services."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == CAMPAIGN))
    today = local_now().date()
    campaign.starts_on, campaign.ends_on = today - timedelta(days=1), today + timedelta(days=9)
    campaign.attempts_per_day = 1000
    head = create_unit("HO", "总行", OrgKind.HEAD_OFFICE, None)
    create_user("emp", name="张三", roles={Role.EMPLOYEE}, hasher=app.extensions["passwords"], password=PASSWORD,
                org_unit=head, employee_no="E1")
    db.session.commit()


def _answers(app, tokens: set[str]) -> tuple[int, int]:
    """Answers stored for these plays, and how many distinct (play, question position) they are."""
    with app.app_context():
        mine = select(PublicPlay.id).where(PublicPlay.token.in_(tokens))
        rows = db.session.scalar(select(func.count(PublicAnswer.id)).where(PublicAnswer.play_id.in_(mine)))
        distinct = db.session.scalar(select(func.count()).select_from(
            select(PublicAnswer.play_id, PublicAnswer.position).where(PublicAnswer.play_id.in_(mine)).distinct().subquery()))
        db.session.remove()
    return rows, distinct


def _start(session: requests.Session, base: str) -> tuple[str, str]:
    page = session.get(f"{base}/c/{CAMPAIGN}")
    csrf = CSRF_RE.search(page.text).group(1)
    started = session.post(f"{base}/c/{CAMPAIGN}/play", data={"csrf_token": csrf, "track": "elderly"},
                           allow_redirects=False)
    assert started.status_code == 302, started.status_code
    return started.headers["Location"].split("/")[2], csrf


def _answer(session: requests.Session, base: str, token: str, position: int, csrf: str, question: str):
    return session.post(f"{base}/p/{token}/{position}", data={"csrf_token": csrf, "question": question, "choice": "0"},
                        headers={"X-Requested-With": "fetch"}, timeout=30)


def test_a_play_and_a_sign_in_carry_from_one_instance_to_the_other(stack):
    player = requests.Session()
    token, csrf = _start(player, stack.a)
    page = player.get(f"{stack.b}/p/{token}/1")
    answered = _answer(player, stack.b, token, 1, csrf, QUESTION_RE.search(page.text).group(1))
    assert answered.status_code == 200 and 'class="verdict' in answered.text

    staff = requests.Session()
    form = staff.get(f"{stack.a}/login")
    signed = staff.post(f"{stack.a}/login", data={"csrf_token": CSRF_RE.search(form.text).group(1), "username": "emp",
                                                 "password": PASSWORD}, allow_redirects=False)
    assert signed.status_code == 302
    assert staff.get(f"{stack.b}/learn", allow_redirects=False).status_code == 200  # signed in there too


def test_the_sign_in_rate_limit_holds_across_both_instances(stack):
    visitor = requests.Session()
    csrf = CSRF_RE.search(visitor.get(f"{stack.a}/login").text).group(1)
    statuses = [visitor.post(f"{base}/login", data={"csrf_token": csrf, "username": f"nobody{n}", "password": "x"},
                             allow_redirects=False).status_code
                for n, base in enumerate([stack.a, stack.b] * 6)]
    # 10 a minute from one address in all (the sign-in of the test before counts too), not 10 per instance
    # or per worker: 12 tries alternating between the instances end refused, and stay refused
    refused_from = statuses.index(429)
    assert 8 <= refused_from <= 10 and set(statuses[refused_from:]) == {429}


def test_killing_an_instance_under_load_loses_no_committed_answer_and_records_none_twice(stack):
    jobs = []
    for _play in range(24):
        player = requests.Session()
        token, csrf = _start(player, stack.front)
        jobs += [(player, token, position, csrf, str(question)) for position, question in _drawn(stack, token)]

    def post(job):
        player, token, position, csrf, question = job
        try:
            return _answer(player, stack.front, token, position, csrf, question).status_code
        except requests.RequestException:
            return 0

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        first = list(pool.map(post, jobs[:80]))
        _kill(stack.ports[0])
        rest = list(pool.map(post, jobs[80:]))
    # what a player's page does when an answer got no reply: post it again (409: it was recorded)
    retried = [post(job) for job, status in zip(jobs, first + rest, strict=True) if status != 200]
    rows, distinct = _answers(stack.app, {job[1] for job in jobs})
    assert rows == distinct == len(jobs)  # every answer recorded, none twice
    assert all(status in (200, 409) for status in retried)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{stack.a}/healthz", timeout=5)  # that instance is gone…
    assert requests.get(f"{stack.front}/healthz").status_code == 200  # …and nginx serves on from the other


def _drawn(stack: Stack, token: str) -> list[tuple[int, int]]:
    """(position, question id) of a play's drawn questions, as stored with the play."""
    with stack.app.app_context():
        play = db.session.scalar(select(PublicPlay).where(PublicPlay.token == token))
        drawn = [(position, play.question_at(position).question_id) for position in range(1, play.question_count + 1)]
        db.session.remove()
    return drawn


def _kill(port: int) -> None:
    """Kill -9 one instance's gunicorn master and workers (their command line names the port)."""
    found = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout.split()
    for pid in found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)


