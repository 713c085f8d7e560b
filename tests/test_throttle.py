import asyncio

from agent.throttle import SignInThrottle, ThrottleRule, locks_now, wait_message

HOME = "198.51.100.7"  # the founder's own address


def test_the_rule():
    rule = ThrottleRule(max_failures=5)
    assert not locks_now(4, rule) and locks_now(5, rule)
    assert wait_message(300) == "Too many attempts for this email. For your security, try again in 5 minutes."
    assert "1 minute." in wait_message(20)


async def test_sixth_attempt_in_a_minute_is_refused(redis, unique):
    throttle = SignInThrottle(redis, ThrottleRule(max_failures=5, window_seconds=60, lockout_seconds=300))
    email = f"{unique}@example.com"
    for _ in range(5):
        assert await throttle.retry_after(email, HOME) == 0
        await throttle.failed(email, HOME)
    wait = await throttle.retry_after(email, HOME)
    assert 290 <= wait <= 300
    assert await throttle.retry_after(f"other-{unique}@example.com", HOME) == 0  # per email


async def test_a_stranger_guessing_from_elsewhere_cannot_lock_the_founder_out(redis, unique):
    throttle = SignInThrottle(redis, ThrottleRule(max_failures=5, window_seconds=60, lockout_seconds=300))
    email = f"{unique}@example.com"
    for _ in range(20):
        await throttle.failed(email, "203.0.113.9")  # the stranger's address
    assert await throttle.retry_after(email, "203.0.113.9") > 0  # locked out: the stranger
    assert await throttle.retry_after(email, HOME) == 0  # the founder, at home, is not


async def test_a_success_resets_the_count(redis, unique):
    throttle = SignInThrottle(redis, ThrottleRule(max_failures=3))
    email = f"{unique}@example.com"
    await throttle.failed(email, HOME)
    await throttle.failed(email, HOME)
    await throttle.succeeded(email, HOME)
    await throttle.failed(email, HOME)
    assert await throttle.retry_after(email, HOME) == 0


async def test_the_lockout_ends(redis, unique):
    throttle = SignInThrottle(redis, ThrottleRule(max_failures=1, lockout_seconds=1))
    email = f"{unique}@example.com"
    await throttle.failed(email, HOME)
    assert await throttle.retry_after(email, HOME) >= 1
    await asyncio.sleep(1.3)
    assert await throttle.retry_after(email, HOME) == 0


async def test_failures_outside_the_window_do_not_count(redis, unique):
    throttle = SignInThrottle(redis, ThrottleRule(max_failures=2, window_seconds=1))
    email = f"{unique}@example.com"
    await throttle.failed(email, HOME)
    await asyncio.sleep(1.3)
    await throttle.failed(email, HOME)
    assert await throttle.retry_after(email, HOME) == 0
