"""The run paces itself on the founder's daily allowance (rules in `agent/budget.py`, spend in
`agent/spend.py`): after every model call the day's spend is checked; when the allowance is spent the
run pauses its sandbox and sleeps until the next reset, and the wake cron puts it back in the queue
then, without the founder; more than 10% over stops it at once as `budget_exceeded`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select

from agent import budget, jobs, snapshots, spend, store
from agent import events as ev
from agent.models import Project, Run, RunEvent
from agent.pricing import dollars
from agent.services.sandbox import Sandbox

if TYPE_CHECKING:
    from agent.build_job import BuildDeps, SeqEmitter


async def day_verdict(deps: BuildDeps, user_id: int) -> str:
    return await deps.db.run(lambda s: spend.today(s, user_id=user_id, now=deps.clock()).verdict)


async def rest(deps: BuildDeps, run_id: int, project: Project, sandbox: Sandbox, emit: SeqEmitter,
               verdict: str) -> str:
    """Ends the slice for the budget: "sleeping" until the reset, or "budget_exceeded"."""
    now = deps.clock()
    day = await deps.db.run(lambda s: spend.today(s, user_id=project.owner_id, now=now))
    if verdict == "breaker":
        reason = (f"I stopped the build: today's spend ({dollars(day.spent_micros)}) went more than 10% over "
                  f"your daily allowance ({dollars(day.allowance_micros)}). Nothing is lost. You can build again "
                  f"tomorrow, or move to a bigger plan to have more each day.")

        def _exceeded(s) -> None:
            store.finish_run(s, run_id=run_id, status="budget_exceeded", error="daily spend over allowance + 10%")
            store.update_project(s, project_id=project.id, status="planned")

        await deps.db.run(_exceeded)
        await emit(ev.BudgetExceeded(reason=reason))
        return "budget_exceeded"
    wake_at = budget.next_reset(now)
    await snapshots.keep(deps.storage, sandbox, emit.state.extra, storage_prefix=project.files_prefix(), run_id=run_id,
                         number=emit.state.next_seq, label="the moment I went to rest", say=emit.say)
    return await _sleep_until(deps, run_id, sandbox, emit, ev.Sleeping(
        wake_at=wake_at.isoformat(), spent=dollars(day.spent_micros), allowance=dollars(day.allowance_micros)))


async def _sleep_until(deps: BuildDeps, run_id: int, sandbox: Sandbox, emit: SeqEmitter, told: ev.Sleeping) -> str:
    """The run rests until `told.wake_at`: its sandbox paused, the lease released, the founder told;
    the wake cron (`wake_due`) queues it again then."""
    wake_at = datetime.fromisoformat(told.wake_at)
    try:
        await sandbox.pause()
    except Exception:  # a sandbox that will not pause is restarted on wake; the run still sleeps
        pass

    def _sleep(s) -> None:
        s.execute(sa.update(Run).where(col(Run.id) == run_id)
                  .values(status="sleeping", wake_at=wake_at, lease_owner="", lease_expires_at=None))
        s.commit()

    await deps.db.run(_sleep)
    await emit(told)
    return "sleeping"


WIRE_RESTS = 8  # rests in a row for an unreachable Claude before the run fails
WIRE_WAIT = (20.0, 3600.0)  # the shortest and longest rest for it (seconds)
ACCOUNT_WAIT = (3600.0, 31 * 86400.0)  # an account limit: at least an hour, at most until the date it names


def wire_wait(rests: int, retry_after: float | None, account: bool) -> float:
    """How long to rest after the `rests`-th failed model call in a row: what the API asked for, else
    a minute doubling each time; an account limit waits until the date it names, at least an hour."""
    seconds = retry_after if retry_after is not None else 60.0 * 2 ** (rests - 1)
    low, high = ACCOUNT_WAIT if account else WIRE_WAIT
    return min(max(seconds, low), high)


async def wait_for_claude(deps: BuildDeps, run_id: int, project: Project, sandbox: Sandbox, emit: SeqEmitter,
                          reason: str, seconds: float) -> str:
    """Claude could not be reached (busy, overloaded, a broken or stalled stream): the run rests with
    its conversation as checkpointed (nothing of the failed turn kept) and the wake cron resumes it."""
    wake_at = deps.clock() + timedelta(seconds=seconds)
    return await _sleep_until(deps, run_id, sandbox, emit, ev.Sleeping(wake_at=wake_at.isoformat(), reason=reason))


async def wake_due(deps: BuildDeps, now: datetime | None = None) -> list[int]:
    """Queue again every sleeping run whose wake time has come (the worker's cron)."""
    now = now or deps.clock()

    def _due(s) -> list[int]:
        runs = list(s.exec(select(Run).where(Run.status == "sleeping", col(Run.wake_at) <= now)))
        for run in runs:
            s.execute(sa.update(Run).where(col(Run.id) == run.id, Run.status == "sleeping").values(status="queued"))
        s.commit()
        return [r.id for r in runs]

    woken = await deps.db.run(_due)
    for run_id in woken:
        await deps.enqueue(jobs.BUILD_SLICE, run_id, f"{jobs.BUILD_SLICE}-run-{run_id}-wake-{int(now.timestamp())}")
    return woken


async def check_workspace(deps: BuildDeps, run_id: int, project: Project, sandbox: Sandbox) -> str:
    """On waking (the run's last event is its rest) or finding the workspace empty (a recreated
    sandbox): verify it against the newest snapshot and restore that if files were lost. Returns what
    to tell the agent ("" when nothing was restored)."""
    def _last_type(s) -> str:
        row = s.exec(select(RunEvent.type).where(RunEvent.run_id == run_id).order_by(col(RunEvent.seq).desc())).first()
        return row or ""

    woken = await deps.db.run(_last_type) == ev.Sleeping.type
    if not woken and await sandbox.list_files():
        return ""
    shot = await snapshots.latest(deps.storage, storage_prefix=project.files_prefix(), run_id=run_id)
    return await snapshots.verify(deps.storage, sandbox, shot) if shot else ""
