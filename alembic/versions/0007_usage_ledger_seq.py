"""usage ledger: a build's call keyed by its event seq

A step re-run after a crash or a SIGTERM makes its model call again with the same event seq; keyed by
it, the founder's ledger books that step once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('usage_ledger', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=False, server_default='0'))
    op.create_index('ix_usage_ledger_run_seq', 'usage_ledger', ['run_id', 'seq'], unique=True,
                    sqlite_where=sa.text('seq > 0'), postgresql_where=sa.text('seq > 0'))


def downgrade() -> None:
    op.drop_index('ix_usage_ledger_run_seq', table_name='usage_ledger')
    with op.batch_alter_table('usage_ledger', schema=None) as batch_op:
        batch_op.drop_column('seq')
