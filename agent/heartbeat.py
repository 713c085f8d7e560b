"""Worker liveness: each worker writes a heartbeat to Redis, and what sandbox it can open; the health
route reads the newest, and starting a build asks whether any worker can run one."""

from __future__ import annotations

import asyncio
import json
import time

from redis.asyncio import Redis

HEARTBEATS = "workers:heartbeat"
SANDBOXES = "workers:sandbox"
INTERVAL_SECONDS = 5.0


async def beat(redis: Redis, worker_id: str, *, now: float | None = None) -> None:
    await redis.hset(HEARTBEATS, worker_id, f"{now or time.time():.3f}")


async def beat_forever(redis: Redis, worker_id: str, interval: float = INTERVAL_SECONDS, *,
                       sandbox: dict | None = None) -> None:
    while True:
        try:
            await beat(redis, worker_id)
            if sandbox is not None:  # again each beat: a flushed Redis forgets it
                await report_sandbox(redis, worker_id, sandbox)
        except Exception:  # a Redis hiccup must not kill the worker; the next beat retries
            pass
        await asyncio.sleep(interval)


async def forget(redis: Redis, worker_id: str) -> None:
    await redis.hdel(HEARTBEATS, worker_id)
    await redis.hdel(SANDBOXES, worker_id)


async def report_sandbox(redis: Redis, worker_id: str, state: dict) -> None:
    """What the worker found when it probed its sandbox (`SandboxState.describe()`)."""
    await redis.hset(SANDBOXES, worker_id, json.dumps(state))


async def sandbox_states(redis: Redis) -> dict[str, dict]:
    """worker id -> its sandbox report, for the workers that beat recently."""
    beats, reports = await redis.hgetall(HEARTBEATS), await redis.hgetall(SANDBOXES)
    now, states = time.time(), {}
    for worker, report in reports.items():
        key = worker.decode() if isinstance(worker, bytes) else worker
        beat_at = beats.get(worker) or beats.get(key)
        if beat_at is not None and now - float(beat_at) < 3 * INTERVAL_SECONDS:
            states[key] = json.loads(report)
    return states


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
