"""A retired campaign track is a retired_at time, not a position from 1000 on

Tracks dropped from a campaign after people had played them used to be moved to position + 1000
to keep them out of the picker. They get the time they were retired instead (the moment of this
migration for those already retired, which is all that is known) and keep their position.

Revision ID: 4b9e2f7c1d30
Revises: 6a1f0c9e2b7d
Create Date: 2026-12-04 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b9e2f7c1d30'
down_revision = '6a1f0c9e2b7d'
branch_labels = None
depends_on = None

RETIRED = 1000  # the old marker


def upgrade():
    with op.batch_alter_table('campaign_tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(f"UPDATE campaign_tracks SET retired_at = CURRENT_TIMESTAMP, position = position - {RETIRED} "
               f"WHERE position >= {RETIRED}")


def downgrade():
    op.execute(f"UPDATE campaign_tracks SET position = position + {RETIRED} WHERE retired_at IS NOT NULL")
    with op.batch_alter_table('campaign_tracks', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
