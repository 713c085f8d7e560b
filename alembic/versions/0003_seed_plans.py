"""seed the three plans

The tiers a founder can be on: the model a build uses, the monthly budget in microdollars, how many
builds may run at once and the monthly price. `agent/budget.py` holds the same figures (a test keeps
the two equal); a later price change is a new migration.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLANS = [
    {"key": "bootstrapper", "name": "Bootstrapper", "monthly_budget_micros": 20_000_000,
     "model": "claude-sonnet-4-5", "max_concurrent_runs": 1, "price_cents": 2_900, "stripe_price_id": ""},
    {"key": "partner", "name": "Partner", "monthly_budget_micros": 60_000_000,
     "model": "claude-sonnet-4-5", "max_concurrent_runs": 2, "price_cents": 9_900, "stripe_price_id": ""},
    {"key": "cto_scale", "name": "CTO Scale", "monthly_budget_micros": 200_000_000,
     "model": "claude-opus-4-1", "max_concurrent_runs": 3, "price_cents": 29_900, "stripe_price_id": ""},
]


def upgrade() -> None:
    plans = sa.table('plans', sa.column('key', sa.String), sa.column('name', sa.String),
                     sa.column('monthly_budget_micros', sa.Integer), sa.column('model', sa.String),
                     sa.column('max_concurrent_runs', sa.Integer), sa.column('price_cents', sa.Integer),
                     sa.column('stripe_price_id', sa.String))
    op.bulk_insert(plans, PLANS)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM plans WHERE key IN ('bootstrapper', 'partner', 'cto_scale')"))
