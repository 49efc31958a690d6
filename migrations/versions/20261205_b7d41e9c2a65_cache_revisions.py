"""Cache revisions: a counter per cached copy (the public catalogue), bumped by every write to it, so
that each app server knows when to rebuild its copy

Revision ID: b7d41e9c2a65
Revises: f3c91d7a4e28
Create Date: 2026-12-05 04:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d41e9c2a65"
down_revision = "f3c91d7a4e28"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "cache_revisions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_revisions")),
    )
    op.bulk_insert(table, [{"name": "public", "revision": 0}])


def downgrade():
    op.drop_table("cache_revisions")
