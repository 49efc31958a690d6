"""An index of the open requirements by org path and due date, for the overdue list

The overdue list of a head office read every requirement due before today (half a million rows on
a 1,000,000-requirement bank) to keep the first 500. It now picks, from requirement_totals, the
first org paths and due dates that hold 500 overdue rows and reads only their open rows through
this partial index (rows not completed yet: a fraction of the table, and the only ones that can be
overdue).

Revision ID: a5d2e8f03b61
Revises: e1b7c9d35a20
Create Date: 2026-12-05 01:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a5d2e8f03b61'
down_revision = 'e1b7c9d35a20'
branch_labels = None
depends_on = None

INDEX = 'ix_requirements_open_org_path_due_date'


def upgrade():
    op.create_index(INDEX, 'requirements', ['org_path', 'due_date'], unique=False,
                    sqlite_where=sa.text('completed_on IS NULL'), postgresql_where=sa.text('completed_on IS NULL'))
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and _has_statistics(bind, 'requirements'):
        op.execute(f'ANALYZE {INDEX}')  # without statistics of its own the planner may pass the index by


def _has_statistics(bind, table: str) -> bool:
    """True when SQLite's planner has statistics for the table (ANALYZE ran on this database)."""
    if not bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").first():
        return False
    return bind.exec_driver_sql("SELECT 1 FROM sqlite_stat1 WHERE tbl = ?", (table,)).first() is not None


def downgrade():
    op.drop_index(INDEX, table_name='requirements')
