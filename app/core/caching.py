"""Copies of records kept in each app server's memory, and how they stay right across servers.

- ``BoundedCache``: least-recently-used entries, for what never changes once written (a quiz version's
  questions, a rendered answered state): nothing to invalidate, only memory to bound.
- ``TimedCache``: the same, each entry rebuilt once older than the reader allows (a leaderboard's top).
- ``RevisionedCopy``: a value built from the database (the public catalogue), kept until its revision
  changes. Every ORM flush that writes a watched record bumps the revision's row in the same
  transaction (``watch``); this server drops its copy as soon as that commits, every other server
  when it next compares its copy's revision with the database's — at most ``check_seconds`` after.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.core.models import CacheRevision
from app.extensions import db

EXTENSION = "revisioned_copies"


class BoundedCache:
    """A bounded least-recently-used map, safe to share between threads."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


class TimedCache(BoundedCache):
    """A BoundedCache whose entries are rebuilt once older than ``seconds``: for what is read by many and
    may lag behind for that long (a leaderboard's top rows)."""

    def get_or_build(self, key: Hashable, build: Callable[[], Any], seconds: float = 0.0) -> Any:
        now = time.monotonic()
        built_at, value = super().get_or_build(key, lambda: (now, build()))
        if now - built_at < seconds:
            return value
        value = build()
        with self._lock:
            self._items[key] = (time.monotonic(), value)
        return value


def app_cache(name: str, size: int, kind: type[BoundedCache] = BoundedCache) -> BoundedCache:
    """This app's cache called ``name`` (made on first use)."""
    cache = current_app.extensions.get(name)
    if cache is None:
        cache = current_app.extensions[name] = kind(size)
    return cache


class RevisionedCopy:
    """The value ``build()`` returned, rebuilt when the database's revision ``name`` has moved on."""

    def __init__(self, name: str, build: Callable[[], Any], check_seconds: float):
        self.name, self.build, self.check_seconds = name, build, check_seconds
        self._value: Any = None
        self._revision: int | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self) -> Any:
        now = time.monotonic()
        if self._revision is not None and now - self._checked < self.check_seconds:
            return self._value
        revision = current_revision(self.name)
        with self._lock:
            if revision != self._revision:
                self._value, self._revision = self.build(), revision
            self._checked = now
            return self._value

    def drop(self) -> None:
        with self._lock:
            self._revision = None


def current_revision(name: str) -> int:
    return db.session.scalar(select(CacheRevision.revision).where(CacheRevision.name == name)) or 0


def copy_of(name: str, build: Callable[[], Any]) -> Any:
    """This app's copy called ``name`` (see RevisionedCopy), built by ``build`` when out of date."""
    copies = current_app.extensions.setdefault(EXTENSION, {})
    copy = copies.get(name)
    if copy is None:
        copy = copies[name] = RevisionedCopy(name, build, current_app.config["CACHE_CHECK_SECONDS"])
    return copy.get()


_WATCHED: dict[str, tuple[type, ...]] = {}


def watch(name: str, *models: type) -> None:
    """Writing any of ``models`` through the ORM bumps revision ``name`` in the same transaction."""
    _WATCHED[name] = tuple(models)


@event.listens_for(Session, "after_flush")
def _bump_revisions(session: Session, _context) -> None:
    if not _WATCHED:
        return
    bumped = session.info.setdefault("bumped_revisions", set())
    written = (*session.new, *session.dirty, *session.deleted)
    for name, models in _WATCHED.items():
        if name not in bumped and any(isinstance(item, models) for item in written):
            _bump(session.connection(), name)
            bumped.add(name)


def _bump(connection, name: str) -> None:
    """Revision ``name`` plus one, its row made if missing (an upsert: two servers may bump at once)."""
    dialect = connection.dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(CacheRevision).values(name=name, revision=1)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[CacheRevision.name], set_={"revision": CacheRevision.revision + 1}))


@event.listens_for(Session, "after_commit")
def _drop_local_copies(session: Session) -> None:
    bumped = session.info.pop("bumped_revisions", None)
    if bumped and has_app_context():
        copies = current_app.extensions.get(EXTENSION, {})
        for name in bumped:
            if name in copies:
                copies[name].drop()


@event.listens_for(Session, "after_rollback")
def _forget_bumps(session: Session) -> None:
    session.info.pop("bumped_revisions", None)
