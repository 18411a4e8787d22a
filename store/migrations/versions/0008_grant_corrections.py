"""grants corrected and withdrawn, with who and when

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

A grant recorded wrong is corrected (amount, intervention, date) and one the board took
back is withdrawn; the row keeps who did either and when, and a withdrawn grant no longer
counts against the remaining decision room.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('budget_grant') as batch:
        batch.add_column(sa.Column('corrected_by', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('withdrawn_by', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('budget_grant') as batch:
        batch.drop_column('withdrawn_at')
        batch.drop_column('withdrawn_by')
        batch.drop_column('corrected_at')
        batch.drop_column('corrected_by')
