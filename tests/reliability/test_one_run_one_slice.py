"""One run, one slice (issue 15): a run's lease names the slice, not just the worker, so a second job
for the same run (a duplicate enqueue, in the same worker or another) exits at once without a model
call; a slice whose lease was taken over while it was stalled stops before its next step and writes
nothing more. The real loop, a real local sandbox, the real database and Redis; a scripted model."""

import asyncio

import sqlalchemy as sa
from sqlmodel import col, select

from agent import store
from agent.build_control import BuildControls
from agent.build_job import build_slice
from agent.models import Run, Checkpoint, UsageEntry, utcnow
from tests.agent_core.conftest import Queue
from tests.agent_core.test_loop import Scripted
from tests.reliability.conftest import deps_for


class Slow(Scripted):
    """A scripted model that takes `seconds` per call, so a slice is mid-work when a second job comes."""

    def __init__(self, turns, seconds):
        super().__init__(turns)
        self.seconds = seconds

    async def turn(self, **kwargs):
        await asyncio.sleep(self.seconds)
        return await super().turn(**kwargs)


def ledger(db, run_id):
    with db.session() as s:
        return len(list(s.exec(select(UsageEntry).where(UsageEntry.run_id == run_id))))


async def test_a_second_job_for_a_running_run_exits_at_once_in_the_same_worker(db, redis, planned, tmp_path):
    _, project = planned
    queue = Queue()
    model = Slow([[("bash", {"command": f"echo {n}"})] for n in range(3)] + [[("ask_founder", {"question": "Go on?"})]],
                 seconds=0.3)
    deps = deps_for(db, redis, model, tmp_path, queue)
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    first = asyncio.create_task(build_slice(deps, run_id))
    await asyncio.sleep(0.5)  # the first slice holds the lease and is mid-call
    second = await build_slice(deps, run_id)  # the same run enqueued twice, in the same worker
    other = await build_slice(deps_for(db, redis, model, tmp_path, queue, worker_id="worker-2"), run_id)
    assert (second, other) == ("busy", "busy")
    assert await first == "needs_input"
    assert len(model.requests) == 4 and ledger(db, run_id) == 4  # every model call once, booked once


async def test_a_slice_that_lost_its_lease_stops_and_writes_nothing_more(db, redis, planned, tmp_path):
    _, project = planned
    queue = Queue()
    model = Slow([[("bash", {"command": f"echo {n}"})] for n in range(40)], seconds=0.25)
    deps = deps_for(db, redis, model, tmp_path, queue)
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    slice_ = asyncio.create_task(build_slice(deps, run_id))
    await asyncio.sleep(1.0)
    with db.session() as s:  # the slice stalled past its lease and another worker's slice took the run over
        s.execute(sa.update(Run).where(col(Run.id) == run_id).values(lease_owner="worker-2/abcd",
                                                                      lease_expires_at=utcnow()))
        s.commit()
    assert await asyncio.wait_for(slice_, timeout=15) == "lost"
    with db.session() as s:
        steps = s.exec(select(sa.func.max(Checkpoint.step)).where(Checkpoint.run_id == run_id)).one()
        run = store.get_run(s, run_id=run_id)
    calls = len(model.requests)
    await asyncio.sleep(0.6)
    assert len(model.requests) == calls < 40  # it stopped making calls once it found out
    assert (run.status, run.lease_owner) == ("running", "worker-2/abcd")  # the new owner's, untouched
    assert steps <= calls
