"""the application round: applications for next year's money

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Applications received by the deadline (`grant_application`: organisation, owner, title,
kind of support, status, who registered and decided it, the grant it became) with the
amount applied for per year (`grant_application_amount`), listed against next year's room
and granted or rejected in September.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'grant_application',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('for_year', sa.Integer(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            'support',
            sa.Enum('individual', 'structural', name='supportkind', native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            'status',
            sa.Enum(
                'received',
                'granted',
                'rejected',
                name='applicationstatus',
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column('registered_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('grant_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['grant_id'], ['budget_grant.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('for_year', 'organisation', 'owner', 'title'),
    )
    with op.batch_alter_table('grant_application') as batch:
        batch.create_index(batch.f('ix_grant_application_for_year'), ['for_year'], unique=False)
    op.create_table(
        'grant_application_amount',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('amount_kr', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['grant_application.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('application_id', 'year'),
    )
    with op.batch_alter_table('grant_application_amount') as batch:
        batch.create_index(
            batch.f('ix_grant_application_amount_application_id'),
            ['application_id'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('grant_application_amount') as batch:
        batch.drop_index(batch.f('ix_grant_application_amount_application_id'))
    op.drop_table('grant_application_amount')
    with op.batch_alter_table('grant_application') as batch:
        batch.drop_index(batch.f('ix_grant_application_for_year'))
    op.drop_table('grant_application')
