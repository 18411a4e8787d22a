"""outbox priority

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Outbox rows get a priority: the follow-ups of a submission (the confirmation, the reminders
turned "done", the App Home) go before the rest of a fan-out that was planned earlier.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_message') as batch:
        batch.add_column(sa.Column('priority', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('outbox_message') as batch:
        batch.drop_column('priority')
