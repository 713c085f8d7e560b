"""A page's live view catches up with what a run writes after its last event (issue 15).

The worker once published the brief's "saved" event and only then moved the project to the gate
(agent/journey_jobs.py, draft_brief; tests/journey/test_journey_flow.py now checks the order), and
nothing followed. A tab that re-reads its view in between must still show the gate once the run has
ended, without a reload, whatever order a writer keeps. A worker writing in that old order is played
here step by step, so the in-between read happens every time."""

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from agent import brief as brief_rules
from agent import events as ev
from agent import interview as iv
from agent import journey_store as js
from agent import store, streams
from agent.db import Database
from agent.streams import StreamEvent
from cofounder_app.settle import WATCH_FOR, Settling, busy_runs, refresh_when_wanted


def _run(coro):
    # Playwright's sync API keeps an event loop busy in this thread: run ours in another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class PlayedWorker:
    """The worker's side of one brief run: the database and the stream, one step at a time."""

    def __init__(self, founder):
        self.db = Database(os.environ["DATABASE_URL"])
        with self.db.session() as s:
            self.project, _ = store.create_project(s, owner_id=founder.id, name="Walkies")
            store.update_project(s, project_id=self.project.id, status="drafting_brief")
            self.run = store.create_run(s, project_id=self.project.id, kind="brief")
            # held by this "worker", so the real one never takes it up
            assert store.claim_run(s, run_id=self.run.id, owner="played-worker", lease=timedelta(minutes=5))

    def _redis(self, do):
        from redis.asyncio import Redis

        async def go():
            redis = Redis.from_url(os.environ["REDIS_URL"])
            try:
                await do(redis)
            finally:
                await redis.aclose()

        _run(go())

    def emit(self, event: ev.Event) -> None:
        self._redis(lambda redis: store.record(db=self.db, redis=redis, run_id=self.run.id, event=event))

    def announce(self) -> None:
        self._redis(lambda redis: streams.announce_run(redis, project_id=self.project.id, run_id=self.run.id))

    def save_brief(self) -> None:
        idea = iv.facts("Walkies", "A marketplace connecting busy dog owners with trusted local walkers.", "Owners")
        with self.db.session() as s:
            js.save_version(s, project_id=self.project.id, kind="brief", content=brief_rules.draft_offline(idea, []),
                            author="offline co-founder", note="First draft")
            js.refresh_strategy(s, project_id=self.project.id)

    def reach_the_gate(self) -> None:
        with self.db.session() as s:
            store.update_project(s, project_id=self.project.id, status="brief_ready")
            store.finish_run(s, run_id=self.run.id, status="succeeded")


@pytest.fixture
def played_worker():
    made = []

    def make(founder):
        made.append(PlayedWorker(founder))
        return made[-1]

    yield make
    for worker in made:
        worker.db.dispose()


def _events(run_id, *steps):
    return [StreamEvent(run_id=run_id, seq=seq, type=kind, payload={}, at=1.0) for seq, kind in steps]


async def test_a_run_is_watched_after_a_wanted_event_until_its_next_event_or_its_end(db, founder):
    _, project, setup = founder
    with db.session() as s:
        brief = store.create_run(s, project_id=project.id, kind="brief")
    wants = frozenset({ev.ArtifactSaved.type})
    now = [0.0]
    settling = Settling(clock=lambda: now[0])

    assert settling.saw(_events(brief.id, (1, ev.RunStarted.type)), wants) is False  # nothing the page shows
    assert settling.saw(_events(brief.id, (2, ev.ArtifactSaved.type)), wants) is True
    assert settling.asked  # a read the page asked for: the next one waits its spacing
    settling.asked = False
    assert not await settling.ended(db)  # still queued: it may write more
    assert settling.saw(_events(brief.id, (0, "agent.typing")), wants) is False  # typing is not a step
    assert settling.saw(_events(brief.id, (3, ev.UsageRecorded.type)), wants) is True  # it moved on: read again
    assert settling.runs == {} and not settling.asked  # only settling: the next read need not wait

    settling.saw(_events(brief.id, (4, ev.ArtifactSaved.type)), wants)
    with db.session() as s:
        store.finish_run(s, run_id=brief.id, status="succeeded")
    assert await settling.ended(db) is True and settling.runs == {}  # ended: one more read, then done

    assert await busy_runs(db, project.id) == [setup.id]  # the setup run is still queued
    settling.watch(setup.id, 0)
    now[0] += WATCH_FOR + 1
    assert await settling.ended(db) is False and settling.runs == {}  # quiet too long: no longer watched


async def test_a_read_that_only_settles_a_run_keeps_no_event_waiting(db, founder):
    _, _, setup = founder  # queued: watched, it never ends here
    wanted, settling, reads = asyncio.Event(), Settling(), []

    async def refresh() -> bool:
        reads.append(time.monotonic())
        return True

    refresher = asyncio.create_task(refresh_when_wanted(wanted, settling, db, refresh, spacing=5.0))
    try:
        settling.watch(setup.id, 1)
        assert settling.saw(_events(setup.id, (2, ev.RunStarted.type)), frozenset())  # it moved on
        wanted.set()
        await asyncio.sleep(0.1)
        assert settling.saw(_events(setup.id, (3, ev.ArtifactSaved.type)), frozenset({ev.ArtifactSaved.type}))
        wanted.set()
        await asyncio.sleep(0.3)
        assert len(reads) == 2  # the event the page wants was read at once, not 5 s later
        wanted.set()
        await asyncio.sleep(0.3)
        assert len(reads) == 2  # after a read it asked for, the spacing holds
    finally:
        refresher.cancel()


def test_the_gate_shows_when_the_project_reaches_it_after_the_briefs_last_event(
        live_app, signed_in, make_founder, played_worker):
    founder = make_founder()
    worker = played_worker(founder)
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{worker.project.id}/brief")
    expect(page.locator("#brief-empty")).to_be_visible()

    worker.announce()
    worker.emit(ev.RunStarted(kind="brief", title="Drafting your Idea Brief"))
    expect(page.locator("#working-label")).to_have_text("Drafting your Idea Brief")  # the tab is following live

    worker.save_brief()
    worker.emit(ev.ArtifactSaved(kind="brief", version=1, title="Idea Brief"))
    # the page re-reads its view on that event: the brief, but the project is not at the gate yet
    expect(page.locator("#brief-document")).to_be_visible()
    expect(page.locator("#working-banner")).to_have_count(0)
    page.wait_for_timeout(1000)  # that read is long over
    expect(page.locator("#decision-gate")).to_have_count(0)
    expect(page.locator("#project-status")).to_have_text("Writing the brief")

    worker.reach_the_gate()  # the run's last writes, with no event after them
    expect(page.locator("#decision-gate")).to_be_visible(timeout=10_000)
    expect(page.locator("#project-status")).to_have_text("Decision needed")
