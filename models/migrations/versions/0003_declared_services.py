"""services.declared: the config's services, apart from those imports created

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 16:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing services count as declared: the check they took part in stays as it was.
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declared', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('declared')
