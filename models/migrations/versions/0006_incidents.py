"""incidents, incident_events, notifications: signals of the nightly run as cases with an
owner and a deadline, and the once-only messages about them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes  # the column types below; mypy needs the submodule imported


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    when = sqlmodel.sql.sqltypes.UTCDateTime
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', text(length=200), nullable=False),
    sa.Column('open_key', text(length=200), nullable=True),
    sa.Column('signal', text(length=20), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('category', text(length=40), nullable=True),
    sa.Column('feedback_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('status', text(length=20), nullable=False),
    sa.Column('responsible', text(length=300), nullable=True),
    sa.Column('deadline', when(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', when(), nullable=False),
    sa.Column('updated_at', when(), nullable=False),
    sa.Column('last_seen_at', when(), nullable=False),
    sa.Column('closed_at', when(), nullable=True),
    sa.Column('nights', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_key')
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_signal'), ['signal'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_status'), ['status'], unique=False)
    op.create_table('incident_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', when(), nullable=False),
    sa.Column('author', text(length=200), nullable=False),
    sa.Column('action', text(length=20), nullable=False),
    sa.Column('from_status', text(length=20), nullable=True),
    sa.Column('to_status', text(length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incident_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_events_incident_id'), ['incident_id'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', text(length=300), nullable=False),
    sa.Column('kind', text(length=20), nullable=False),
    sa.Column('recipient', text(length=200), nullable=False),
    sa.Column('subject', text(length=500), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', text(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('deliveries', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', when(), nullable=False),
    sa.Column('sent_at', when(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_status'))
    op.drop_table('notifications')
    with op.batch_alter_table('incident_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_events_incident_id'))
    op.drop_table('incident_events')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        for name in ('status', 'signal', 'org_id', 'key', 'created_at'):
            batch_op.drop_index(batch_op.f(f'ix_incidents_{name}'))
    op.drop_table('incidents')
