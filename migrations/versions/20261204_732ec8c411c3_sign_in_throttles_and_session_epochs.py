"""sign-in throttles and session epochs; usernames and employee numbers unique whatever their case

Account lockout (failed_logins, locked_until) gives way to throttling per client address.

Revision ID: 732ec8c411c3
Revises: 3b7e1c2d9a40
Create Date: 2026-12-04 19:07:25.255096

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '732ec8c411c3'
down_revision = '3b7e1c2d9a40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttles'))
    )
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttles_blocked_until'), ['blocked_until'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    op.create_index('uq_users_username_lower', 'users', [sa.text('lower(username)')], unique=True)
    op.create_index('uq_users_employee_no_lower', 'users', [sa.text('lower(employee_no)')], unique=True)


def downgrade():
    op.drop_index('uq_users_employee_no_lower', table_name='users')
    op.drop_index('uq_users_username_lower', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('session_epoch')

    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_throttles_blocked_until'))

    op.drop_table('sign_in_throttles')
