"""Engine settings that differ by database."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

T = TypeVar("T")
LEAN_ENGINE = "lean_engine"


def configure_sqlite(engine: Engine) -> None:
    """Enforce foreign keys, allow readers during writes (WAL) and wait on a busy database."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # the setting SQLite recommends with WAL: a commit survives an application crash;
            # only a power cut can lose the last few commits (the database stays consistent)
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# indexes on expressions, made by migrations and invisible to autogenerate (which cannot compare them)
MIGRATION_ONLY_INDEXES = frozenset({"uq_users_username_lower", "uq_users_employee_no_lower"})


def include_name(name, type_, parent_names) -> bool:
    """Alembic's name filter: leave the migration-only indexes out of autogenerate's comparison."""
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


# rows written by one operation from which PostgreSQL's planner is told about them (see refresh_statistics)
BULK_ROWS = 10_000


def refresh_statistics(session, *tables: str) -> None:
    """Tell PostgreSQL's planner how big ``tables`` have just become (after a bulk write in this transaction).

    Its plans rest on statistics gathered by autovacuum, which cannot see rows this transaction has not
    committed yet. After 200,000 people are inserted into a table it believes holds 100, it checks
    every foreign key of the next 800,000 requirements by scanning that table (measured: 486 s instead
    of 5 s). ANALYZE inside the transaction counts its own new rows. SQLite plans without such
    statistics and needs nothing."""
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            session.execute(text(f"ANALYZE {table}"))


def _lean_engine() -> Engine:
    from app.extensions import db

    engine = current_app.extensions.get(LEAN_ENGINE)
    if engine is None:
        base = db.engine
        if base.dialect.name == "sqlite" and base.url.database in (None, "", ":memory:"):
            engine = base  # a second engine would open a second, empty in-memory database
        else:
            options = {**current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "pool_pre_ping": False,
                       "isolation_level": "AUTOCOMMIT"}  # see run_on_driver
            engine = create_engine(base.url, **options)
            configure_sqlite(engine)
        current_app.extensions[LEAN_ENGINE] = engine
    return engine


def run_on_driver(work: Callable[[object], T]) -> T:
    """Run ``work(dbapi_connection)`` on a pooled driver connection of the lean engine (Prepared's).

    The connection is in autocommit: each statement is its own transaction, committed as it runs.
    ``work`` must therefore be made of statements that are each whole on their own (a read, one
    INSERT, a guarded UPDATE), as the public answer is. Under READ COMMITTED (PostgreSQL's default) a
    transaction around a read and a write gives them nothing more, and costs two round trips (BEGIN,
    COMMIT) on every request: measured, an answer's 1.35 ms became 1.08 ms in one worker.

    The app's engine pings each connection it hands out (pool_pre_ping): one more round trip. This
    engine does not; a connection the server dropped (a restart, a failover) is caught where it
    fails instead, replaced, and ``work`` run once more — the optimistic disconnect handling
    SQLAlchemy documents."""
    engine = _lean_engine()
    for attempt in (1, 2):
        connection = engine.raw_connection()
        try:
            return work(connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if attempt == 1 and engine.dialect.is_disconnect(error, connection.dbapi_connection, None):
                connection.invalidate()
                continue
            raise
        finally:
            connection.close()
    raise AssertionError("unreachable")


def dispose_lean_engine(app) -> None:
    """Close the lean engine's pooled connections (tests, between apps on one database)."""
    engine = app.extensions.pop(LEAN_ENGINE, None)
    if engine is not None:
        engine.dispose()


class Prepared:
    """A Core statement compiled once per dialect and run straight on a DBAPI cursor.

    For the one path where SQLAlchemy's per-execution layers (session, connection, execution context,
    result) cost several times the database work itself: the public answer (issue #13; measured, in
    one worker, two statements and a commit: 18 µs on the driver, 63 µs through a Core connection,
    100 µs through the ORM session). The column types still convert each value (``UTCDateTime``,
    booleans), through their public bind processors; rows come back as the driver gives them."""

    def __init__(self, statement):
        self.statement = statement
        self._by_dialect: dict[str, tuple[str, tuple[str, ...] | None, dict]] = {}
        self._results: dict[str, list] = {}

    def _compiled(self, dialect):
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            names = tuple(compiled.positiontup) if compiled.positional else None
            processors = {name: p for name, bind in compiled.binds.items()
                          if (p := bind.type.dialect_impl(dialect).bind_processor(dialect))}
            found = self._by_dialect[dialect.name] = (compiled.string, names, processors)
        return found

    def run(self, cursor, dialect, params: dict):
        sql, names, processors = self._compiled(dialect)
        values = {name: processors[name](value) if name in processors else value for name, value in params.items()}
        cursor.execute(sql, tuple(values[name] for name in names) if names is not None else values)
        return cursor

    def rows(self, cursor, dialect, params: dict) -> list[tuple]:
        """Run a SELECT and return its rows, each value converted by its column's type."""
        self.run(cursor, dialect, params)
        results = self._results.get(dialect.name)
        if results is None:  # some need the driver's type code of the column (PostgreSQL numerics)
            results = self._results[dialect.name] = [
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(self.statement.selected_columns, cursor.description, strict=True)]
        return [tuple(p(v) if p else v for p, v in zip(results, row, strict=True)) for row in cursor.fetchall()]
