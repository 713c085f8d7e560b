"""CTO Scale builds with the current Opus (claude-opus-4-5)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 17:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

plans = sa.table('plans', sa.column('key', sa.String), sa.column('model', sa.String))


def upgrade() -> None:
    op.execute(plans.update().where(plans.c.key == 'cto_scale').values(model='claude-opus-4-5'))


def downgrade() -> None:
    op.execute(plans.update().where(plans.c.key == 'cto_scale').values(model='claude-opus-4-1'))
