"""Budget rules (pure): the tiers, the day's allowance, and what a day's spend means for a run.

Money is in microdollars (see `agent/pricing.py`, whose price table weights every usage field by the
model's own prices). A founder's daily allowance is what is left of the month's budget divided by the
days until renewal, recomputed each day, so a quiet day leaves more for the next ones. Spending the
day's allowance puts a run to sleep until the next reset (midnight UTC); spending more than 10% over
it trips the breaker (`budget_exceeded`), which stops the run at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

BREAKER_MARGIN = 0.10  # a day's spend over its allowance by more than this stops the run outright
DEFAULT_TIER = "bootstrapper"


@dataclass(frozen=True)
class Tier:
    key: str
    name: str
    monthly_budget_micros: int  # what the founder's model calls may cost per subscription month
    model: str  # fixed at a run's start and recorded on the run
    max_concurrent_runs: int
    price_cents: int  # what the founder pays per month


TIERS: dict[str, Tier] = {t.key: t for t in (
    Tier("bootstrapper", "Bootstrapper", 20_000_000, "claude-sonnet-4-5", 1, 2_900),
    Tier("partner", "Partner", 60_000_000, "claude-sonnet-4-5", 2, 9_900),
    Tier("cto_scale", "CTO Scale", 200_000_000, "claude-opus-4-5", 3, 29_900),
)}


def tier(key: str) -> Tier:
    """The tier for a key; an unknown or empty key is the default tier (never a free upgrade)."""
    return TIERS.get(key or DEFAULT_TIER, TIERS[DEFAULT_TIER])


def next_reset(now: datetime) -> datetime:
    """When the day's allowance starts again: the next midnight UTC."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


def days_until(renews_at: datetime, now: datetime) -> int:
    """Days left in the subscription period, counting today (at least 1)."""
    left = (renews_at.astimezone(UTC) - now.astimezone(UTC)).total_seconds() / 86_400
    return max(1, math.ceil(left))


def daily_allowance(*, monthly_budget: int, spent_before_today: int, renews_at: datetime, now: datetime) -> int:
    """Today's allowance: the budget left at the start of today over the days left (today included)."""
    remaining = max(0, monthly_budget - spent_before_today)
    return remaining // days_until(renews_at, now)


def verdict(*, spent_today: int, allowance: int) -> str:
    """ "ok" (keep working), "sleep" (today's allowance is spent: rest until the reset) or "breaker"
    (more than BREAKER_MARGIN over it: stop now and tell the founder)."""
    if spent_today > allowance * (1 + BREAKER_MARGIN):
        return "breaker"
    if spent_today >= allowance:
        return "sleep"
    return "ok"


def add_months(at: datetime, months: int) -> datetime:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = at.year * 12 + at.month - 1 + months
    year, month = divmod(index, 12)
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][month]
    return at.replace(year=year, month=month + 1, day=min(at.day, last))


def period_start(renews_at: datetime) -> datetime:
    """The start of the subscription month that ends at `renews_at` (same day a month earlier)."""
    return add_months(renews_at.astimezone(UTC), -1)


def next_renewal(anchor: datetime, now: datetime) -> datetime:
    """The first monthly anniversary of `anchor` after `now` (for founders without a subscription)."""
    months = max(0, (now.year - anchor.year) * 12 + now.month - anchor.month - 1)
    renewal = add_months(anchor, months)
    while renewal <= now:
        months += 1
        renewal = add_months(anchor, months)
    return renewal
