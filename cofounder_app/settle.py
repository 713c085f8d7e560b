"""When a page's view has caught up with a run, so the page never stops one write short.

An event tells the page to re-read its view, but the worker may still be writing what goes with it,
with no event after: the brief's "saved" event once came just before the project reached the gate
(agent/journey_jobs.py, draft_brief, since mended), and a re-read in between was the page's last: the
gate never showed (issue 15). A journey run's own end is still written after its last event. The
worker's side keeps "write, then announce"; the page does not rely on every writer keeping it. A worker
runs a run's steps one after another, so whatever it wrote after an event
is in the database once the run's next event arrives or the run has ended. A run whose event made the
page re-read is watched until one of those, and then the view is read once more; while it stays
quiet, the database is asked whether it has ended, less and less often.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from sqlmodel import col, select

from agent.db import Database
from agent.models import Run
from agent.streams import StreamEvent

BUSY = ("queued", "running")  # a run in these may still write
FIRST_LOOK = 0.25  # seconds from a watched run's event to the first look at whether it has ended
MOST_BETWEEN_LOOKS = 2.0  # the looks space out to this
WATCH_FOR = 60.0  # a run quiet this long is no longer watched (a queued run nobody has taken up yet)


class Settling:
    """The runs the page's view may not have caught up with, and when to look at them next."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.runs: dict[int, tuple[int, float]] = {}  # run id -> (last seq seen, watched since)
        self.wait, self.next_look = FIRST_LOOK, 0.0
        self.asked = False  # a batch had an event the page wants (not only a watched run moving on)

    def watch(self, run_id: int, seq: int) -> None:
        self.runs[run_id] = (seq, self.clock())
        self.wait, self.next_look = FIRST_LOOK, self.clock() + FIRST_LOOK

    def saw(self, batch: list[StreamEvent], wants: frozenset[str]) -> bool:
        """Note a batch; True when the view should be read again: the batch has an event the page
        wants, or a watched run has moved on (what it wrote after its event is in now)."""
        last: dict[int, int] = {}
        for item in batch:
            if item.seq:  # typing (seq 0) is not one of the run's steps
                last[item.run_id] = max(last.get(item.run_id, 0), item.seq)
        again = False
        for run_id, seq in last.items():
            if run_id in self.runs and seq > self.runs[run_id][0]:
                del self.runs[run_id]
                again = True
        for run_id in {item.run_id for item in batch if item.seq and item.type in wants}:
            self.watch(run_id, last[run_id])
            again = self.asked = True
        return again

    async def ended(self, db: Database) -> bool:
        """Ask the database about the watched runs; True when one has ended since its event. Asked
        before the view is read, so that read has everything the run wrote."""
        ids = list(self.runs)
        rows = await db.run(lambda s: s.exec(select(Run.id, Run.status).where(col(Run.id).in_(ids))).all())
        status, now = dict(rows), self.clock()
        ended = [run_id for run_id in ids if status.get(run_id) not in BUSY]
        for run_id in ids:
            if run_id in ended or now - self.runs[run_id][1] > WATCH_FOR:
                del self.runs[run_id]
        self.wait = min(self.wait * 2, MOST_BETWEEN_LOOKS)
        self.next_look = now + self.wait
        return bool(ended)


async def busy_runs(db: Database, project_id: int) -> list[int]:
    """The project's runs that may still write (a listener starts by watching those it has events of)."""
    return list(await db.run(lambda s: s.exec(select(Run.id).where(Run.project_id == project_id,
                                                                   col(Run.status).in_(BUSY))).all()))


async def refresh_when_wanted(wanted: asyncio.Event, settling: Settling, db: Database,
                              refresh: Callable[[], Awaitable[bool]], spacing: float) -> None:
    """Re-read the view when a batch wants it or a watched run has moved on or ended; returns once
    `refresh` says the tab has moved on. A read the page's events asked for is followed by `spacing`
    seconds without one (a busy build emits dozens a second); one that only settles a run is not, so
    the event that comes right after it is never kept waiting (there is at most one per event asked)."""
    while True:
        if settling.runs and not wanted.is_set():  # a look that came due during the spacing is taken at once
            try:
                await asyncio.wait_for(wanted.wait(), max(0.0, settling.next_look - settling.clock()))
            except TimeoutError:
                if not await settling.ended(db):
                    continue
        else:
            await wanted.wait()
        wanted.clear()
        asked, settling.asked = settling.asked, False
        if not await refresh():
            return
        if asked:
            await asyncio.sleep(spacing)
