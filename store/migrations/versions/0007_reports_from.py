"""reports owed from the day the bot went live

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

A new office is not told of reports due before it began: the installation keeps the day
reports are owed from (FINSAM_REPORTS_FROM, or its first run), and an intervention may
join later (`reports_from`, from the interventions file).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'installation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reports_from', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('intervention') as batch:
        batch.add_column(sa.Column('reports_from', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('intervention') as batch:
        batch.drop_column('reports_from')
    op.drop_table('installation')
