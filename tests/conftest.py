"""Shared fixtures: a real database (SQLite file, or PostgreSQL via TEST_DATABASE_URL) built by
the migrations once per session and emptied after every test; data made through the services."""

from __future__ import annotations

import os
import re
import textwrap
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import Role
from app.auth.services import create_user
from app.content.loader import Bundle, load_tree
from app.content.services import sync_bundle, sync_content
from app.core.database import dispose_lean_engine
from app.extensions import db
from app.org.models import OrgKind
from app.org.services import create_unit

PASSWORD = "Correct-horse-42"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database, migrated to head once for the whole session."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(_test_config(url), instance_path=str(tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def fresh_database_url(tmp_path) -> str:
    """An empty database of its own (beside the session's), for tests that migrate or fill one themselves."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path}/migrations.db"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS xiaobao_migrations"))
        conn.execute(text("CREATE DATABASE xiaobao_migrations"))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/xiaobao_migrations"


def _test_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 1024,
        "CONTENT_ROOT": str(REPO),
        "SERVER_NAME": None,
        # lessons can be marked read at once (tests/security/test_assessment.py turns the minimum on)
        "LESSON_MIN_READ_CHARS_PER_MINUTE": 0,
        # tests answer public quizzes at machine speed (tests/security/test_public_and_files.py sets it)
        "PUBLIC_MIN_SECONDS_PER_QUESTION": 0,
        # boards ranked on every view (tests/public/test_catalogue_cache.py turns the ranking's cache on)
        "PUBLIC_LEADERBOARD_SECONDS": 0,
    }


class IsolatedClient(FlaskClient):
    """Runs every request in its own app context, as a real server does.

    The test itself holds an app context open (to use db.session); without this, requests would
    share its ``g`` and the signed-in user would leak from one request into the next.
    """

    def run_wsgi_app(self, environ, buffered=False):
        with self.application.app_context():
            return super().run_wsgi_app(environ, buffered=buffered)

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        db.session.expire_all()  # see what the request committed
        return response


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh app on the session database; every table is emptied afterwards."""
    app = create_app(_test_config(database_url), instance_path=str(tmp_path / "instance"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        dispose_lean_engine(app)
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in ("courses", "quizzes", "scenarios", "public_modules"):
                conn.execute(text(f"UPDATE {table} SET current_version_id = NULL"))
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def hasher(app):
    return app.extensions["passwords"]


@pytest.fixture
def org(app):
    """A small bank: head office, two branches, a sub-branch under each."""
    head = create_unit("HO", "总行", OrgKind.HEAD_OFFICE)
    bj = create_unit("BJ", "北京分行", OrgKind.BRANCH, head)
    sh = create_unit("SH", "上海分行", OrgKind.BRANCH, head)
    bj1 = create_unit("BJ01", "北京分行朝阳支行", OrgKind.SUB_BRANCH, bj)
    sh1 = create_unit("SH01", "上海分行浦东支行", OrgKind.SUB_BRANCH, sh)
    db.session.commit()
    return {"HO": head, "BJ": bj, "SH": sh, "BJ01": bj1, "SH01": sh1}


@pytest.fixture
def make_user(app, hasher, org):
    """Create an account through the account service; returns the user."""
    counter = {"n": 0}

    def make(username=None, *, roles=(Role.EMPLOYEE,), unit="BJ01", scope=None, name="张小明",
             password=PASSWORD):
        counter["n"] += 1
        user = create_user(
            username or f"user{counter['n']}", name=name, roles=set(roles), hasher=hasher,
            password=password, org_unit=org[unit], hr_scope=org[scope] if scope else None,
            employee_no=f"E{counter['n']:05d}",
        )
        db.session.commit()
        return user

    return make


@contextmanager
def count_queries():
    """Count the SQL statements sent while the block runs."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def csrf_token(client, url: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    match = CSRF_RE.search(client.get(url).get_data(as_text=True))
    assert match, f"no csrf_token on {url}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    """Sign in through the real form."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    """The bundled content files, read and checked once for the whole session."""
    loaded, issues = load_tree(REPO)
    assert not issues, [str(i) for i in issues]
    return loaded


@pytest.fixture
def bundled_content(app, bundle):
    """All bundled content, loaded by the real sync service."""
    report = sync_bundle(bundle)
    db.session.commit()
    return report


@pytest.fixture
def public_content(app, bundle):
    """The bundled public site only (modules, question pools, campaigns), loaded by the real sync service."""
    report = sync_bundle(Bundle(modules=bundle.modules, public_quizzes=bundle.public_quizzes, campaigns=bundle.campaigns))
    db.session.commit()
    return report


TINY_COURSE = {
    "courses/tiny-course/course.yaml": """\
        title: 测试课程
        title_en: Test course
        summary: 一门用于测试的小课程。
        minutes: 10
        lessons:
          - 01-intro.md
          - case-01.md
        exam: tiny-exam
        """,
    "courses/tiny-course/01-intro.md": """\
        ---
        kind: lesson
        title: 第一课
        minutes: 3
        remember:
          - 要点一
          - 要点二
        ---
        ## 情景

        柜面上的一个情景。<script>alert(1)</script>

        | 权利 | 含义 |
        |---|---|
        | 知情权 | 了解真实信息 |
        """,
    "courses/tiny-course/case-01.md": """\
        ---
        kind: case
        title: 案例一
        minutes: 4
        ---
        ## 背景
        背景文字
        ## 经过
        经过文字
        ## 问题分析
        分析文字
        ## 依据
        依据文字
        ## 处理结果
        结果文字
        ## 启示
        启示文字
        ## 讨论
        讨论文字
        """,
    "quizzes/tiny-exam.yaml": """\
        title: 测试考试
        draw: 3
        pass_mark: 60
        max_attempts: 2
        time_limit: 10
        questions:
          - id: s1
            type: single
            stem: 单选题干
            options:
              A: 选项甲
              B: 选项乙
              C: 选项丙
            answer: B
            explanation: 单选解析SECRET-EXPLANATION-1
            tags: [测试]
            rule: 测试规则
            basis: [§2]
          - id: m1
            type: multiple
            stem: 多选题干
            options:
              A: 多甲
              B: 多乙
              C: 多丙
              D: 多丁
            answer: [A, C, D]
            explanation: 多选解析SECRET-EXPLANATION-2
            tags: [测试]
            rule: 测试规则
            basis: [§2]
          - id: t1
            type: truefalse
            stem: 判断题干
            answer: 错
            explanation: 判断解析SECRET-EXPLANATION-3
            tags: [测试]
            rule: 测试规则
            basis: [§2]
        """,
}
TINY_ANSWERS = {"单选题干": ["B"], "多选题干": ["A", "C", "D"], "判断题干": ["false"]}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write content files (dedented) under ``root``."""
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    return root


@pytest.fixture
def tiny_content(app, tmp_path):
    """A one-course bundle (two lessons, a three-question exam) loaded by the real sync service."""
    root = write_tree(tmp_path / "content", TINY_COURSE)
    sync_content(root)
    db.session.commit()
    return root
