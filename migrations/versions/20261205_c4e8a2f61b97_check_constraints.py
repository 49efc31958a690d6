"""The database guards the invariants the code assumes: percentages from 0 to 100, positions from 1,
due dates not before the start, campaigns that end after they start

PostgreSQL adds each CHECK constraint to its table (and checks the rows already there). SQLite can
only add one by rebuilding the table, the way its documentation describes (a new table with the
constraints, the rows copied, the old one dropped, the new one renamed, its indexes and triggers
created again from their own SQL): migrations/env.py turns foreign keys off around a migration on
SQLite so that dropping a referenced table does not touch the rows referring to it, and checks
every reference afterwards.

Rows that break a rule stop the migration with a sentence saying which table, which rule and how
many rows, before anything changes.

Revision ID: c4e8a2f61b97
Revises: 8d3c5a1e7f42
Create Date: 2026-12-05 01:30:00.000000

"""
import re

from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4e8a2f61b97'
down_revision = '8d3c5a1e7f42'
branch_labels = None
depends_on = None


def _percent(column):
    return (f"{column}_range", f"{column} >= 0 AND {column} <= 100")


POSITION = ("position_from_one", "position >= 1")
CHECKS = {
    "requirements": [_percent("score"), ("due_after_window_start", "due_date >= window_start")],
    "assignments": [("due_after_start", "due_date >= starts_on")],
    "enrollments": [_percent("best_percent")],
    "completions": [_percent("percent")],
    "attempts": [_percent("percent"), ("score_range", "score >= 0 AND score <= max_score")],
    "attempt_answers": [POSITION],
    "questions": [POSITION],
    "lessons": [POSITION],
    "course_scenarios": [POSITION, _percent("min_score")],
    "campaigns": [("ends_after_start", "ends_on >= starts_on")],
    "campaign_modules": [POSITION],
    "campaign_tracks": [POSITION],
    "public_plays": [_percent("percent")],
    "public_answers": [POSITION, ("points_range", "points >= 0 AND points <= 1")],
    "scenario_runs": [_percent("percent")],
    "assessment_snapshots": [_percent("score"), _percent("exam_average"), _percent("scenario_average")],
}


def _named(table):
    return [(f"ck_{table}_{name}", expression) for name, expression in CHECKS[table]]


def _refuse_breaking_rows(bind):
    for table in CHECKS:
        for name, expression in _named(table):
            broken = bind.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE NOT ({expression})").scalar()
            if broken:
                raise RuntimeError(f"{broken} row(s) of table {table} break the rule {expression} ({name}); "
                                   "correct them, then run the migration again")


def _rebuild_sqlite(bind, table, *, add=(), drop=()):
    """Rebuild ``table`` with the CHECK constraints ``add`` and without ``drop`` (SQLite's 12 steps)."""
    create = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar_one()
    others = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL "
        "ORDER BY type, name", (table,)).scalars().all()
    for name, expression in drop:
        create = create.replace(f", CONSTRAINT {name} CHECK ({expression})", "")
    body = create.rstrip()
    body = body[:-1] + "".join(f", CONSTRAINT {name} CHECK ({expression})" for name, expression in add) + ")"
    temporary = f"_rebuilt_{table}"
    body = re.sub(rf'^CREATE TABLE\s+("?){table}\1', f'CREATE TABLE "{temporary}"', body, count=1)
    bind.exec_driver_sql(body)
    bind.exec_driver_sql(f'INSERT INTO "{temporary}" SELECT * FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for statement in others:
        bind.exec_driver_sql(statement)


def upgrade():
    bind = op.get_bind()
    _refuse_breaking_rows(bind)
    for table in CHECKS:
        if bind.dialect.name == "sqlite":
            _rebuild_sqlite(bind, table, add=_named(table))
        else:
            for name, expression in _named(table):
                op.create_check_constraint(op.f(name), table, expression)


def downgrade():
    bind = op.get_bind()
    for table in CHECKS:
        if bind.dialect.name == "sqlite":
            _rebuild_sqlite(bind, table, drop=_named(table))
        else:
            for name, _expression in _named(table):
                op.drop_constraint(op.f(name), table, type_="check")
