"""Redis Streams that carry run events live from the worker to every open tab.

A run's events go to `run:{id}:events` with the explicit id `{seq}-1`, so Redis itself refuses an
event that is already there (a re-emission after a crash) instead of storing it twice. A project's
new runs are announced on `project:{id}:runs` so an open page starts following them at once.
The database stays the source of truth; a stream may be trimmed or lost and is then backfilled. So
Redis only holds what is live: each stream goes STREAM_TTL after its last entry (a finished run's
stream, or a project's announcements, would otherwise stay for good).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError


STREAM_TTL = 7 * 24 * 3600  # seconds a stream is kept after its last entry


def run_stream(run_id: int) -> str:
    return f"run:{run_id}:events"


def project_runs_stream(project_id: int) -> str:
    return f"project:{project_id}:runs"


def entry_id(seq: int) -> str:
    return f"{seq}-1"


def seq_of(stream_id: str | bytes) -> int:
    text = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    return int(text.split("-", 1)[0])


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True)
class StreamEvent:
    run_id: int
    seq: int
    type: str
    payload: dict[str, Any]
    at: float  # unix seconds when the worker recorded it


async def publish(
    redis: Redis,
    *,
    run_id: int,
    seq: int,
    type_name: str,
    payload_json: str,
    at: float,
    maxlen: int,
) -> bool:
    """XADD one event; False when the stream already holds this seq (or a later one)."""
    fields = {"type": type_name, "payload": payload_json, "at": f"{at:.6f}"}
    try:
        async with redis.pipeline(transaction=False) as pipe:  # one round trip; the EXPIRE runs either way
            pipe.xadd(run_stream(run_id), fields, id=entry_id(seq), maxlen=maxlen, approximate=True)
            pipe.expire(run_stream(run_id), STREAM_TTL)
            await pipe.execute()
    except ResponseError as exc:
        if "equal or smaller" in str(exc):
            return False
        raise
    return True


def parse_entry(run_id: int, stream_id: str | bytes, fields: dict) -> StreamEvent:
    data = {_text(k): _text(v) for k, v in fields.items()}
    return StreamEvent(
        run_id=run_id,
        seq=seq_of(stream_id),
        type=data.get("type", ""),
        payload=json.loads(data.get("payload") or "{}"),
        at=float(data.get("at") or 0.0),
    )


async def announce_run(redis: Redis, *, project_id: int, run_id: int, new_project: bool = False) -> None:
    """Tell every open page of the project that a new run exists.

    A brand-new run (or project) can have no stream yet, so anything Redis holds under its key is left
    over from an earlier database whose ids started again: it is dropped first, never shown."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(run_stream(run_id))
        if new_project:
            pipe.delete(project_runs_stream(project_id))
        pipe.xadd(project_runs_stream(project_id), {"run_id": str(run_id)}, maxlen=100, approximate=True)
        pipe.expire(project_runs_stream(project_id), STREAM_TTL)
        await pipe.execute()


def run_id_of_announcement(fields: dict) -> int:
    data = {_text(k): _text(v) for k, v in fields.items()}
    return int(data["run_id"])
