"""Worker jobs of the founder journey: ask the next interview question, draft (or narrow) the
Idea Brief, write the build plan. Each job is one run with live events; model calls go through the
LLM protocol, so the offline co-founder and Claude take exactly the same path.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis

from agent import brief as brief_rules
from agent import events as ev
from agent import interview as iv
from agent import journey_store as js
from agent import plan as plan_rules
from agent import store, streams
from agent.db import Database
from agent.models import Project, Run, UsageEntry
from agent.pricing import cost_micros
from agent.services.llm import LLM, LLMError, force_tool

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
Emit = Callable[[ev.Event], Awaitable[None]]


@dataclass
class JourneyDeps:
    db: Database
    redis: Redis
    llm: LLM
    enqueue: Callable[[str, int], Awaitable[None]]  # (job name, run id)
    worker_id: str
    forecast_model: str = "claude-sonnet-4-5"
    maxlen: int = 1000


async def _start_run(deps: JourneyDeps, project_id: int, kind: str, job: str) -> None:
    run = await deps.db.run(lambda s: store.create_run(s, project_id=project_id, kind=kind))
    await streams.announce_run(deps.redis, project_id=project_id, run_id=run.id)  # open pages follow it at once
    await deps.enqueue(job, run.id)


async def _call(deps: JourneyDeps, run: Run, project: Project, emit: Emit, *, system: str, prompt: str, tool: dict,
                on_delta=None) -> dict:
    turn = await deps.llm.turn(system=system, messages=[{"role": "user", "content": prompt}], tools=[tool],
                               tool_choice=force_tool(tool["name"]), on_delta=on_delta)
    micros = cost_micros(turn.model, turn.usage)
    entry = UsageEntry(run_id=run.id, user_id=project.owner_id, model=turn.model, cost_micros=micros,
                       input_tokens=turn.usage.input_tokens, output_tokens=turn.usage.output_tokens,
                       cache_write_tokens=turn.usage.cache_write_tokens, cache_read_tokens=turn.usage.cache_read_tokens)

    def _save(s):
        s.add(entry)
        s.commit()

    await deps.db.run(_save)
    await emit(ev.UsageRecorded(model=turn.model, input_tokens=entry.input_tokens, output_tokens=entry.output_tokens,
                                cache_write_tokens=entry.cache_write_tokens, cache_read_tokens=entry.cache_read_tokens,
                                cost_micros=micros))
    data = turn.tool_input(tool["name"])
    if data is None:
        raise LLMError("Your co-founder answered without the expected result. Please try again.", retryable=True)
    return data


async def run_journey_job(deps: JourneyDeps, run_id: int, body) -> str:
    """Claim the run, run `body(run, project, emit)`, record how it ended. Returns the final status."""
    run = await deps.db.run(lambda s: store.get_run(s, run_id=run_id))
    if run is None or run.status in ("succeeded", "failed"):
        return "missing" if run is None else run.status
    if not await deps.db.run(lambda s: store.claim_run(s, run_id=run_id, owner=deps.worker_id, lease=LEASE)):
        return "busy"
    project = await deps.db.run(lambda s: s.get(Project, run.project_id))

    async def emit(event: ev.Event) -> None:
        await store.record(db=deps.db, redis=deps.redis, run_id=run_id, event=event, maxlen=deps.maxlen)

    try:
        await body(run, project, emit)
    except Exception as exc:  # every failure ends the run with a reason the founder can read
        if isinstance(exc, LLMError):
            reason = str(exc)
        elif isinstance(exc, ValueError):  # the model's draft failed our checks
            reason = "Your co-founder's draft didn't hold together. Please try again."
        else:
            log.exception("journey run %s failed", run_id)
            reason = "Something went wrong on our side. Please try again in a minute."
        error = repr(exc)
        await deps.db.run(lambda s: store.finish_run(s, run_id=run_id, status="failed", error=error))
        await emit(ev.RunFailed(reason=reason))
        return "failed"
    await deps.db.run(lambda s: store.finish_run(s, run_id=run_id, status="succeeded"))
    return "succeeded"


def _facts(project: Project) -> iv.IdeaFacts:
    return iv.facts(project.name, project.idea, project.audience, project.stage)


def _answered(rows) -> list[iv.Answered]:
    return [iv.Answered(key=r.question_key, topic=r.topic, answer=r.answer, skipped=r.skipped)
            for r in rows if r.answer or r.skipped]


async def interview_step(deps: JourneyDeps, run_id: int) -> str:
    async def body(run: Run, project: Project, emit: Emit) -> None:
        interview = await deps.db.run(lambda s: js.current_interview(s, project_id=project.id))
        rows = await deps.db.run(lambda s: js.answers(s, interview_id=interview.id))
        if any(not r.answer and not r.skipped for r in rows):
            return  # a question is already waiting for the founder
        idea, answers = _facts(project), _answered(rows)
        await emit(ev.RunStarted(kind="interview", title="Thinking about the next question", quiet=True))
        proposal = await _call(deps, run, project, emit, system=iv.SYSTEM, prompt=iv.prompt(idea, answers),
                               tool=iv.NEXT_QUESTION_TOOL)
        question = iv.accept_proposal(proposal, idea, answers)
        if question is None:
            await deps.db.run(lambda s: js.finish_interview(s, interview_id=interview.id))
            await deps.db.run(lambda s: store.update_project(s, project_id=project.id, status="drafting_brief"))
            await emit(ev.InterviewDone(questions=len(answers)))
            await _start_run(deps, project.id, "brief", "draft_brief")
            return
        await deps.db.run(lambda s: js.ask(s, interview_id=interview.id, key=question.key, topic=question.topic,
                                           question=question.text, why=question.why))
        await emit(ev.QuestionAsked(key=question.key, question=question.text, number=len(answers) + 1))

    return await run_journey_job(deps, run_id, body)


class _SectionProgress:
    """Turns the streamed JSON of a brief into "Writing the problem…" progress events."""

    def __init__(self, emit: Emit):
        self.emit, self.buffer, self.seen = emit, "", set()
        self.order = list(brief_rules.SECTION_TITLES)

    async def __call__(self, kind: str, chunk: str) -> None:
        if kind != "tool_input":
            return
        self.buffer += chunk
        for i, key in enumerate(self.order):
            if key not in self.seen and f'"{key}"' in self.buffer:
                self.seen.add(key)
                title = brief_rules.SECTION_TITLES[key]
                await self.emit(ev.StepProgress(step=f"Writing: {title}", done=i + 1, total=len(self.order), quiet=True))


async def draft_brief(deps: JourneyDeps, run_id: int) -> str:
    async def body(run: Run, project: Project, emit: Emit) -> None:
        narrowing = run.kind == "narrow"
        await emit(ev.RunStarted(kind=run.kind, title="Narrowing the Idea Brief" if narrowing else "Drafting your Idea Brief"))

        def _read(s):
            interview = js.current_interview(s, project_id=project.id)
            rows = js.answers(s, interview_id=interview.id) if interview else []
            current = js.latest(s, project_id=project.id, kind="brief")
            last = js.decisions(s, project_id=project.id)
            return rows, (current.content if current else None), (last[-1].reason if last else "")

        rows, current, cut = await deps.db.run(_read)
        prompt = brief_rules.prompt(_facts(project), _answered(rows), current=current if narrowing else None, cut=cut)
        data = await _call(deps, run, project, emit, system=brief_rules.SYSTEM, prompt=prompt,
                           tool=brief_rules.WRITE_BRIEF_TOOL, on_delta=_SectionProgress(emit))
        content = brief_rules.normalise({**data, "title": project.name})
        note = f"Narrowed: {cut[:200]}" if narrowing else "First draft" if current is None else "Redrafted"
        def _save(s):  # the brief and where it leaves the project, written before the event that tells of them
            saved = js.save_version(s, project_id=project.id, kind="brief", content=content, author=deps.llm.label,
                                    note=note)
            js.refresh_strategy(s, project_id=project.id)
            store.update_project(s, project_id=project.id, status="planning" if narrowing else "brief_ready")
            return saved

        saved = await deps.db.run(_save)
        await emit(ev.ArtifactSaved(kind="brief", version=saved.version, title="Idea Brief"))
        if narrowing:
            await _start_run(deps, project.id, "plan", "draft_plan")

    return await run_journey_job(deps, run_id, body)


async def draft_plan(deps: JourneyDeps, run_id: int) -> str:
    async def body(run: Run, project: Project, emit: Emit) -> None:
        await emit(ev.RunStarted(kind="plan", title="Planning the build"))
        current = await deps.db.run(lambda s: js.latest(s, project_id=project.id, kind="brief"))
        data = await _call(deps, run, project, emit, system=plan_rules.SYSTEM, prompt=plan_rules.prompt(current.content),
                           tool=plan_rules.WRITE_PLAN_TOOL)
        calls = await deps.db.run(lambda s: js.measured_calls(s, owner_id=project.owner_id))
        phases = plan_rules.normalise(data.get("phases") or [], deps.forecast_model, calls=calls)
        await emit(ev.StepProgress(step=f"Split the build into {len(phases)} phases", done=1, total=2))

        def _save(s):
            js.replace_plan(s, project_id=project.id, phases=phases)
            js.refresh_strategy(s, project_id=project.id)
            saved = js.save_version(s, project_id=project.id, kind="plan", content={"phases": phases},
                                    author=deps.llm.label, note=f"From Idea Brief version {current.version}")
            store.update_project(s, project_id=project.id, status="planned")
            return saved

        saved = await deps.db.run(_save)
        await emit(ev.StepProgress(step="Estimated the cost of every phase", done=2, total=2))
        await emit(ev.ArtifactSaved(kind="plan", version=saved.version, title="Build plan"))

    return await run_journey_job(deps, run_id, body)
