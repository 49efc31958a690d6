"""A question bank version says where it came from: the files (flask content sync) or an upload in
/admin/banks (the original file's name, where it is kept, and who uploaded it)

Revision ID: e1b7c9d35a20
Revises: c4e8a2f61b97
Create Date: 2026-12-05 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1b7c9d35a20'
down_revision = 'c4e8a2f61b97'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=10), server_default='files', nullable=False))
        batch_op.add_column(sa.Column('source_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('source_file', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('uploaded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_quiz_versions_uploaded_by_id_users'), 'users', ['uploaded_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('quiz_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_quiz_versions_uploaded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('uploaded_by_id')
        batch_op.drop_column('source_file')
        batch_op.drop_column('source_name')
        batch_op.drop_column('origin')
