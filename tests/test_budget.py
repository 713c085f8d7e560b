"""The budget rules: tiers, the day's allowance, and sleep / breaker verdicts (pure functions)."""

from datetime import UTC, datetime

from agent import budget
from agent.pricing import caching_saved_micros, cost_micros
from agent.services.llm import Usage

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


def test_tiers_pick_the_model_and_unknown_keys_get_the_default():
    assert budget.tier("cto_scale").model.startswith("claude-opus")
    assert budget.tier("partner").model == budget.tier("bootstrapper").model == "claude-sonnet-4-5"
    assert budget.tier("platinum") == budget.tier("") == budget.TIERS["bootstrapper"]
    assert [t.monthly_budget_micros for t in budget.TIERS.values()] == sorted(
        t.monthly_budget_micros for t in budget.TIERS.values())


def test_the_allowance_is_what_is_left_over_the_days_left_and_grows_after_a_quiet_day():
    renews = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # 9.35 days away: 10 days counting today
    assert budget.days_until(renews, NOW) == 10
    first = budget.daily_allowance(monthly_budget=20_000_000, spent_before_today=0, renews_at=renews, now=NOW)
    assert first == 2_000_000
    tomorrow = NOW.replace(day=24)  # nothing spent today: tomorrow's share is larger
    assert budget.daily_allowance(monthly_budget=20_000_000, spent_before_today=0, renews_at=renews,
                                  now=tomorrow) == 20_000_000 // 9
    assert budget.daily_allowance(monthly_budget=20_000_000, spent_before_today=25_000_000, renews_at=renews,
                                  now=NOW) == 0  # overspent: nothing more this month
    assert budget.days_until(NOW, NOW) == 1  # renewing now: today is the last day, never a division by 0


def test_spending_the_allowance_sleeps_and_more_than_ten_percent_over_trips_the_breaker():
    assert budget.verdict(spent_today=999, allowance=1000) == "ok"
    assert budget.verdict(spent_today=1000, allowance=1000) == "sleep"
    assert budget.verdict(spent_today=1100, allowance=1000) == "sleep"
    assert budget.verdict(spent_today=1101, allowance=1000) == "breaker"
    assert budget.verdict(spent_today=1, allowance=0) == "breaker"
    assert budget.next_reset(NOW) == datetime(2026, 11, 24, tzinfo=UTC)


def test_cost_weights_every_usage_field_by_the_models_own_prices():
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000, cache_write_tokens=1_000_000,
                  cache_read_tokens=1_000_000)
    # sonnet: 3 input + 15 output + 3.75 cache write + 0.30 cache read
    assert cost_micros("claude-sonnet-4-5", usage) == 22_050_000
    # opus output is 5x its input, and 5x sonnet's price
    assert cost_micros("claude-opus-4-1", Usage(output_tokens=1_000)) == 5 * cost_micros("claude-opus-4-1",
                                                                                          Usage(input_tokens=1_000))
    assert budget.period_start(datetime(2026, 3, 31, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)
    # what caching saved: cache reads at a tenth of the input price; writes cost a quarter more
    assert caching_saved_micros("claude-sonnet-4-5", Usage(cache_read_tokens=1_000_000)) == 2_700_000
    assert caching_saved_micros("claude-sonnet-4-5", Usage(cache_write_tokens=1_000_000)) == -750_000


def test_founders_without_a_subscription_renew_monthly_from_sign_up():
    signed_up = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    assert budget.next_renewal(signed_up, NOW) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert budget.next_renewal(signed_up, datetime(2026, 2, 1, tzinfo=UTC)) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert budget.add_months(datetime(2026, 12, 15, tzinfo=UTC), 1) == datetime(2027, 1, 15, tzinfo=UTC)


def test_a_founders_day_comes_from_their_subscription_and_the_ledger(db, founder):
    from datetime import timedelta

    from agent import build_view, spend
    from agent.models import Plan, Subscription, UsageEntry

    user, project, _ = founder
    partner = budget.tier("partner")
    with db.session() as s:
        if s.get(Plan, partner.key) is None:
            s.add(Plan(key=partner.key, name=partner.name, monthly_budget_micros=partner.monthly_budget_micros,
                       model=partner.model, max_concurrent_runs=partner.max_concurrent_runs))
        s.add(Subscription(user_id=user.id, plan_key="partner", renews_at=NOW + timedelta(days=9, hours=1)))
        s.add(UsageEntry(user_id=user.id, model="claude-sonnet-4-5", cost_micros=10_000_000,
                         created_at=NOW - timedelta(days=1)))
        s.add(UsageEntry(user_id=user.id, model="claude-sonnet-4-5", cost_micros=1_000_000, input_tokens=500,
                         created_at=NOW - timedelta(hours=1)))
        s.commit()
        day = spend.today(s, user_id=user.id, now=NOW)
        assert (day.tier.key, day.allowance_micros, day.spent_micros, day.verdict) == ("partner", 5_000_000,
                                                                                     1_000_000, "ok")
        view = build_view.read(s, project_id=project.id, user_id=user.id, now=NOW)
    assert (view["today_cost"], view["allowance_cost"], view["allowance_used"], view["tier_name"]) == (
        "$1.00", "$5.00", 20, "Partner")


def test_the_plans_in_the_database_are_the_tiers_in_the_code(db):
    from sqlmodel import select

    from agent.models import Plan

    with db.session() as s:
        plans = {p.key: p for p in s.exec(select(Plan))}
    for tier in budget.TIERS.values():
        plan = plans[tier.key]
        assert (plan.name, plan.monthly_budget_micros, plan.model, plan.max_concurrent_runs, plan.price_cents) == (
            tier.name, tier.monthly_budget_micros, tier.model, tier.max_concurrent_runs, tier.price_cents)
