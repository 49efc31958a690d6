"""Requirement totals for the HR reports: requirement_totals and requirement_days, kept by triggers

The HR overview of a head office adds up every requirement of the bank (a million rows at 50,000
employees × 20 courses). These two small tables hold the same counts already added up per period,
org path, course and due date (and completions per day for every unit, counted for each unit
above the employee's too, so that a unit's completion curve is read by key), and database triggers on
``requirements`` keep them right on every insert, update and delete, whichever code path (sync,
completion, transfer, withdrawal, a hand-written UPDATE) made the change. Existing rows are
counted in once here. Also an index for the employee list of one unit.

SQLite: row-level triggers with UPSERT. PostgreSQL: statement-level triggers over the transition
tables (one grouped UPSERT per statement, so a COPY or a 50,000-row sync costs one pass).

Revision ID: 3b7e1c2d9a40
Revises: 98fd6639d684
Create Date: 2026-11-23 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e1c2d9a40'
down_revision = '98fd6639d684'
branch_labels = None
depends_on = None

KEY = "period, org_path, course_id, due_date, active"
DAY_KEY = "period, unit_path, completed_on"

# ---------------------------------------------------------------------------------------- SQLite

SQLITE_ADD = """
    INSERT INTO requirement_totals (period, org_path, course_id, due_date, active, required, completed, on_time,
                                    score_sum, score_count)
    VALUES ({r}.period, {r}.org_path, {r}.course_id, {r}.due_date, {r}.active, 1, {r}.completed_at IS NOT NULL,
            {r}.completed_at IS NOT NULL AND date({r}.completed_at) <= {r}.due_date, coalesce({r}.score, 0),
            {r}.score IS NOT NULL)
    ON CONFLICT (period, org_path, course_id, due_date, active) DO UPDATE SET
        required = required + excluded.required, completed = completed + excluded.completed,
        on_time = on_time + excluded.on_time, score_sum = score_sum + excluded.score_sum,
        score_count = score_count + excluded.score_count;
    INSERT INTO requirement_days (period, unit_path, completed_on, completed)
    SELECT {r}.period, u.path, date({r}.completed_at), 1 FROM org_units u
    WHERE {r}.active AND {r}.completed_at IS NOT NULL AND instr({r}.org_path, u.path) = 1
    ON CONFLICT (period, unit_path, completed_on) DO UPDATE SET completed = completed + 1;
"""
SQLITE_REMOVE = """
    UPDATE requirement_totals SET
        required = required - 1, completed = completed - ({r}.completed_at IS NOT NULL),
        on_time = on_time - ({r}.completed_at IS NOT NULL AND date({r}.completed_at) <= {r}.due_date),
        score_sum = score_sum - coalesce({r}.score, 0), score_count = score_count - ({r}.score IS NOT NULL)
    WHERE period = {r}.period AND org_path = {r}.org_path AND course_id = {r}.course_id
      AND due_date = {r}.due_date AND active = {r}.active;
    DELETE FROM requirement_totals
    WHERE period = {r}.period AND org_path = {r}.org_path AND course_id = {r}.course_id
      AND due_date = {r}.due_date AND active = {r}.active AND required <= 0;
    UPDATE requirement_days SET completed = completed - 1
    WHERE {r}.active AND {r}.completed_at IS NOT NULL
      AND period = {r}.period AND completed_on = date({r}.completed_at)
      AND unit_path IN (SELECT path FROM org_units WHERE instr({r}.org_path, path) = 1);
    DELETE FROM requirement_days
    WHERE period = {r}.period AND completed_on = date({r}.completed_at)
      AND unit_path IN (SELECT path FROM org_units WHERE instr({r}.org_path, path) = 1) AND completed <= 0;
"""
SQLITE_TRIGGERS = [
    "CREATE TRIGGER requirements_totals_insert AFTER INSERT ON requirements BEGIN"
    + SQLITE_ADD.format(r="NEW") + "END",
    "CREATE TRIGGER requirements_totals_delete AFTER DELETE ON requirements BEGIN"
    + SQLITE_REMOVE.format(r="OLD") + "END",
    "CREATE TRIGGER requirements_totals_update AFTER UPDATE OF period, org_path, course_id, due_date, active, "
    "completed_at, score ON requirements BEGIN" + SQLITE_REMOVE.format(r="OLD") + SQLITE_ADD.format(r="NEW") + "END",
]

# ---------------------------------------------------------------------------------------- PostgreSQL

PG_GROUPED = f"""
    SELECT {KEY}, count(*) AS required, count(completed_at) AS completed,
           count(*) FILTER (WHERE completed_at IS NOT NULL AND date(completed_at) <= due_date) AS on_time,
           coalesce(sum(score), 0) AS score_sum, count(score) AS score_count
    FROM {{rows}} GROUP BY {KEY}
"""
PG_DAYS = """
    SELECT r.period, left(r.org_path, cut) AS unit_path, date(r.completed_at) AS completed_on, count(*) AS completed
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
           sum(CASE WHEN completed_at IS NOT NULL AND date(completed_at) <= due_date THEN 1 ELSE 0 END),
           coalesce(sum(score), 0), count(score)
    FROM requirements GROUP BY {KEY}
"""
BACKFILL_DAYS = """
    INSERT INTO requirement_days (period, unit_path, completed_on, completed)
    SELECT d.period, u.path, d.completed_on, sum(d.completed)
    FROM (SELECT period, org_path, date(completed_at) AS completed_on, count(*) AS completed
          FROM requirements WHERE active = {true} AND completed_at IS NOT NULL
          GROUP BY period, org_path, date(completed_at)) d
    JOIN org_units u ON substr(d.org_path, 1, length(u.path)) = u.path
    GROUP BY d.period, u.path, d.completed_on
"""


def upgrade():
    op.create_table('requirement_totals',
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('org_path', sa.String(length=255), nullable=False),
    sa.Column('course_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.Float(), nullable=False),
    sa.Column('score_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'org_path', 'course_id', 'due_date', 'active', name=op.f('pk_requirement_totals'))
    )
    op.create_table('requirement_days',
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('unit_path', sa.String(length=255), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'unit_path', 'completed_on', name=op.f('pk_requirement_days'))
    )
    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.create_index('ix_requirements_org_unit_period', ['org_unit_id', 'period'], unique=False)

    bind = op.get_bind()
    op.execute(BACKFILL_TOTALS)
    op.execute(BACKFILL_DAYS.format(true="true" if bind.dialect.name == "postgresql" else "1"))
    if bind.dialect.name == "postgresql":
        for name, body in PG_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\n"
                       "RETURN NULL;\nEND\n$$")
            event, referencing = PG_REFERENCING[name]
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON requirements {referencing} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    bind = op.get_bind()
    for name in PG_FUNCTIONS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON requirements" if bind.dialect.name == "postgresql" else ""))
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    with op.batch_alter_table('requirements', schema=None) as batch_op:
        batch_op.drop_index('ix_requirements_org_unit_period')

    op.drop_table('requirement_days')
    op.drop_table('requirement_totals')
