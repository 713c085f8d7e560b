"""No run without an owner (issue 15): a run handed over at the end of a slice whose continuation job
vanished (Redis flushed or restarted while it waited) is seen by the reconciler within two lease
periods and goes on; while the continuation may still come, nothing is enqueued twice."""

import os
import socket
import subprocess
from datetime import timedelta

import sqlalchemy as sa

from arq.constants import default_queue_name, job_key_prefix

from agent import jobs, store
from agent.build_control import BuildControls
from agent.build_job import LEASE, build_slice
from agent.reconciler import SETTLE, reconcile
from agent.loop import LoopLimits
from agent.models import Run, utcnow
from tests.agent_core.conftest import Queue
from tests.agent_core.test_loop import Scripted
from tests.reliability.conftest import deps_for


async def test_a_handed_over_run_whose_continuation_was_lost_is_picked_up(db, redis, planned, tmp_path):
    _, project = planned
    queue = Queue()
    model = Scripted([[("bash", {"command": f"echo {n}"})] for n in range(4)] + [[("ask_founder", {"question": "Go?"})]])
    deps = deps_for(db, redis, model, tmp_path, queue)
    deps.limits = LoopLimits(slice_steps=2)
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    assert await build_slice(deps, run_id) == "continued"
    queue.jobs.clear()  # Redis lost the continuation job
    with db.session() as s:
        run = store.get_run(s, run_id=run_id)
    assert (run.status, run.lease_owner) == ("running", "") and run.lease_expires_at is not None
    assert run_id not in await reconcile(deps)  # the continuation may still come: nothing twice
    later = utcnow() + 2 * LEASE + timedelta(seconds=1)
    assert run_id in await reconcile(deps, now=later)  # two lease periods on, it is a stalled run
    assert queue.jobs[-1][1] == run_id
    while (status := await build_slice(deps, run_id)) == "continued":
        pass
    assert status == "needs_input" and len(model.requests) == 5  # it went on to its end, each call once


async def test_a_job_lost_with_redis_is_queued_again_at_the_next_look(db, redis, redis_url, planned, tmp_path):
    """With the real queue to look in, the reconciler does not wait out the hand-over's two lease periods:
    a handed-over run whose continuation is not waiting (Redis lost it) is enqueued at once."""
    _, project = planned
    pool = await jobs.create_queue(redis_url)

    async def enqueue(job, run_id, job_id):
        await jobs.enqueue(pool, job, run_id, job_id)

    async def lose_the_jobs_of(run_id):  # what a restarted Redis does to the queue
        for job_id in await jobs.waiting(pool):
            if job_id.startswith(f"{jobs.BUILD_SLICE}-run-{run_id}-"):
                await pool.zrem(default_queue_name, job_id)
                await pool.delete(job_key_prefix + job_id)

    model = Scripted([[("bash", {"command": f"echo {n}"})] for n in range(4)] + [[("ask_founder", {"question": "Go?"})]])
    deps = deps_for(db, redis, model, tmp_path, enqueue)
    deps.limits, deps.waiting_jobs = LoopLimits(slice_steps=2), lambda: jobs.waiting(pool)
    run_id = await BuildControls(db=db, redis=redis, enqueue=enqueue).start(project)
    try:
        await lose_the_jobs_of(run_id)  # the start job: this test runs the slices itself
        assert await build_slice(deps, run_id) == "continued"
        assert run_id not in await reconcile(deps, now=utcnow() + 2 * SETTLE)  # its continuation waits
        await lose_the_jobs_of(run_id)
        found = await reconcile(deps, now=utcnow() + 2 * SETTLE)  # seconds after the loss, not 30
        assert run_id in found
        assert any(j.startswith(f"{jobs.BUILD_SLICE}-run-{run_id}-recover-") for j in await jobs.waiting(pool))
        while (status := await build_slice(deps, run_id)) == "continued":
            pass
        assert status == "needs_input" and len(model.requests) == 5  # on to its end, each call once
        assert run_id not in await reconcile(deps, now=utcnow() + 2 * SETTLE)  # waiting for the founder
    finally:
        await lose_the_jobs_of(run_id)  # no job of this test is left for another test's worker
        await pool.aclose()


async def test_a_run_whose_worker_process_died_on_this_machine_is_released_at_once(db, redis, planned, tmp_path):
    """kill -9 of a worker leaves its slice's lease live for up to LEASE; a reconciler on the same
    machine sees that the lease's process is gone and hands the run on at its next look."""
    _, project = planned
    queue = Queue()
    deps = deps_for(db, redis, Scripted([]), tmp_path, queue)
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    gone = subprocess.Popen(["true"])
    gone.wait()
    here = socket.gethostname()
    for owner, released in ((f"{here}:{os.getpid()}/alive", False), (f"elsewhere:{gone.pid}/remote", False),
                            (f"{here}:{gone.pid}/dead", True)):
        with db.session() as s:
            s.execute(sa.update(Run).where(Run.id == run_id).values(lease_owner="", lease_expires_at=None))
            s.commit()
            assert store.claim_run(s, run_id=run_id, owner=owner, lease=LEASE)
        queue.jobs.clear()
        assert (run_id in await reconcile(deps)) is released, owner  # (runs other tests left may come too)
        assert any(job[1] == run_id for job in queue.jobs) is released
        with db.session() as s:
            assert (store.get_run(s, run_id=run_id).lease_owner == "") is released
