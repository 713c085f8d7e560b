"""plan phase calls

Each plan phase counts the model calls booked to it, so forecasts can use the calls real builds took.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('plan_phases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calls_actual', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('plan_phases', schema=None) as batch_op:
        batch_op.drop_column('calls_actual')
