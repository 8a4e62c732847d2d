"""night_tasks, host_pace: one night's work shared by a fleet of workers under leases, and
politeness per host and crawl identity kept across the fleet

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 21:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes  # the column types below; mypy needs the submodule imported


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    when = sqlmodel.sql.sqltypes.UTCDateTime
    op.create_table('night_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('night', text(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', text(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', text(length=20), nullable=False),
    sa.Column('holder', text(length=200), nullable=True),
    sa.Column('lease_until', sa.Float(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('holders', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_at', when(), nullable=False),
    sa.Column('finished_at', when(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('night', 'seq')
    )
    with op.batch_alter_table('night_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_night_tasks_night'), ['night'], unique=False)
    op.create_table('host_pace',
    sa.Column('key', text(length=300), nullable=False),
    sa.Column('next_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('host_pace')
    with op.batch_alter_table('night_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_night_tasks_night'))
    op.drop_table('night_tasks')
