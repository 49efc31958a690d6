"""At most one open exam attempt per enrolment, held by the database

Opening an attempt already refused a second one by its number (unique per enrolment); this
partial unique index states the invariant itself. Any duplicates an older version could have left
(none are expected) are closed as expired first, keeping the newest open.

Revision ID: 8d3c5a1e7f42
Revises: 4b9e2f7c1d30
Create Date: 2026-12-05 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d3c5a1e7f42'
down_revision = '4b9e2f7c1d30'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE attempts SET status = 'expired' WHERE status = 'open' AND id NOT IN "
               "(SELECT max(id) FROM attempts WHERE status = 'open' GROUP BY enrollment_id)")
    op.create_index('uq_attempts_one_open', 'attempts', ['enrollment_id'], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))


def downgrade():
    op.drop_index('uq_attempts_one_open', table_name='attempts')
