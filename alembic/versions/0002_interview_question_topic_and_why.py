"""interview question topic and why

Each interview question records its topic (for the adaptive rules) and why it is asked.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 15:12:26.264407
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('interview_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('why', sa.String(length=300), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('interview_answers', schema=None) as batch_op:
        batch_op.drop_column('why')
        batch_op.drop_column('topic')
