"""multi-year budget plans

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-04

A budget file may hold a multi-year plan ("Budget 2026, Plan 2027, Plan 2028"): the later
years are stored as plans (`budget_year.plan`), which the adopted budget replaces.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('budget_year') as batch:
        batch.add_column(
            sa.Column('plan', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('budget_year') as batch:
        batch.drop_column('plan')
