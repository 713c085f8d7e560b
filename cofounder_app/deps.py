"""The web app's composition root: settings, database, Redis, the job queue, sign-in throttling.

Built lazily, once per process (Redis clients once per event loop, since a client belongs to the
loop that created it). Nothing else in `cofounder_app` constructs a collaborator.
"""

from __future__ import annotations

import asyncio
import weakref

from arq.connections import ArqRedis
from redis.asyncio import Redis

from agent import jobs
from agent.config import Settings
from agent.db import Database
from agent.founder_safe import register_secrets
from agent.build_control import BuildControls
from agent.journey import Intents, JourneyError
from agent.rate_limits import RateLimits
from agent.rate_limits import message as rate_message
from agent.services.storage import Storage, build_storage
from agent.throttle import SignInThrottle, ThrottleRule

settings = Settings.from_env()
register_secrets(settings.secret_values())  # redacted wherever the web app shows or stores text

EXTRA_ORIGINS: list[str] = []  # origins added while running (the test harness's random page port)
_db: Database | None = None
_storage: Storage | None = None
_redis: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Redis] = weakref.WeakKeyDictionary()
_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ArqRedis] = weakref.WeakKeyDictionary()
_limits: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RateLimits] = weakref.WeakKeyDictionary()


def db() -> Database:
    global _db
    if _db is None:
        _db = Database(settings.database_url)
    return _db


def allowed_origins() -> list[str]:
    """Origins of the product's own pages: they alone may open its websocket, post to its routes and
    frame a preview."""
    return [*settings.allowed_origins, *(o for o in EXTRA_ORIGINS if o not in settings.allowed_origins)]


def redis() -> Redis:
    """This loop's Redis client (text replies), for streams, tickets and throttling."""
    loop = asyncio.get_running_loop()
    client = _redis.get(loop)
    if client is None:
        client = Redis.from_url(settings.redis_url, decode_responses=True, health_check_interval=30)
        _redis[loop] = client
    return client


async def queue() -> ArqRedis:
    """This loop's arq pool, for enqueueing worker jobs."""
    loop = asyncio.get_running_loop()
    pool = _queues.get(loop)
    if pool is None:
        pool = await jobs.create_queue(settings.redis_url)
        _queues[loop] = pool
    return pool


def rate_limits() -> RateLimits:
    """This loop's rate limiter (its Redis client belongs to the loop that made it)."""
    loop = asyncio.get_running_loop()
    found = _limits.get(loop)
    if found is None:
        found = _limits[loop] = RateLimits.for_redis(settings.redis_url, settings.rate_limits)
    return found


async def limit(rule: str, key: str | int) -> None:
    """Raises JourneyError, in plain words, when `key` is over the rule's rate limit (and audits it)."""
    wait = await rate_limits().hit(rule, key)
    if wait:
        from cofounder_app import audit  # audit uses this module

        await audit.refused("rate_limited", key=f"{rule}:{key}", rule=rule, who=str(key))
        raise JourneyError(rate_message(rule, wait))


def throttle() -> SignInThrottle:
    rule = ThrottleRule(
        max_failures=settings.signin_max_failures,
        window_seconds=settings.signin_window_seconds,
        lockout_seconds=settings.signin_lockout_seconds,
    )
    return SignInThrottle(redis(), rule)


def intents() -> Intents:
    """The founder's journey intents, enqueueing on this loop's job queue."""

    async def enqueue(job: str, run_id: int) -> None:
        await jobs.enqueue(await queue(), job, run_id)

    return Intents(db=db(), redis=redis(), enqueue=enqueue, limit=limit)


def storage() -> Storage:
    global _storage
    if _storage is None:
        _storage = build_storage(settings)
    return _storage


def controls() -> BuildControls:
    """The founder's build controls (start, pause, resume, stop, wake the preview)."""

    async def enqueue(job: str, run_id: int, job_id: str) -> None:
        await jobs.enqueue(await queue(), job, run_id, job_id)

    return BuildControls(db=db(), redis=redis(), enqueue=enqueue, limit=limit)
