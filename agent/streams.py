"""Redis Streams that carry run events live from the worker to every open tab.

A run's events go to `run:{id}:events` with the explicit id `{seq}-1`, so Redis itself refuses an
event that is already there (a re-emission after a crash) instead of storing it twice. A project's
new runs are announced on `project:{id}:runs` so an open page starts following them at once.
What Claude is writing right now goes to `run:{id}:typing` (the latest text only, never stored: the
words that end up mattering are in the events that follow).
The database stays the source of truth; a stream may be trimmed or lost and is then backfilled. So
Redis only holds what is live: each stream goes STREAM_TTL after its last entry (a finished run's
stream, or a project's announcements, would otherwise stay for good).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError


log = logging.getLogger(__name__)
_PATH = re.compile(r'"path"\s*:\s*"((?:[^"\\]|\\.){1,120})"')
STREAM_TTL = 7 * 24 * 3600  # seconds a stream is kept after its last entry


def run_stream(run_id: int) -> str:
    return f"run:{run_id}:events"


TYPING = "agent.typing"  # the type of a typing StreamEvent (seq 0: it is not one of the run's events)
TYPING_TTL = 600


def typing_stream(run_id: int) -> str:
    return f"run:{run_id}:typing"


async def publish_typing(redis: Redis, *, run_id: int, text: str) -> None:
    """What the model has written so far in this turn ("" once the turn is over)."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.xadd(typing_stream(run_id), {"text": text}, maxlen=1, approximate=False)
        pipe.expire(typing_stream(run_id), TYPING_TTL)
        await pipe.execute()


def typing_event(run_id: int, fields: dict, at: float) -> StreamEvent:
    return StreamEvent(run_id=run_id, seq=0, type=TYPING, payload={"text": _text(fields.get(b"text", fields.get("text", "")))},
                       at=at)


class Typing:
    """The model's `on_delta`: a turn's streamed text, coalesced into a few typing updates a second.
    A typing update that cannot be sent is dropped: it never fails a build."""

    def __init__(self, redis: Redis, run_id: int, *, every: float = 0.3, keep: int = 600,
                 clock: Callable[[], float] = time.monotonic,
                 label: Callable[[str, dict[str, str]], str] | None = None):
        self.redis, self.run_id, self.every, self.keep, self.clock = redis, run_id, every, keep, clock
        self.label = label  # a tool call as words ("Writing app/main.py"), while its arguments stream
        self.text, self.sent, self.doing, self.tool, self.arguments = "", float("-inf"), "", "", ""

    async def __call__(self, kind: str, chunk: str) -> None:
        if kind == "tool" and self.label is not None:  # a call begins: say what it is, at once
            self.tool, self.arguments = chunk, ""
            await self._doing(self.label(chunk, {}))
        elif kind == "tool_input" and self.tool and self.label is not None:
            self.arguments += chunk
            found = _PATH.search(self.arguments)
            if found and self.doing == self.label(self.tool, {}):  # the file it is about, once known
                await self._doing(self.label(self.tool, {"path": found.group(1)}))
        elif kind == "text":
            self.text += chunk
            if self.clock() - self.sent >= self.every:
                await self._update()

    def shown(self) -> str:
        text = self.text.strip()[-self.keep:]
        return f"{text}\n{self.doing}…" if text and self.doing else (f"{self.doing}…" if self.doing else text)

    async def _doing(self, doing: str) -> None:
        self.doing = doing
        await self._update()

    async def _update(self) -> None:
        self.sent = self.clock()
        await self._send(self.shown())

    async def end(self) -> None:
        """The turn is over: its words are in the events now, the typing row goes."""
        if self.text or self.doing:
            self.text, self.doing, self.tool, self.sent = "", "", "", float("-inf")
            await self._send("")

    async def _send(self, text: str) -> None:
        try:
            await publish_typing(self.redis, run_id=self.run_id, text=text)
        except Exception:  # Redis away for a moment: the events still carry everything
            log.warning("could not send typing of run %s", self.run_id)


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
