"""The founder's controls over a build: start, pause, resume, stop, answering the agent's question,
and waking a sleeping preview.

Like the journey's intents, these check the request at the edge, record it in the database (plus a
Redis control key the loop reads between steps) and enqueue worker jobs; they never run the build.
Starting is race-safe: the project moves to "building" with one conditional UPDATE, so a double
click, two tabs or two web workers start one run, not two.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import sqlalchemy as sa
from redis.asyncio import Redis
from sqlmodel import Session, col, select

from agent import heartbeat, jobs, preview_tokens, spend, store, streams
from agent import events as ev
from agent import journey_store as js
from agent import run_store as rs
from agent.db import Database
from agent.journey import JourneyError
from agent.models import Project, Run, RunEvent, utcnow
from agent.services.confinement import UNAVAILABLE

STARTABLE = ("planned", "built")  # a finished build can be run again
ACTIVE = ("queued", "running", "sleeping")
CONTROL_SECONDS = 24 * 3600
WAKE_PREVIEW = "wake_preview"
MAX_ANSWER_CHARS = 2000


def control_key(run_id: int) -> str:
    return f"run:{run_id}:control"


def latest_build(session: Session, *, project_id: int) -> Run | None:
    return session.exec(select(Run).where(Run.project_id == project_id, Run.kind == "build")
                        .order_by(col(Run.id).desc())).first()


def latest_event(session: Session, *, project_id: int, type_name: str) -> RunEvent | None:
    """The newest event of a type across the project's build runs (the preview, the download pack)."""
    return session.exec(
        select(RunEvent).join(Run, col(Run.id) == col(RunEvent.run_id))
        .where(Run.project_id == project_id, Run.kind == "build", RunEvent.type == type_name)
        .order_by(col(RunEvent.id).desc())
    ).first()


def _claim_project(session: Session, *, project_id: int) -> bool:
    """Move a project that may build into "building"; False if it already is (or may not)."""
    result = session.execute(sa.update(Project).where(col(Project.id) == project_id,
                                                      col(Project.status).in_(STARTABLE))
                             .values(status="building", updated_at=utcnow()))
    session.commit()
    return result.rowcount == 1


@dataclass
class BuildControls:
    db: Database
    redis: Redis
    enqueue: Callable[[str, int, str], Awaitable[None]]  # (job name, run id, job id)
    # (rule, key) -> None, or JourneyError when over a rate limit (agent/rate_limits.py); None: no limits
    limit: Callable[[str, int], Awaitable[None]] | None = None

    async def start(self, project: Project) -> int:
        if self.limit is not None:
            await self.limit("build", project.owner_id)
        states = await heartbeat.sandbox_states(self.redis)
        if states and not any(state.get("available") for state in states.values()):  # fail closed, and say so
            await self.db.run(lambda s: store.audit(s, action="sandbox_refused", user_id=project.owner_id,
                                                    project_id=project.id))
            raise JourneyError(UNAVAILABLE)

        def _start(s):
            phases = js.plan_phases(s, project_id=project.id)
            if not phases:
                raise JourneyError("There is no build plan yet: approve the plan first.")
            before = s.exec(select(Project.status).where(Project.id == project.id)).one()
            if not _claim_project(s, project_id=project.id):
                status = s.exec(select(Project.status).where(Project.id == project.id)).one()
                if status == "building":
                    raise JourneyError("Your co-founder is already building this project.")
                raise JourneyError("The build can start once the plan is ready.")
            tier, _ = spend.founder_tier(s, user_id=project.owner_id, now=utcnow())  # fixed for the run
            building = s.exec(select(sa.func.count()).select_from(Project).where(
                Project.owner_id == project.owner_id, Project.status == "building")).one()
            if building > tier.max_concurrent_runs:  # counted after claiming, so two at once cannot both pass
                store.update_project(s, project_id=project.id, status=before)
                raise JourneyError(f"Your {tier.name} plan builds {tier.max_concurrent_runs} "
                                   f"project{'s' if tier.max_concurrent_runs != 1 else ''} at a time, and that many "
                                   "are building (or paused) now. Finish or stop one first, or move to a bigger plan.")
            for phase in phases:  # a new build works through the whole plan again
                js.update_phase(s, project_id=project.id, phase_id=phase.id, status="pending", cost_actual_micros=0)
            return store.create_run(s, project_id=project.id, kind="build", tier=tier.key, model=tier.model)

        run = await self.db.run(_start)
        await self._revoke_preview(project)  # the new build's app gets a new link
        await streams.announce_run(self.redis, project_id=project.id, run_id=run.id)
        await self.enqueue(jobs.BUILD_SLICE, run.id, f"{jobs.BUILD_SLICE}-run-{run.id}-start")
        return run.id

    async def _current(self, project: Project) -> Run:
        run = await self.db.run(lambda s: latest_build(s, project_id=project.id))
        if run is None:
            raise JourneyError("There is no build yet: start one first.")
        return run

    async def pause(self, project: Project) -> None:
        run = await self._current(project)
        if run.status not in ACTIVE:
            raise JourneyError("The build isn't running, so there is nothing to pause.")
        await self.redis.set(control_key(run.id), "pause", ex=CONTROL_SECONDS)

    async def resume(self, project: Project) -> None:
        run = await self._current(project)
        if run.status in ACTIVE and await self.redis.get(control_key(run.id)) in ("pause", b"pause"):
            await self.redis.delete(control_key(run.id))  # paused before it reached a step boundary
            return
        if run.status not in ("paused", "needs_input"):
            raise JourneyError("The build isn't paused.")

        def _queue(s):
            s.execute(sa.update(Run).where(col(Run.id) == run.id).values(status="queued"))
            store.update_project(s, project_id=project.id, status="building")

        await self.redis.delete(control_key(run.id))
        await self.db.run(_queue)
        await self.enqueue(jobs.BUILD_SLICE, run.id, f"{jobs.BUILD_SLICE}-run-{run.id}-resume-{int(utcnow().timestamp())}")

    async def answer(self, project: Project, answer: str) -> None:
        """The founder's decision on the agent's question: one of its options or their own instruction.
        The run goes on with the decision in its context; "Stop the build" stops it."""
        answer = (answer or "").strip()
        if not answer:
            raise JourneyError("Pick one of the options or write what you'd like your co-founder to do.")
        if len(answer) > MAX_ANSWER_CHARS:
            raise JourneyError(f"Please keep your answer under {MAX_ANSWER_CHARS:,} characters.")
        run = await self._current(project)
        if run.status != "needs_input":
            raise JourneyError("Your co-founder isn't waiting for an answer right now.")
        if await self.db.run(lambda s: rs.answer_escalation(s, run_id=run.id, answer=answer)) is None:
            raise JourneyError("Your co-founder isn't waiting for an answer right now.")
        if answer.lower().startswith("stop the build"):
            await self.stop(project)
            return
        await self.resume(project)

    async def stop(self, project: Project) -> None:
        run = await self._current(project)
        if run.status in ("succeeded", "failed", "stopped"):
            raise JourneyError("The build has already ended.")
        if run.status in ("queued", "running"):
            await self.redis.set(control_key(run.id), "stop", ex=CONTROL_SECONDS)  # the loop stops between steps
            return
        await self.db.run(lambda s: finish_stopped(s, run_id=run.id, project_id=project.id))
        await self._revoke_preview(project)
        await self.enqueue(jobs.STOP_APP, run.id, f"{jobs.STOP_APP}-run-{run.id}")  # its app dies with it
        await store.record(db=self.db, redis=self.redis, run_id=run.id,
                           event=ev.RunStopped(reason="You stopped the build. Your work so far is kept."))

    async def _revoke_preview(self, project: Project) -> None:
        if await preview_tokens.revoke(self.redis, project_id=project.id):
            await self.db.run(lambda s: store.audit(s, action="preview_token_revoked", user_id=project.owner_id,
                                                    project_id=project.id))

    async def wake_preview(self, project: Project) -> None:
        run = await self._current(project)
        await self.enqueue(WAKE_PREVIEW, run.id, f"{WAKE_PREVIEW}-run-{run.id}-{int(utcnow().timestamp())}")


def finish_stopped(session: Session, *, run_id: int, project_id: int) -> None:
    store.finish_run(session, run_id=run_id, status="stopped")
    store.update_project(session, project_id=project_id, status="planned")
