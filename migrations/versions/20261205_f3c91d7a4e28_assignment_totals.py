"""Assignment totals for the assignments page: assignment_totals, kept by triggers

The assignments page showed each assignment's required, completed and overdue counts by grouping
every active requirement (1,000,000 rows on the bench bank: 1.2 s on SQLite). This small table
holds the same counts per assignment and due date, and database triggers on ``requirements`` keep
it right on every insert, update and delete, as they keep requirement_totals (migrations
3b7e1c2d9a40 and 6a1f0c9e2b7d): row triggers with UPSERT on SQLite, statement triggers over the
transition tables on PostgreSQL. Only active requirements are counted; existing rows are counted
in once here.

Revision ID: f3c91d7a4e28
Revises: a5d2e8f03b61
Create Date: 2026-12-05 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3c91d7a4e28'
down_revision = 'a5d2e8f03b61'
branch_labels = None
depends_on = None

# ---------------------------------------------------------------------------------------- SQLite

SQLITE_ADD = """
    INSERT INTO assignment_totals (assignment_id, due_date, required, completed, incomplete)
    SELECT {r}.assignment_id, {r}.due_date, 1, {r}.completed_at IS NOT NULL, {r}.completed_on IS NULL
    WHERE {r}.active
    ON CONFLICT (assignment_id, due_date) DO UPDATE SET
        required = required + excluded.required, completed = completed + excluded.completed,
        incomplete = incomplete + excluded.incomplete;
"""
SQLITE_REMOVE = """
    UPDATE assignment_totals SET
        required = required - 1, completed = completed - ({r}.completed_at IS NOT NULL),
        incomplete = incomplete - ({r}.completed_on IS NULL)
    WHERE {r}.active AND assignment_id = {r}.assignment_id AND due_date = {r}.due_date;
    DELETE FROM assignment_totals
    WHERE assignment_id = {r}.assignment_id AND due_date = {r}.due_date AND required <= 0;
"""
SQLITE_TRIGGERS = {
    "requirements_assignment_totals_insert": "AFTER INSERT ON requirements BEGIN" + SQLITE_ADD.format(r="NEW") + "END",
    "requirements_assignment_totals_delete": "AFTER DELETE ON requirements BEGIN" + SQLITE_REMOVE.format(r="OLD") + "END",
    "requirements_assignment_totals_update": "AFTER UPDATE OF assignment_id, due_date, active, completed_at, "
    "completed_on ON requirements BEGIN" + SQLITE_REMOVE.format(r="OLD") + SQLITE_ADD.format(r="NEW") + "END",
}

# ---------------------------------------------------------------------------------------- PostgreSQL

PG_GROUPED = """
    SELECT assignment_id, due_date, count(*) AS required, count(completed_at) AS completed,
           count(*) FILTER (WHERE completed_on IS NULL) AS incomplete
    FROM {rows} WHERE active GROUP BY assignment_id, due_date
"""
PG_ADD = f"""
    INSERT INTO assignment_totals (assignment_id, due_date, required, completed, incomplete)
    {PG_GROUPED.format(rows="new_rows")}
    ON CONFLICT (assignment_id, due_date) DO UPDATE SET
        required = assignment_totals.required + EXCLUDED.required,
        completed = assignment_totals.completed + EXCLUDED.completed,
        incomplete = assignment_totals.incomplete + EXCLUDED.incomplete;
"""
PG_REMOVE = f"""
    UPDATE assignment_totals t SET
        required = t.required - o.required, completed = t.completed - o.completed,
        incomplete = t.incomplete - o.incomplete
    FROM ({PG_GROUPED.format(rows="old_rows")}) o
    WHERE (t.assignment_id, t.due_date) = (o.assignment_id, o.due_date);
"""
PG_PRUNE = """
    DELETE FROM assignment_totals t USING (SELECT DISTINCT assignment_id, due_date FROM old_rows) o
    WHERE (t.assignment_id, t.due_date) = (o.assignment_id, o.due_date) AND t.required <= 0;
"""
PG_FUNCTIONS = {
    "requirements_assignment_totals_insert": ("INSERT", "REFERENCING NEW TABLE AS new_rows", PG_ADD),
    "requirements_assignment_totals_delete": ("DELETE", "REFERENCING OLD TABLE AS old_rows", PG_REMOVE + PG_PRUNE),
    "requirements_assignment_totals_update": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                                              PG_REMOVE + PG_ADD + PG_PRUNE),
}

BACKFILL = """
    INSERT INTO assignment_totals (assignment_id, due_date, required, completed, incomplete)
    SELECT assignment_id, due_date, count(*), count(completed_at),
           sum(CASE WHEN completed_on IS NULL THEN 1 ELSE 0 END)
    FROM requirements WHERE active = {true} GROUP BY assignment_id, due_date
"""


def upgrade():
    op.create_table('assignment_totals',
    sa.Column('assignment_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('incomplete', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('assignment_id', 'due_date', name=op.f('pk_assignment_totals'))
    )
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    op.execute(BACKFILL.format(true="true" if postgresql else "1"))
    if postgresql:
        for name, (event, referencing, body) in PG_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\n"
                       "RETURN NULL;\nEND\n$$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON requirements {referencing} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in PG_FUNCTIONS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON requirements" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table('assignment_totals')
