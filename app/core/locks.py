"""One run at a time for the scheduled jobs that every app server's cron may start at once.

On PostgreSQL: a session-level advisory lock held on a connection of its own, so the job's commits
and rollbacks (on other connections) never drop it, and a crashed job's lock goes with its
connection. On SQLite, which one machine serves: an exclusive file lock beside the database file
(where SQLite writes its journal), so two app folders on one database still exclude each other."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for the job ``name`` (PostgreSQL's advisory lock keys are bigint)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8, person=b"xiaobao-job").digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Hold the lock of the job ``name`` for the block when nobody else holds it; yields whether it is held."""
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock(lock_key(name)) as held:
            yield held
    else:
        with _file_lock(lock_path(name)) as held:
            yield held


@contextmanager
def _advisory_lock(key: int) -> Iterator[bool]:
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")  # no transaction left open while the job runs
        held = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        try:
            yield held
        finally:
            if held:
                _advisory_unlock(conn, key)


def _advisory_unlock(conn, key: int) -> None:
    try:
        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    except DBAPIError:
        conn.invalidate()  # the server ends the session, and the session's locks with it


def lock_path(name: str) -> Path:
    """The file locked while the job ``name`` runs on SQLite: beside the database, else in the instance folder."""
    database = db.engine.url.database
    on_disk = database and database != ":memory:" and not database.startswith("file:")
    folder = Path(database).resolve().parent if on_disk else Path(current_app.instance_path)
    stem = Path(database).name if on_disk else "xiaobao"
    return folder / f"{stem}.{re.sub(r'[^a-z0-9]+', '-', name.lower())}.lock"


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        try:
            yield held
        finally:
            if held:
                fcntl.flock(fh, fcntl.LOCK_UN)


def one_at_a_time(name: str) -> Callable:
    """Make a scheduled command run under ``job_lock(name)``; a second start says so and does nothing."""
    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def run(*args, **kwargs):
            with job_lock(name) as held:
                if not held:
                    click.echo(_("flask %(job)s is already running (on this server or another): nothing was done.",
                                 job=name))
                    return None
                return command(*args, **kwargs)
        return run
    return decorate
