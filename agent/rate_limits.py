"""Rate limits on what founders (and anyone else) can ask of the product, with the `limits` library
(moving windows in Redis, so every web worker counts together).

| rule | per | limit |
| --- | --- | --- |
| sign_up | client address | 5 an hour |
| sign_in | client address | 30 in 10 minutes (any email: guessing across accounts) |
| password_reset | client address | 10 an hour (links asked for) |
| project | founder | 20 an hour |
| build | founder | 10 an hour |
| journey_job | founder | 120 an hour (interview answers, brief and plan drafts) |
| http | client address | 600 a minute (the product's HTTP routes) |
| tab_events | browser tab (one websocket) | 30 a second; more wait their turn (in memory, per web process) |

`hit` counts one request and says how long to wait when it is over the limit; the caller tells the
founder in plain words (`message`), or answers 429 with Retry-After, and the refusal is audited.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Rule:
    limit: RateLimitItem
    what: str  # "create projects" -> "You can create projects again in 12 minutes."


RULES = {
    "sign_up": Rule(parse("5/hour"), "create accounts from here"),
    "sign_in": Rule(parse("30/10minutes"), "sign in from here"),
    "password_reset": Rule(parse("10/hour"), "ask for a new password"),
    "project": Rule(parse("20/hour"), "start new projects"),
    "build": Rule(parse("10/hour"), "start builds"),
    "journey_job": Rule(parse("120/hour"), "ask your co-founder for more"),
    "http": Rule(parse("600/minute"), "load pages"),
    "tab_events": Rule(parse("30/second"), "click"),
}


def storage_uri(redis_url: str) -> str:
    """REDIS_URL as `limits` names the same server."""
    if redis_url.startswith("unix://"):
        return "async+redis+unix://" + redis_url[len("unix://"):]
    return "async+" + redis_url


def message(rule_name: str, wait: float) -> str:
    minutes = max(1, math.ceil(wait / 60))
    when = f"{minutes} minute{'s' if minutes != 1 else ''}" if wait >= 60 else "a minute"
    return f"That's a lot in a short time: you can {RULES[rule_name].what} again in {when}."


class RateLimits:
    def __init__(self, storage: Storage, overrides: tuple[tuple[str, str], ...] = ()):
        self.limiter = MovingWindowRateLimiter(storage)
        self.rules = {name: rule.limit for name, rule in RULES.items()} | {name: parse(expression)
                                                                           for name, expression in overrides}

    @classmethod
    def for_redis(cls, redis_url: str, overrides: tuple[tuple[str, str], ...] = ()) -> RateLimits:
        return cls(RedisStorage(storage_uri(redis_url), implementation="redispy"), overrides)

    @classmethod
    def in_memory(cls, overrides: tuple[tuple[str, str], ...] = ()) -> RateLimits:
        return cls(MemoryStorage(), overrides)

    async def hit(self, rule_name: str, key: str | int) -> float:
        """Counts one request for `key`; 0 when allowed, else the seconds until the next is."""
        rule = self.rules[rule_name]
        if await self.limiter.hit(rule, rule_name, str(key)):
            return 0.0
        stats = await self.limiter.get_window_stats(rule, rule_name, str(key))
        return max(1.0, stats.reset_time - time.time())
