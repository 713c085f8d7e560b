"""Worker liveness: each worker writes a heartbeat to Redis; the health route reads the newest."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

HEARTBEATS = "workers:heartbeat"
INTERVAL_SECONDS = 5.0


async def beat(redis: Redis, worker_id: str, *, now: float | None = None) -> None:
    await redis.hset(HEARTBEATS, worker_id, f"{now or time.time():.3f}")


async def beat_forever(redis: Redis, worker_id: str, interval: float = INTERVAL_SECONDS) -> None:
    while True:
        try:
            await beat(redis, worker_id)
        except Exception:  # a Redis hiccup must not kill the worker; the next beat retries
            pass
        await asyncio.sleep(interval)


async def forget(redis: Redis, worker_id: str) -> None:
    await redis.hdel(HEARTBEATS, worker_id)


async def latest(redis: Redis) -> tuple[str, float] | None:
    """The worker that beat most recently and when, or None if none ever did."""
    beats = await redis.hgetall(HEARTBEATS)
    if not beats:
        return None
    decoded = {
        (k.decode() if isinstance(k, bytes) else k): float(v.decode() if isinstance(v, bytes) else v)
        for k, v in beats.items()
    }
    worker_id = max(decoded, key=decoded.__getitem__)
    return worker_id, decoded[worker_id]
