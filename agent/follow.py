"""Follow a project's runs live: catch up from the database, then tail the Redis Streams.

This is the reading half of the event path, kept free of Reflex so it can be tested on its own.
A `Cursor` says what the reader already has (the last `seq` per run and the last announcement id);
`follow` yields batches of new events in order, each event exactly once:

- first it reads from the database whatever the runs recorded after the cursor;
- then it blocks on XREAD over every run's stream plus the project's announcement stream (a new
  run joins at once);
- when a stream skips seqs (trimmed, or Redis lost it) the gap is filled from the database;
- when nothing arrives for `block_ms` it asks `still_wanted()` and stops once the reader is gone, and
  every `check_every` quiet reads it looks in the database for events the streams lost (Redis
  restarted) with nothing after them to reveal the gap, and for runs whose announcement was lost;
- while Redis is unreachable the database is the stream: it is read every `AWAY_SECONDS` until
  Redis answers again, so an outage never stops a founder's page;
- what Claude is writing right now comes as `streams.TYPING` events (seq 0, never stored) from each
  run's typing stream, from the moment the reader started following.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from agent import store, streams
from agent.db import Database
from agent.streams import StreamEvent


AWAY_SECONDS = 1.0  # while Redis is away, how often the database is read instead


@dataclass
class Cursor:
    runs: dict[int, int] = field(default_factory=dict)  # run id -> last seq the reader has
    announcements: str = "0-0"  # last id read from the project's run announcements
    typing: dict[int, str] = field(default_factory=dict)  # run id -> last typing entry read ("$": from now)


def _run_id_of(stream_name: str | bytes) -> int | None:
    name = stream_name.decode() if isinstance(stream_name, bytes) else stream_name
    parts = name.split(":")
    if len(parts) == 3 and parts[0] == "run" and parts[2] in ("events", "typing"):
        return int(parts[1])
    return None


def _typing(stream_name: str | bytes) -> bool:
    return (stream_name.decode() if isinstance(stream_name, bytes) else stream_name).endswith(":typing")


async def _belongs(db: Database, run_id: int, project_id: int) -> bool:
    """Only runs of this project are followed, whatever the announcement stream says."""
    run = await db.run(lambda s: store.get_run(s, run_id=run_id))
    return run is not None and run.project_id == project_id


async def from_database(
    db: Database, *, run_id: int, after: int, before: int | None = None, keep: int = 200
) -> list[StreamEvent]:
    """Recorded events with after < seq (< before), at most the newest `keep` of them."""
    rows = await db.run(
        lambda s: store.events_between(s, run_id=run_id, after_seq=after, before_seq=before, newest=keep)
    )
    return [
        StreamEvent(run_id=run_id, seq=r.seq, type=r.type, payload=r.payload, at=r.created_at.timestamp())
        for r in rows
    ]


async def _recorded_since(db: Database, cursor: Cursor, keep: int) -> list[StreamEvent]:
    """What the database holds after the cursor, for every followed run, in order; moves the cursor."""
    found: list[StreamEvent] = []
    for run_id, last in list(cursor.runs.items()):
        missed = await from_database(db, run_id=run_id, after=last, keep=keep)
        if missed:
            cursor.runs[run_id] = missed[-1].seq
            found.extend(missed)
    return sorted(found, key=lambda e: (e.at, e.run_id, e.seq))


async def _joined(db: Database, project_id: int, cursor: Cursor) -> None:
    """Runs of the project started after the newest one followed, which the announcement stream lost
    (Redis restarted): followed from their start."""
    newest = max(cursor.runs, default=0)
    for run in await db.run(lambda s: store.project_runs(s, project_id=project_id)):
        if run.id > newest:
            cursor.runs[run.id] = 0


async def _looked_up(db: Database, project_id: int, cursor: Cursor, keep: int) -> list[StreamEvent]:
    """The database's side of the stream: new runs joined, then what was recorded after the cursor."""
    await _joined(db, project_id, cursor)
    return await _recorded_since(db, cursor, keep)


async def follow(
    *,
    redis: Redis,
    db: Database,
    project_id: int,
    cursor: Cursor,
    still_wanted: Callable[[], Awaitable[bool]],
    keep: int = 200,
    block_ms: int = 2000,
    check_every: int = 5,  # quiet reads between two looks in the database (every 10 s by default)
) -> AsyncIterator[list[StreamEvent]]:
    if catch_up := await _recorded_since(db, cursor, keep):
        yield catch_up

    announcements = streams.project_runs_stream(project_id)
    quiet = 0
    while True:
        keys = {streams.run_stream(r): streams.entry_id(s) if s else "0-0" for r, s in cursor.runs.items()}
        keys.update({streams.typing_stream(r): cursor.typing.get(r, "$") for r in cursor.runs})
        keys[announcements] = cursor.announcements
        try:
            response = await redis.xread(keys, block=block_ms, count=500)
        except (RedisConnectionError, RedisTimeoutError):  # Redis is away: the database has every event
            if not await still_wanted():
                return
            if missed := await _looked_up(db, project_id, cursor, keep):
                yield missed
            await asyncio.sleep(AWAY_SECONDS)
            continue
        if not response:
            if not await still_wanted():
                return
            quiet += 1
            # a stream can lose an event with nothing after it to show the gap: look in the database
            if quiet % check_every == 0 and (missed := await _looked_up(db, project_id, cursor, keep)):
                yield missed
            continue
        quiet = 0
        batch: list[StreamEvent] = []
        for stream_name, entries in response:
            run_id = _run_id_of(stream_name)
            if run_id is None:  # the announcement stream: start following new runs from their start
                for entry_id, fields in entries:
                    announced = streams.run_id_of_announcement(fields)
                    cursor.announcements = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                    if announced not in cursor.runs and await _belongs(db, announced, project_id):
                        cursor.runs[announced] = 0
                continue
            if _typing(stream_name):
                entry_id, fields = entries[-1]
                cursor.typing[run_id] = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                batch.append(streams.typing_event(run_id, fields, at=streams.seq_of(entry_id) / 1000))
                continue
            for entry_id, fields in entries:
                event = streams.parse_entry(run_id, entry_id, fields)
                last = cursor.runs.get(run_id, 0)
                if event.seq <= last:
                    continue
                if event.seq > last + 1:  # the stream lost some: the database has them
                    batch.extend(await from_database(db, run_id=run_id, after=last, before=event.seq, keep=keep))
                batch.append(event)
                cursor.runs[run_id] = event.seq
        if batch:
            yield batch
