"""Prompt hand-over on SIGTERM (issue 15): a slice cancelled because its worker is stopping (arq
cancels running jobs on SIGTERM) releases the lease and queues its continuation at once, so another
worker goes on from the last checkpoint right away instead of after the lease lapses."""

import asyncio

from agent import store
from agent.build_control import BuildControls
from agent.build_job import build_slice
from tests.agent_core.conftest import Queue
from tests.reliability.conftest import deps_for
from tests.reliability.test_one_run_one_slice import Slow


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
