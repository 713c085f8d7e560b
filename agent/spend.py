"""A founder's spend against their tier, from the usage ledger: today's allowance and today's spend
(the data side of `agent/budget.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, func, select

from agent import budget
from agent.models import Subscription, UsageEntry, User


@dataclass(frozen=True)
class Today:
    tier: budget.Tier
    allowance_micros: int
    spent_micros: int
    tokens: int
    renews_at: datetime

    @property
    def verdict(self) -> str:
        return budget.verdict(spent_today=self.spent_micros, allowance=self.allowance_micros)


def _spent(session: Session, user_id: int, since: datetime, until: datetime | None = None) -> tuple[int, int]:
    query = select(func.coalesce(func.sum(UsageEntry.cost_micros), 0),
                   func.coalesce(func.sum(UsageEntry.input_tokens + UsageEntry.output_tokens
                                          + UsageEntry.cache_write_tokens + UsageEntry.cache_read_tokens), 0)) \
        .where(UsageEntry.user_id == user_id, UsageEntry.created_at >= since)
    if until is not None:
        query = query.where(UsageEntry.created_at < until)
    micros, tokens = session.exec(query).one()
    return int(micros), int(tokens)


def founder_tier(session: Session, *, user_id: int, now: datetime) -> tuple[budget.Tier, datetime]:
    """The founder's tier and renewal: their active subscription's, else the default tier renewing
    monthly from sign-up."""
    subscription = session.exec(select(Subscription).where(Subscription.user_id == user_id,
                                                           Subscription.status == "active")).first()
    if subscription is not None:
        return budget.tier(subscription.plan_key), subscription.renews_at
    user = session.get(User, user_id)
    return budget.tier(""), budget.next_renewal(user.created_at if user else now, now)


def today(session: Session, *, user_id: int, now: datetime) -> Today:
    """The founder's tier, today's allowance and today's spend."""
    tier, renews_at = founder_tier(session, user_id=user_id, now=now)
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    period = budget.period_start(renews_at)
    before_today, _ = _spent(session, user_id, min(period, day_start), day_start)
    spent, tokens = _spent(session, user_id, day_start)
    allowance = budget.daily_allowance(monthly_budget=tier.monthly_budget_micros, spent_before_today=before_today,
                                       renews_at=renews_at, now=now)
    return Today(tier=tier, allowance_micros=allowance, spent_micros=spent, tokens=tokens, renews_at=renews_at)
