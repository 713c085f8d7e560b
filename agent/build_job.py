"""The build run in the worker: one job runs one slice of the agent loop, then hands over.

A slice claims the run's lease (renewed in the background while it works), continues from the latest
checkpoint, and saves a checkpoint after every step. Events of a step get sequence numbers reserved
in the checkpoint, so a step re-run after a crash re-emits the same seqs and nothing is duplicated.
When the slice ends it enqueues its continuation with a deterministic job id; if its worker dies or
the job is lost, the reconciler (`agent/reconciler.py`, a cron) enqueues the run again.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from redis.asyncio import Redis

from agent import build, escalations, handover, jobs, pacing, snapshots, store, streams, tools, turn_end
from agent.preview_job import app_stopped, restart_app
from agent.tool_context import tool_context
from agent.build_control import control_key, finish_stopped
from agent import events as ev
from agent import journey_store as js
from agent import run_store as rs
from agent.db import Database
from agent.loop import LoopLimits, LoopState, Outcome, run_loop
from agent.models import Project, UsageEntry, utcnow
from agent.pricing import caching_saved_micros, cost_micros
from agent.project_setup import workspace_path
from agent.services.llm import LLM, LLMError, Turn
from agent.services.confinement import SandboxUnavailable
from agent.services.sandbox import Sandbox, free_port
from agent.services.storage import Storage

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=15)
RENEW_SECONDS = 4.0
HAND_OVER = 2 * LEASE  # how long a handed-over run waits for its continuation before it counts as stalled
BUILD_JOB = jobs.BUILD_SLICE


@dataclass
class BuildDeps:
    db: Database
    redis: Redis
    storage: Storage
    llm: LLM
    capture: Callable[[str, str], Awaitable[bytes]]  # (app address, path) -> png
    enqueue: Callable[[str, int, str], Awaitable[None]]  # (job name, run id, job id)
    open_sandbox: Callable[[Path, str], Awaitable[Sandbox]]  # (workspace, sandbox id from the checkpoint)
    workspaces_root: Path
    worker_id: str
    limits: LoopLimits = field(default_factory=LoopLimits)
    maxlen: int = 1000
    clock: Callable[[], datetime] = utcnow  # "now" for the budget and the wake cron (a test moves it)
    app_host: str = "127.0.0.1"  # where the app binds inside its sandbox (E2B: 0.0.0.0, to be reachable)
    waiting_jobs: Callable[[], Awaitable[set[str]]] | None = None  # the queue's job ids (None: cannot tell)


class SeqEmitter:
    """Emits each event with the next seq reserved in the loop state (see the module docstring)."""

    def __init__(self, deps: BuildDeps, run_id: int, state: LoopState):
        self.deps, self.run_id, self.state = deps, run_id, state

    async def __call__(self, event: ev.Event) -> None:
        seq = self.state.next_seq
        self.state.next_seq += 1
        await store.record(db=self.deps.db, redis=self.deps.redis, run_id=self.run_id, event=event, seq=seq,
                           maxlen=self.deps.maxlen)

    async def say(self, text: str) -> None:
        await self(ev.Narration(text=text))


@dataclass
class Lease:
    """A slice's hold on its run: `owner` names this slice (worker and job), so a second job for the same
    run, in this worker or another, is refused while it lives; `lost` once someone else took it over."""

    owner: str
    lost: bool = False


@asynccontextmanager
async def lease_kept(deps: BuildDeps, run_id: int, sandbox: Sandbox, lease: Lease):
    """Renew the lease (and the sandbox's own timeout) in the background while the slice works, so a
    long command loses neither; a lease found taken over marks the slice to stop before its next step."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            if not await deps.db.run(lambda s: rs.renew_lease(s, run_id=run_id, owner=lease.owner, lease=LEASE)):
                lease.lost = True
            try:
                await sandbox.keep_alive()
            except Exception:  # the next step finds out; renewing must not end the slice
                log.warning("could not renew the sandbox of run %s", run_id)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()


async def _fresh_state(deps: BuildDeps, project: Project) -> LoopState:
    def _read(s):
        brief = js.latest(s, project_id=project.id, kind="brief")
        interview = js.current_interview(s, project_id=project.id)
        answers = [{"question": a.question, "answer": a.answer, "skipped": a.skipped}
                   for a in (js.answers(s, interview_id=interview.id) if interview else [])]
        phases = [{"title": p.title, "goal": p.goal, "acceptance": p.acceptance} for p in js.plan_phases(s, project_id=project.id)]
        return (brief.content if brief else {}), answers, phases

    brief, answers, phases = await deps.db.run(_read)
    port = free_port()
    system = build.system_prompt(brief=brief, answers=answers, phases=phases, port=port, host=deps.app_host)
    return LoopState(messages=[build.FIRST_MESSAGE], extra={"system": system, "port": port})


def _llm_for(llm: LLM, model: str) -> LLM:
    """The co-founder speaking to the run's model (chosen by the founder's tier when it started)."""
    for_model = getattr(llm, "for_model", None)
    return for_model(model) if model and for_model is not None and not llm.offline else llm


async def build_slice(deps: BuildDeps, run_id: int) -> str:
    run = await deps.db.run(lambda s: store.get_run(s, run_id=run_id))
    if run is None or run.status not in ("queued", "running"):
        return "missing" if run is None else run.status
    lease = Lease(f"{deps.worker_id}/{secrets.token_hex(4)}")  # this slice, not just this worker
    if not await deps.db.run(lambda s: store.claim_run(s, run_id=run_id, owner=lease.owner, lease=LEASE)):
        return "busy"  # another slice of this run is at work: nothing is run twice
    project = await deps.db.run(lambda s: s.get(Project, run.project_id))
    saved = await deps.db.run(lambda s: rs.latest_checkpoint(s, run_id=run_id))
    state = LoopState.from_json(saved) if saved else await _fresh_state(deps, project)
    emit = SeqEmitter(deps, run_id, state)
    if saved is None:
        await deps.db.run(lambda s: store.update_project(s, project_id=project.id, status="building"))
        await emit(ev.RunStarted(kind="build", title="Building your MVP"))
    decision = await deps.db.run(lambda s: rs.take_decision(s, run_id=run_id)) if saved else ""
    if decision:  # the founder answered the agent's question: it goes on with that in its context, with room
        turn_end.say(state.messages, f"The founder answered your question: {decision}\nGo on with that decision.")
        state.extra["cap_from"], state.repetition = state.tool_calls, {}  # a fresh step allowance, a clear window
    workspace = Path(project.workspace_dir or workspace_path(deps.workspaces_root, project.id))
    try:
        sandbox = await deps.open_sandbox(workspace, state.extra.get("sandbox_id", ""))
    except SandboxUnavailable as exc:  # fail closed: nothing runs unconfined
        detail = exc.detail
        await deps.db.run(lambda s: store.audit(s, action="sandbox_refused", user_id=project.owner_id,
                                                project_id=project.id, run_id=run_id, detail=detail))
        return await _fail(deps, run_id, project.id, emit, str(exc), f"sandbox unavailable: {detail}")
    state.extra["sandbox_id"] = sandbox.sandbox_id.split(":", 1)[-1]
    if saved is not None:  # woken, or after a crash or a restart: the workspace checked, the app running again
        if restored := await pacing.check_workspace(deps, run_id, project, sandbox):
            turn_end.say(state.messages, restored)  # read before the next step
        await restart_app(deps, run_id, sandbox, emit)
    await snapshots.mark(sandbox, run_id)  # a workspace lost mid-slice is known by its mark's absence

    async def retry_snapshot(now: bool = False) -> None:  # one that could not be stored is taken again
        await snapshots.retry(deps.storage, sandbox, state.extra, storage_prefix=project.files_prefix(), run_id=run_id,
                              number=state.next_seq, say=emit.say, now=now)

    async def save(current: LoopState) -> None:
        await retry_snapshot()
        await deps.db.run(lambda s: rs.save_checkpoint(s, run_id=run_id, step=current.step, data=current.to_json()))

    paced = not deps.llm.offline  # the offline co-founder costs nothing: no allowance to keep to
    day = {"verdict": await pacing.day_verdict(deps, project.owner_id) if paced else "ok"}

    async def should_pause() -> bool:  # the allowance is spent, the founder asked to pause or stop, or the lease went
        if day["verdict"] != "ok" or lease.lost:
            return True
        return (await deps.redis.get(control_key(run_id))) in (b"pause", "pause", b"stop", "stop")

    typing = streams.Typing(deps.redis, run_id, label=tools.doing_label)  # Claude's words as it writes them

    async def on_turn(turn: Turn) -> None:
        await typing.end()
        state.extra.pop("wire_rests", None)  # Claude answered: the next trouble starts from a short rest
        micros = cost_micros(turn.model, turn.usage)
        u = turn.usage
        entry = UsageEntry(run_id=run_id, user_id=project.owner_id, model=turn.model, cost_micros=micros,
                           input_tokens=u.input_tokens, output_tokens=u.output_tokens,
                           cache_write_tokens=u.cache_write_tokens, cache_read_tokens=u.cache_read_tokens,
                           signature=state.extra.get("healing", {}).get("signature", ""), created_at=deps.clock(),
                           seq=state.next_seq)  # the seq its usage event gets: a re-run step is booked once
        phase = int(state.phase.get("number") or 0)
        await deps.db.run(lambda s: rs.book_call(s, entry=entry, project_id=project.id, phase=phase))
        await emit(ev.UsageRecorded(model=turn.model, input_tokens=u.input_tokens, output_tokens=u.output_tokens,
                                    cache_write_tokens=u.cache_write_tokens, cache_read_tokens=u.cache_read_tokens,
                                    cost_micros=micros, saved_micros=caching_saved_micros(turn.model, u), phase=phase))
        if paced:
            day["verdict"] = await pacing.day_verdict(deps, project.owner_id)

    async def failed(reason: str, error: str) -> str:  # what is true of the founder's work is said with it
        await retry_snapshot(now=True)
        await _stop_app(deps, project.id, sandbox)
        return await _fail(deps, run_id, project.id, emit, f"{_plain(reason)} {snapshots.told(state.extra)}", error)

    try:
        async with lease_kept(deps, run_id, sandbox, lease):
            outcome = await run_loop(llm=_llm_for(deps.llm, run.model), system=state.extra["system"], context=tool_context(
                deps, project, run_id, sandbox, emit), state=state, emit=emit, save=save, should_pause=should_pause,
                on_turn=on_turn, limits=deps.limits, on_delta=None if deps.llm.offline else typing)
    except LLMError as exc:
        await typing.end()
        rests = int(state.extra.get("wire_rests", 0)) + 1
        if not exc.retryable or rests > pacing.WIRE_RESTS:
            return await failed(str(exc), repr(exc))
        state.extra["wire_rests"] = rests  # the checkpoint of the last step, plus the count of rests
        await save(state)
        return await pacing.wait_for_claude(deps, run_id, project, sandbox, emit, _plain(str(exc)),
                                            pacing.wire_wait(rests, exc.retry_after, exc.account))
    except asyncio.CancelledError:  # the worker is stopping (SIGTERM): hand the run over now, not in 15 s
        await asyncio.shield(_hand_over(deps, run_id, lease.owner, f"{BUILD_JOB}-run-{run_id}-handover-{lease.owner}"))
        raise
    except Exception as exc:
        log.exception("build run %s failed", run_id)
        return await failed("Something went wrong on our side.", repr(exc))
    if lease.lost:  # the run is another slice's now (this one was stalled past its lease): it writes nothing more
        log.warning("build run %s: lease lost, this slice stops", run_id)
        return "lost"
    if outcome.status == "paused" and day["verdict"] != "ok":
        return await pacing.rest(deps, run_id, project, sandbox, emit, day["verdict"])
    return await _finish(deps, run_id, project, state, emit, outcome, sandbox, lease.owner)


def _plain(message: str) -> str:
    """The adapter's words without "please try again": the run tries again by itself."""
    return message.split(" Please try again")[0].split(" Your work is saved")[0].rstrip(".") + "."


async def _stop_app(deps: BuildDeps, project_id: int, sandbox: Sandbox) -> None:
    """The run ended without finishing: its app server stops and its preview link is revoked."""
    await app_stopped(deps, project_id)
    try:
        await sandbox.pause()
    except Exception:  # it stops with the worker at the latest
        log.warning("could not stop the app of project %s", project_id)


async def _fail(deps: BuildDeps, run_id: int, project_id: int, emit: SeqEmitter, reason: str, error: str) -> str:
    """The run ends failed, saying why in plain English; the project goes back to planned, so the
    founder can build again (the workspace and the run's events are kept)."""
    def _record(s) -> None:
        store.finish_run(s, run_id=run_id, status="failed", error=error)
        store.update_project(s, project_id=project_id, status="planned")

    await deps.db.run(_record)
    await emit(ev.RunFailed(reason=reason))
    return "failed"


async def _hand_over(deps: BuildDeps, run_id: int, owner: str, job_id: str) -> str:
    """The lease released and the continuation queued: the next slice (any worker) goes on from the
    last checkpoint; if the job is lost, the reconciler finds the run after two lease periods."""
    await deps.db.run(lambda s: rs.hand_over(s, run_id=run_id, owner=owner, within=HAND_OVER))
    await deps.enqueue(BUILD_JOB, run_id, job_id)
    return "continued"


async def _finish(deps: BuildDeps, run_id: int, project: Project, state: LoopState, emit: SeqEmitter,
                  outcome: Outcome, sandbox: Sandbox, owner: str) -> str:
    if outcome.status == "slice_end":
        return await _hand_over(deps, run_id, owner, f"{BUILD_JOB}-run-{run_id}-step-{state.step}")
    if outcome.status == "paused" and (await deps.redis.get(control_key(run_id))) in (b"stop", "stop"):
        await deps.redis.delete(control_key(run_id))
        await _stop_app(deps, project.id, sandbox)  # the app dies with the run
        await deps.db.run(lambda s: finish_stopped(s, run_id=run_id, project_id=project.id))
        await emit(ev.RunStopped(reason="You stopped the build. Your work so far is kept."))
        return "stopped"
    if outcome.status == "paused":
        await deps.db.run(lambda s: rs.set_status(s, run_id=run_id, status="paused"))
        await emit(ev.RunPaused(reason="Paused: your co-founder stopped between steps and will resume when you ask."))
        return "paused"
    if outcome.status == "escalated":
        ask = escalations.question(outcome.reason, outcome.detail, state.phase.get("title", ""))
        await deps.db.run(lambda s: rs.escalate(s, run_id=run_id, signature=outcome.detail.get("signature", ""),
                                                **ask))
        await emit(ev.NeedsInput(problem=ask["problem"], options=ask["options"]))
        return "needs_input"
    await handover.finish_build(deps, run_id, project, sandbox, emit)  # never fails the build
    await deps.db.run(lambda s: store.finish_run(s, run_id=run_id, status="succeeded"))
    await deps.db.run(lambda s: store.update_project(s, project_id=project.id, status="built"))
    await emit(ev.RunCompleted(kind="build", message="Your MVP is built"))
    return "succeeded"
