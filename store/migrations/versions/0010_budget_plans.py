"""multi-year budget plans, the 30 September forecast

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04

A budget file may hold a multi-year plan ("Budget 2026, Plan 2027, Plan 2028"): the later
years are stored as plans (`budget_year.plan`), which the adopted budget replaces. The
year's forecast is kept at the 30 September milestone (`budget_forecast`, one row a year)
for next year's budget draft.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'budget_forecast',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kept_on', sa.Date(), nullable=False),
        sa.Column('through_month', sa.Integer(), nullable=False),
        sa.Column('costs_kr', sa.BigInteger(), nullable=False),
        sa.Column('result_kr', sa.BigInteger(), nullable=False),
        sa.Column('closing_equity_kr', sa.BigInteger(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year'),
    )
    with op.batch_alter_table('budget_year') as batch:
        batch.add_column(
            sa.Column('plan', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    op.drop_table('budget_forecast')
    with op.batch_alter_table('budget_year') as batch:
        batch.drop_column('plan')
