"""The reconciler (a worker cron, every few seconds): no build is left without someone to run it.

- A run whose slice stopped renewing its lease (its worker died or froze) is enqueued again once the
  lease lapses; sooner when its worker ran on this machine and its process is gone (`kill -9`, an
  out-of-memory kill): the dead slice's lease is released at once.
- A run handed over between slices whose continuation is not in the queue (Redis was restarted or
  flushed while it waited) is enqueued again at once, not when the hand-over's two lease periods are
  up. Where the queue cannot be read, the lapse alone finds it.

A job enqueued twice is harmless: a slice claims the run's lease first, so a second job exits "busy".
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from agent import jobs
from agent import run_store as rs
from agent.build_job import BUILD_JOB, HAND_OVER, BuildDeps
from agent.models import utcnow

SETTLE = timedelta(seconds=3)  # a hand-over enqueues just after it writes; a start, just after it creates


async def reconcile(deps: BuildDeps, now: datetime | None = None) -> list[int]:
    """Enqueue every build that has no live slice and no job waiting; returns their run ids. Leases
    are in real time, not the budget's clock."""
    now = now or utcnow()
    held = await deps.db.run(lambda s: rs.held_runs(s, kinds=("build",), now=now))
    orphans = [run for run in held if _dead_here(run.lease_owner)]
    for run in orphans:  # its worker is gone: the lease is released now, not waited out
        await deps.db.run(lambda s, r=run: rs.hand_over(s, run_id=r.id, owner=r.lease_owner, within=HAND_OVER))
    stalled = orphans + await deps.db.run(lambda s: rs.stalled_runs(s, kinds=("build",), now=now))
    if deps.waiting_jobs is not None:
        unclaimed = await deps.db.run(lambda s: rs.unclaimed_runs(s, kinds=("build",), settled=now - SETTLE,
                                                                  within=HAND_OVER))
        if unclaimed:
            waiting, seen = await deps.waiting_jobs(), {run.id for run in stalled}
            stalled += [run for run in unclaimed if not _has_job(waiting, run.id) and run.id not in seen]
    stamp = int(now.timestamp())
    for run in stalled:
        await deps.enqueue(BUILD_JOB, run.id, f"{BUILD_JOB}-run-{run.id}-recover-{stamp}")
    return [r.id for r in stalled]


def _has_job(waiting: set[str], run_id: int) -> bool:
    mine = jobs.run_job_id(BUILD_JOB, run_id)
    return any(job == mine or job.startswith(f"{mine}-") for job in waiting)


def _dead_here(owner: str) -> bool:
    """The lease's worker ("host:pid/slice") ran on this machine and its process no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.partition("/")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a process of someone else's: alive
        return False
    return False
