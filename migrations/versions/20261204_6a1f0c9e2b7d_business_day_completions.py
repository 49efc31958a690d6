"""Completions counted on the business day: completed_on on requirements and completions, and the totals triggers on it

"On time" compares the day a course was completed with its due date. That day is the bank's
(BUSINESS_TZ, Asia/Shanghai): a completion at 01:30 in Beijing (17:30 UTC the day before) is on
the later day. Until now the triggers and queries took date(completed_at), the UTC day (and on
PostgreSQL the session's). The day is now stored once, by the service that records the
completion, and everything counts it: the triggers are recreated on completed_on and the totals
recounted.

Revision ID: 6a1f0c9e2b7d
Revises: db446e6279ba
Create Date: 2026-12-04 20:40:00.000000

"""
import os
from datetime import UTC
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a1f0c9e2b7d'
down_revision = 'db446e6279ba'
branch_labels = None
depends_on = None

KEY = "period, org_path, course_id, due_date, active"
DAY_KEY = "period, unit_path, completed_on"

# ---------------------------------------------------------------------------------------- SQLite

SQLITE_ADD = """
    INSERT INTO requirement_totals (period, org_path, course_id, due_date, active, required, completed, on_time,
                                    score_sum, score_count)
    VALUES ({r}.period, {r}.org_path, {r}.course_id, {r}.due_date, {r}.active, 1, {r}.completed_at IS NOT NULL,
            {r}.completed_at IS NOT NULL AND {r}.completed_on <= {r}.due_date, coalesce({r}.score, 0),
            {r}.score IS NOT NULL)
    ON CONFLICT (period, org_path, course_id, due_date, active) DO UPDATE SET
        required = required + excluded.required, completed = completed + excluded.completed,
        on_time = on_time + excluded.on_time, score_sum = score_sum + excluded.score_sum,
        score_count = score_count + excluded.score_count;
    INSERT INTO requirement_days (period, unit_path, completed_on, completed)
    SELECT {r}.period, u.path, {r}.completed_on, 1 FROM org_units u
    WHERE {r}.active AND {r}.completed_at IS NOT NULL AND instr({r}.org_path, u.path) = 1
    ON CONFLICT (period, unit_path, completed_on) DO UPDATE SET completed = completed + 1;
"""
SQLITE_REMOVE = """
    UPDATE requirement_totals SET
        required = required - 1, completed = completed - ({r}.completed_at IS NOT NULL),
        on_time = on_time - ({r}.completed_at IS NOT NULL AND {r}.completed_on <= {r}.due_date),
        score_sum = score_sum - coalesce({r}.score, 0), score_count = score_count - ({r}.score IS NOT NULL)
    WHERE period = {r}.period AND org_path = {r}.org_path AND course_id = {r}.course_id
      AND due_date = {r}.due_date AND active = {r}.active;
    DELETE FROM requirement_totals
    WHERE period = {r}.period AND org_path = {r}.org_path AND course_id = {r}.course_id
      AND due_date = {r}.due_date AND active = {r}.active AND required <= 0;
    UPDATE requirement_days SET completed = completed - 1
    WHERE {r}.active AND {r}.completed_at IS NOT NULL
      AND period = {r}.period AND completed_on = {r}.completed_on
      AND unit_path IN (SELECT path FROM org_units WHERE instr({r}.org_path, path) = 1);
    DELETE FROM requirement_days
    WHERE period = {r}.period AND completed_on = {r}.completed_on
      AND unit_path IN (SELECT path FROM org_units WHERE instr({r}.org_path, path) = 1) AND completed <= 0;
"""
SQLITE_TRIGGERS = [
    "CREATE TRIGGER requirements_totals_insert AFTER INSERT ON requirements BEGIN"
    + SQLITE_ADD.format(r="NEW") + "END",
    "CREATE TRIGGER requirements_totals_delete AFTER DELETE ON requirements BEGIN"
    + SQLITE_REMOVE.format(r="OLD") + "END",
    "CREATE TRIGGER requirements_totals_update AFTER UPDATE OF period, org_path, course_id, due_date, active, "
    "completed_at, completed_on, score ON requirements BEGIN" + SQLITE_REMOVE.format(r="OLD") + SQLITE_ADD.format(r="NEW") + "END",
]

# ---------------------------------------------------------------------------------------- PostgreSQL

PG_GROUPED = f"""
    SELECT {KEY}, count(*) AS required, count(completed_at) AS completed,
           count(*) FILTER (WHERE completed_at IS NOT NULL AND completed_on <= due_date) AS on_time,
           coalesce(sum(score), 0) AS score_sum, count(score) AS score_count
    FROM {{rows}} GROUP BY {KEY}
"""
PG_DAYS = """
    SELECT r.period, left(r.org_path, cut) AS unit_path, r.completed_on AS completed_on, count(*) AS completed
    FROM {rows} r CROSS JOIN LATERAL generate_series(2, length(r.org_path)) AS cut
    WHERE r.active AND r.completed_at IS NOT NULL AND substr(r.org_path, cut, 1) = '/'
    GROUP BY 1, 2, 3
"""
PG_ADD = f"""
    INSERT INTO requirement_totals ({KEY}, required, completed, on_time, score_sum, score_count)
    {PG_GROUPED.format(rows="new_rows")}
    ON CONFLICT ({KEY}) DO UPDATE SET
        required = requirement_totals.required + EXCLUDED.required,
        completed = requirement_totals.completed + EXCLUDED.completed,
        on_time = requirement_totals.on_time + EXCLUDED.on_time,
        score_sum = requirement_totals.score_sum + EXCLUDED.score_sum,
        score_count = requirement_totals.score_count + EXCLUDED.score_count;
    INSERT INTO requirement_days ({DAY_KEY}, completed)
    {PG_DAYS.format(rows="new_rows")}
    ON CONFLICT ({DAY_KEY}) DO UPDATE SET completed = requirement_days.completed + EXCLUDED.completed;
"""
PG_REMOVE = f"""
    UPDATE requirement_totals t SET
        required = t.required - o.required, completed = t.completed - o.completed, on_time = t.on_time - o.on_time,
        score_sum = t.score_sum - o.score_sum, score_count = t.score_count - o.score_count
    FROM ({PG_GROUPED.format(rows="old_rows")}) o
    WHERE (t.period, t.org_path, t.course_id, t.due_date, t.active)
        = (o.period, o.org_path, o.course_id, o.due_date, o.active);
    UPDATE requirement_days t SET completed = t.completed - o.completed
    FROM ({PG_DAYS.format(rows="old_rows")}) o
    WHERE (t.period, t.unit_path, t.completed_on) = (o.period, o.unit_path, o.completed_on);
"""
PG_PRUNE = f"""
    DELETE FROM requirement_totals t USING (SELECT DISTINCT {KEY} FROM old_rows) o
    WHERE (t.period, t.org_path, t.course_id, t.due_date, t.active)
        = (o.period, o.org_path, o.course_id, o.due_date, o.active) AND t.required <= 0;
    DELETE FROM requirement_days t USING ({PG_DAYS.format(rows="old_rows")}) o
    WHERE (t.period, t.unit_path, t.completed_on) = (o.period, o.unit_path, o.completed_on) AND t.completed <= 0;
"""
PG_FUNCTIONS = {
    "requirements_totals_insert": PG_ADD,
    "requirements_totals_delete": PG_REMOVE + PG_PRUNE,
    "requirements_totals_update": PG_REMOVE + PG_ADD + PG_PRUNE,
}
PG_REFERENCING = {
    "requirements_totals_insert": ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
    "requirements_totals_delete": ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
    "requirements_totals_update": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
}

BACKFILL_TOTALS = f"""
    INSERT INTO requirement_totals ({KEY}, required, completed, on_time, score_sum, score_count)
    SELECT {KEY}, count(*), count(completed_at),
           sum(CASE WHEN completed_at IS NOT NULL AND completed_on <= due_date THEN 1 ELSE 0 END),
           coalesce(sum(score), 0), count(score)
    FROM requirements GROUP BY {KEY}
"""
BACKFILL_DAYS = """
    INSERT INTO requirement_days (period, unit_path, completed_on, completed)
    SELECT d.period, u.path, d.completed_on, sum(d.completed)
    FROM (SELECT period, org_path, completed_on AS completed_on, count(*) AS completed
          FROM requirements WHERE active = {true} AND completed_at IS NOT NULL
          GROUP BY period, org_path, completed_on) d
    JOIN org_units u ON substr(d.org_path, 1, length(u.path)) = u.path
    GROUP BY d.period, u.path, d.completed_on
"""


def _previous():
    """The migration that made the triggers on date(completed_at): downgrade puts them back as they were."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("20261123_3b7e1c2d9a40_requirement_totals.py")
    spec = importlib.util.spec_from_file_location("requirement_totals_3b7e1c2d9a40", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _drop_triggers(bind):
    for name in PG_FUNCTIONS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON requirements" if bind.dialect.name == "postgresql" else ""))
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def _create_triggers(bind, functions=None, sqlite_triggers=None):
    if bind.dialect.name == "postgresql":
        for name, body in (functions or PG_FUNCTIONS).items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\n"
                       "RETURN NULL;\nEND\n$$")
            event, referencing = PG_REFERENCING[name]
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON requirements {referencing} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    else:
        for statement in sqlite_triggers or SQLITE_TRIGGERS:
            op.execute(statement)


def _backfill_days(bind, table):
    zone = ZoneInfo(os.environ.get("BUSINESS_TZ") or "Asia/Shanghai")
    rows = bind.execute(sa.text(f"SELECT id, completed_at FROM {table} WHERE completed_at IS NOT NULL")).all()
    values = []
    for row_id, completed_at in rows:
        if isinstance(completed_at, str):  # SQLite without type information
            from datetime import datetime
            completed_at = datetime.fromisoformat(completed_at)
        moment = completed_at if completed_at.tzinfo else completed_at.replace(tzinfo=UTC)
        values.append({"id": row_id, "day": moment.astimezone(zone).date()})
    for start in range(0, len(values), 5000):
        bind.execute(sa.text(f"UPDATE {table} SET completed_on = :day WHERE id = :id"), values[start:start + 5000])


def upgrade():
    bind = op.get_bind()
    _drop_triggers(bind)
    for table in ('requirements', 'completions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('completed_on', sa.Date(), nullable=True))
        _backfill_days(bind, table)
    op.execute("DELETE FROM requirement_totals")
    op.execute("DELETE FROM requirement_days")
    op.execute(BACKFILL_TOTALS)
    op.execute(BACKFILL_DAYS.format(true="true" if bind.dialect.name == "postgresql" else "1"))
    _create_triggers(bind)


def downgrade():
    bind = op.get_bind()
    _drop_triggers(bind)
    for table in ('requirements', 'completions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('completed_on')
    previous = _previous()
    op.execute("DELETE FROM requirement_totals")
    op.execute("DELETE FROM requirement_days")
    op.execute(previous.BACKFILL_TOTALS)
    op.execute(previous.BACKFILL_DAYS.format(true="true" if bind.dialect.name == "postgresql" else "1"))
    _create_triggers(bind, previous.PG_FUNCTIONS, previous.SQLITE_TRIGGERS)
