"""assessment integrity: the exam review policy of each bank, and a secret seed per role-play run

The seed orders each node's replies and keys them, so that a reply's position tells nothing.

Revision ID: ed2c8df23fc4
Revises: 732ec8c411c3
Create Date: 2026-12-04 19:18:37.584170

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ed2c8df23fc4'
down_revision = '732ec8c411c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.String(length=20), server_default='after_last_attempt', nullable=False))
    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed', sa.String(length=32), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.drop_column('seed')
    with op.batch_alter_table('quiz_versions', schema=None) as batch_op:
        batch_op.drop_column('review')
