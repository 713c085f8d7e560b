"""Prompt hand-over on SIGTERM (issue 15): a slice cancelled because its worker is stopping (arq
cancels running jobs on SIGTERM) releases the lease and queues its continuation at once, so another
worker goes on from the last checkpoint right away instead of after the lease lapses."""

import asyncio
import contextlib

from sqlmodel import select

from agent import events as ev
from agent import store
from agent.build_control import BuildControls
from agent.build_job import build_slice
from tests.agent_core.conftest import Queue
from tests.reliability.conftest import deps_for
from agent.models import UsageEntry
from tests.agent_core.test_loop import Scripted
from tests.reliability.test_one_run_one_slice import Slow, ledger


async def test_a_stopping_worker_hands_its_run_over_at_once(db, redis, planned, tmp_path):
    _, project = planned
    queue = Queue()
    model = Slow([[("bash", {"command": f"echo {n}"})] for n in range(6)] + [[("ask_founder", {"question": "Go on?"})]],
                 seconds=0.2)
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    queue.jobs.clear()
    stopping = asyncio.create_task(build_slice(deps_for(db, redis, model, tmp_path, queue), run_id))
    await asyncio.sleep(0.7)  # mid-build
    stopping.cancel()  # what arq does to running jobs on SIGTERM
    try:
        await stopping
    except asyncio.CancelledError:
        pass
    with db.session() as s:
        run = store.get_run(s, run_id=run_id)
    assert (run.status, run.lease_owner) == ("running", "")  # released, not held for another 15 s
    assert [job[1] for job in queue.jobs] == [run_id] and "handover" in queue.jobs[0][2]
    other = deps_for(db, redis, model, tmp_path, queue, worker_id="worker-2")
    assert await build_slice(other, run_id) == "needs_input"  # the next worker claims it at once and finishes
    with db.session() as s:
        seqs = [e.seq for e in store.events_between(s, run_id=run_id, after_seq=0, newest=1000)]
    assert seqs == list(range(1, len(seqs) + 1))  # the interrupted step re-ran with its own seqs: no gap, no double


async def test_the_step_re_run_after_a_stop_is_booked_once(db, redis, planned, tmp_path):
    """Stopped in the middle of a step's tool (its model call already booked), the step runs again in
    the next slice with a new model call; the founder's ledger books that step once, under its seq."""
    _, project = planned
    queue = Queue()
    model = Scripted([[("bash", {"command": "echo before"})], [("bash", {"command": "sleep 5"})],
                      [("bash", {"command": "echo again"})], [("ask_founder", {"question": "Go on?"})]])
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    stopping = asyncio.create_task(build_slice(deps_for(db, redis, model, tmp_path, queue), run_id))
    while len(model.requests) < 2 or ledger(db, run_id) < 2:  # the second step's call is booked, its tool runs
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    stopping.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await stopping
    other = deps_for(db, redis, model, tmp_path, queue, worker_id="worker-2")
    assert await build_slice(other, run_id) == "needs_input"
    with db.session() as s:
        usage = [e for e in store.events_between(s, run_id=run_id, after_seq=0, newest=1000)
                 if e.type == ev.UsageRecorded.type]
        booked = list(s.exec(select(UsageEntry).where(UsageEntry.run_id == run_id)))
    assert len(model.requests) == 4  # three steps, four calls: the interrupted step's call was made again
    assert sorted(b.seq for b in booked) == [e.seq for e in usage] and len(booked) == 3  # each step once
