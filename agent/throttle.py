"""Sign-in throttling: after too many failures for one email from one client address in a short
window, refuse that email from that address for a while.

With the defaults (5 failures in 60 s, 300 s lockout) the 6th attempt within a minute is refused
even with the right password, from that address. Keyed on the email and the address together, so a
stranger who knows a founder's email and guesses from elsewhere locks out only themselves: the
founder's own sign-in from their address still works. (Many guesses from one address at many emails
are the rate limits' business: agent/rate_limits.py.) Counters live in Redis under a hash, shared by
every web worker, and expire on their own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from redis.asyncio import Redis


@dataclass(frozen=True)
class ThrottleRule:
    max_failures: int = 5
    window_seconds: int = 60
    lockout_seconds: int = 300


def locks_now(failures_in_window: int, rule: ThrottleRule) -> bool:
    """Whether this many failures inside the window starts a lockout."""
    return failures_in_window >= rule.max_failures


def wait_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts for this email. For your security, try again in {minutes} {unit}."


class SignInThrottle:
    def __init__(self, redis: Redis, rule: ThrottleRule):
        self.redis = redis
        self.rule = rule

    @staticmethod
    def _key(kind: str, email: str, client: str) -> str:
        return f"signin:{kind}:{hashlib.sha256(f'{email}|{client}'.encode()).hexdigest()[:32]}"

    async def retry_after(self, email: str, client: str) -> int:
        """Seconds until this email may try again from this address; 0 when it may try now."""
        ttl = await self.redis.ttl(self._key("lock", email, client))
        return max(int(ttl), 0)

    async def failed(self, email: str, client: str) -> None:
        key = self._key("fail", email, client)
        count = await self.redis.incr(key)
        if count == 1:
            await self.redis.expire(key, self.rule.window_seconds)
        if locks_now(count, self.rule):
            await self.redis.set(self._key("lock", email, client), "1", ex=self.rule.lockout_seconds)
            await self.redis.delete(key)

    async def succeeded(self, email: str, client: str) -> None:
        await self.redis.delete(self._key("fail", email, client))
