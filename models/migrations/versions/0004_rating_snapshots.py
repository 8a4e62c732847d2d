"""rating_snapshots: the public Yandex rating of an office at each crawl

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 16:20:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes  # the column types below; mypy needs the submodule imported


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rating_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('rating_value', sa.Float(), nullable=True),
    sa.Column('rating_count', sa.Integer(), nullable=True),
    sa.Column('review_count', sa.Integer(), nullable=True),
    sa.Column('reviews_stored', sa.Integer(), nullable=True),
    sa.Column('aspects', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rating_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_snapshots_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_snapshots_taken_at'), ['taken_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rating_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_snapshots_taken_at'))
        batch_op.drop_index(batch_op.f('ix_rating_snapshots_source_id'))
    op.drop_table('rating_snapshots')
