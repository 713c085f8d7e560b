"""What the founder asks for during the journey, checked at the edge and turned into jobs.

The web app calls these (after checking the founder owns the project); they validate the input with
messages written for the founder, record the intent in the database and enqueue the worker job.
They never call a model themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from agent import events as ev
from agent import gates, jobs, store, streams
from agent import journey_store as js
from agent.db import Database
from agent.models import Project, utcnow

STAGES = ("Just an idea", "Talking to users", "Building something", "Already have users")
MAX_IDEA, MIN_IDEA_WORDS, MAX_ANSWER, MAX_AUDIENCE = 10_000, 5, 5_000, 2_000


class JourneyError(ValueError):
    """Input the founder must change; the message says how."""


@dataclass
class Intents:
    db: Database
    redis: Redis
    enqueue: Callable[[str, int], Awaitable[None]]  # (job name, run id)
    # (rule, key) -> None, or JourneyError when over a rate limit (agent/rate_limits.py); None: no limits
    limit: Callable[[str, int], Awaitable[None]] | None = None

    async def _asked(self, project: Project) -> None:
        """One more job for the co-founder, counted before anything is saved."""
        if self.limit is not None:
            await self.limit("journey_job", project.owner_id)

    async def start(self, project_id: int, kind: str) -> int:
        run = await self.db.run(lambda s: store.create_run(s, project_id=project_id, kind=kind))
        await streams.announce_run(self.redis, project_id=project_id, run_id=run.id)
        await self.enqueue(jobs.JOB_FOR_KIND[kind], run.id)
        return run.id

    async def describe_idea(self, project: Project, *, name: str, idea: str, audience: str, stage: str) -> None:
        clean = check_idea(name=name, idea=idea, audience=audience, stage=stage)
        if project.status not in ("setting_up", "ready", "interviewing"):
            raise JourneyError("The idea can be changed before the interview; after that, pivot at the gate.")
        await self._asked(project)

        def _save(s):
            store.update_project(s, project_id=project.id, status="interviewing", **clean)
            if js.current_interview(s, project_id=project.id) is None:
                js.start_interview(s, project_id=project.id)

        await self.db.run(_save)
        run_id = await self.start(project.id, "interview")
        if project.status == "interviewing":  # said in the feed: the idea changed mid-interview
            await store.record(db=self.db, redis=self.redis, run_id=run_id, event=ev.Narration(
                text="You changed the idea. I'll go on with the interview from here, keeping your answers so far."))

    async def answer(self, project: Project, *, answer_id: int, text: str, skip: bool = False) -> None:
        text = "" if skip else check_answer(text)
        interview = await self.db.run(lambda s: js.current_interview(s, project_id=project.id))
        if interview is None or interview.status != "in_progress":
            raise JourneyError("This interview is already finished.")
        await self._asked(project)
        pending = await self.db.run(lambda s: js.pending_question(s, interview_id=interview.id))
        await self.db.run(lambda s: js.answer(s, interview_id=interview.id, answer_id=answer_id, text=text, skipped=skip))
        if pending is not None and pending.id == answer_id:
            await self.start(project.id, "interview")

    async def edit_answer(self, project: Project, *, answer_id: int, text: str) -> None:
        text = check_answer(text)
        interview = await self.db.run(lambda s: js.current_interview(s, project_id=project.id))
        if interview is None:
            raise JourneyError("There is no interview to edit.")
        await self.db.run(lambda s: js.answer(s, interview_id=interview.id, answer_id=answer_id, text=text))

    async def decide(self, project: Project, *, user_id: int, choice: str, reason: str) -> None:
        outcome = gates.decide(project.status, choice, reason)
        reason = reason.strip()
        if outcome.job:
            await self._asked(project)

        def _save(s):
            js.record_decision(s, project_id=project.id, user_id=user_id, choice=choice, reason=reason)
            extra = {"archived_at": utcnow()} if choice == "park" else {}
            if choice == "pivot":
                extra["idea"] = f"{reason}\n\n(Earlier direction: {project.idea})"[:MAX_IDEA]
                js.start_interview(s, project_id=project.id, keep_topics=gates.KEPT_ON_PIVOT)
            store.update_project(s, project_id=project.id, status=outcome.status, **extra)
            js.refresh_strategy(s, project_id=project.id)

        await self.db.run(_save)
        if outcome.job:
            await self.start(project.id, outcome.job)

    async def reopen(self, project: Project) -> None:
        status = gates.reopen(project.status)
        await self.db.run(lambda s: store.update_project(s, project_id=project.id, status=status, archived_at=None))

    async def retry(self, project: Project) -> None:
        """Run again the last journey step that failed."""
        runs = await self.db.run(lambda s: store.project_runs(s, project_id=project.id))
        failed = next((r for r in reversed(runs) if r.kind in jobs.JOB_FOR_KIND and r.kind != "setup"), None)
        if failed is None or failed.status != "failed":
            raise JourneyError("Nothing needs retrying right now.")
        await self._asked(project)
        await self.start(project.id, failed.kind)


def check_idea(*, name: str, idea: str, audience: str, stage: str) -> dict[str, str]:
    """The onboarding fields, tidied; raises JourneyError naming the first problem."""
    name = " ".join(name.split())
    if not name:
        raise JourneyError("Give your project a name.")
    if len(name) > 80:
        raise JourneyError("Keep the project name under 80 characters.")
    idea = idea.strip()
    if not idea:
        raise JourneyError("Describe your idea in a few sentences.")
    if len(idea) > MAX_IDEA:
        raise JourneyError(f"That's more than {MAX_IDEA:,} characters. Keep the idea to the essentials; "
                           "the interview will ask for the details.")
    if len(idea.split()) < MIN_IDEA_WORDS:
        raise JourneyError("That's a bit short to work with. Say what it does and for whom, in a sentence or two.")
    audience = " ".join(audience.split())
    if not audience:
        raise JourneyError("Say who it is for, even roughly (for example “busy dog owners”).")
    if len(audience) > MAX_AUDIENCE:
        raise JourneyError(f"Keep “who it is for” under {MAX_AUDIENCE:,} characters.")
    if stage not in STAGES:
        raise JourneyError("Pick the stage you're at.")
    return {"name": name, "idea": idea, "audience": audience, "stage": stage}


def check_answer(text: str) -> str:
    text = text.strip()
    if not text:
        raise JourneyError("Write an answer, or skip the question.")
    if len(text) > MAX_ANSWER:
        raise JourneyError(f"Keep an answer under {MAX_ANSWER:,} characters.")
    return text
