"""No run without an owner (issue 15): a run handed over at the end of a slice whose continuation job
vanished (Redis flushed or restarted while it waited) is seen by the reconciler within two lease
periods and goes on; while the continuation may still come, nothing is enqueued twice."""

from datetime import timedelta

from agent import store
from agent.build_control import BuildControls
from agent.build_job import LEASE, build_slice, reconcile
from agent.loop import LoopLimits
from agent.models import utcnow
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
