"""The whole journey with the offline co-founder, through the founder's intents and the worker's
jobs, on a real database and Redis (the browser test drives the same path through the pages)."""

import json
import uuid

import pytest

from agent import events as ev
from agent import journey_store as js
from agent import store, streams
from agent.journey import Intents, JourneyError
from agent.journey_jobs import JourneyDeps, draft_brief, draft_plan, interview_step
from agent.offline import OfflineCoFounder
from tests.journey.test_interview import ANSWERS

JOBS = {"interview_step": interview_step, "draft_brief": draft_brief, "draft_plan": draft_plan}


class InlineWorker:
    """Runs enqueued journey jobs in order, as the arq worker would."""

    def __init__(self, db, redis):
        self.queue = []
        self.deps = JourneyDeps(db=db, redis=redis, llm=OfflineCoFounder(), enqueue=self.enqueue, worker_id="test")

    async def enqueue(self, job, run_id):
        self.queue.append((job, run_id))

    async def drain(self):
        while self.queue:
            job, run_id = self.queue.pop(0)
            assert await JOBS[job](self.deps, run_id) == "succeeded"


@pytest.fixture
def journey(db, redis, founder):
    user, project, _ = founder
    with db.session() as s:
        store.update_project(s, project_id=project.id, status="ready")
    worker = InlineWorker(db, redis)
    return Intents(db=db, redis=redis, enqueue=worker.enqueue), worker, user, reload(db, project)


def reload(db, project):
    with db.session() as s:
        return s.get(type(project), project.id)


async def describe_walkies(intents, project):
    await intents.describe_idea(project, name="Walkies", idea="A marketplace that connects busy dog owners with local "
                                "walkers.", audience="Dog owners", stage="Just an idea")


async def interview_to_the_end(db, intents, worker, project, answer_for):
    await worker.drain()
    asked = []
    for _ in range(15):
        with db.session() as s:
            interview = js.current_interview(s, project_id=project.id)
            pending = js.pending_question(s, interview_id=interview.id)
        if pending is None:
            return asked
        asked.append(pending.question_key)
        text = answer_for(pending.question_key)
        await intents.answer(reload(db, project), answer_id=pending.id, text=text or "", skip=text is None)
        await worker.drain()
    raise AssertionError("the interview never ended")


async def test_idea_to_brief_to_plan(db, journey):
    intents, worker, user, project = journey
    with pytest.raises(JourneyError, match="a bit short"):
        await intents.describe_idea(project, name="Walkies", idea="Dog walking app", audience="Owners", stage="Just an idea")
    await intents.describe_idea(project, name="Walkies", idea="A marketplace that connects busy dog owners with local "
                                "walkers.", audience="Dog owners in cities", stage="Just an idea")
    asked = await interview_to_the_end(db, intents, worker, project, lambda k: ANSWERS.get(k, "About 30 a week, in 2 areas."))
    assert 6 <= len(asked) <= 12 and asked[0] == "problem"
    project = reload(db, project)
    assert project.status == "brief_ready"
    with db.session() as s:
        brief = js.latest(s, project_id=project.id, kind="brief")
        assert brief.version == 1 and brief.author == "offline co-founder" and "guilty" in brief.content["problem"]
        assert js.latest(s, project_id=project.id, kind="strategy") is not None
        events = [e.type for r in store.project_runs(s, project_id=project.id)
                  for e in store.events_between(s, run_id=r.id, after_seq=0)]
    assert "interview.done" in events and "artifact.saved" in events and "usage.recorded" in events
    assert events.count("run.progress") >= 8  # the brief's sections, as they were written

    await intents.decide(project, user_id=user.id, choice="proceed", reason="Looks right")
    await worker.drain()
    project = reload(db, project)
    assert project.status == "planned"
    with db.session() as s:
        phases = js.plan_phases(s, project_id=project.id)
        assert phases[0].title == "Foundation" and phases[-1].title == "Polish and docs"
        assert all(p.cost_forecast_micros > 0 for p in phases)  # priced with Claude's model
        assert [d.choice for d in js.decisions(s, project_id=project.id)] == ["proceed"]


async def test_narrow_regenerates_a_smaller_brief_and_plan(db, journey):
    intents, worker, user, project = journey
    await describe_walkies(intents, project)
    await interview_to_the_end(db, intents, worker, project, lambda k: ANSWERS.get(k, "Thirty walks a week."))
    await intents.decide(reload(db, project), user_id=user.id, choice="proceed", reason="")
    await worker.drain()
    with db.session() as s:
        before = len(js.plan_phases(s, project_id=project.id))
    await intents.decide(reload(db, project), user_id=user.id, choice="narrow", reason="Drop the photos after walks")
    await worker.drain()
    with db.session() as s:
        brief = js.latest(s, project_id=project.id, kind="brief")
        graph = js.latest(s, project_id=project.id, kind="strategy").content
        assert brief.version == 2 and brief.note.startswith("Narrowed")
        assert "Photos after the walk" not in [f["name"] for f in brief.content["mvp_features"]]
        assert len(js.plan_phases(s, project_id=project.id)) == before - 1
        assert any(n["kind"] == "cut" and n["label"] == "Photos after the walk" for n in graph["nodes"])
    assert reload(db, project).status == "planned"


async def test_pivot_goes_back_to_the_interview_keeping_what_still_applies(db, journey):
    intents, worker, user, project = journey
    await describe_walkies(intents, project)
    await interview_to_the_end(db, intents, worker, project, lambda k: ANSWERS.get(k, "Thirty walks a week."))
    await intents.decide(reload(db, project), user_id=user.id, choice="pivot", reason="Cat sitting instead of dog walking")
    project = reload(db, project)
    assert project.status == "interviewing" and project.idea.startswith("Cat sitting")
    await worker.drain()
    with db.session() as s:
        interview = js.current_interview(s, project_id=project.id)
        kept = {a.topic for a in js.answers(s, interview_id=interview.id) if a.answer}
        assert kept == {"monetisation", "constraints"}
        assert js.pending_question(s, interview_id=interview.id).question_key == "problem"


async def test_park_archives_and_reopen_returns_to_the_gate(db, journey):
    intents, worker, user, project = journey
    await describe_walkies(intents, project)
    with pytest.raises(Exception, match="once the Idea Brief is ready"):
        await intents.decide(reload(db, project), user_id=user.id, choice="park", reason="")
    await interview_to_the_end(db, intents, worker, project, lambda k: None)
    await intents.decide(reload(db, project), user_id=user.id, choice="park", reason="Not now")
    project = reload(db, project)
    assert project.status == "archived" and project.archived_at is not None
    await intents.reopen(project)
    assert reload(db, project).status == "brief_ready"


async def test_versions_restore_and_duplicate(db, journey):
    intents, worker, user, project = journey
    await describe_walkies(intents, project)
    await interview_to_the_end(db, intents, worker, project, lambda k: ANSWERS.get(k, "Yes, thirty."))
    with db.session() as s:
        first = js.latest(s, project_id=project.id, kind="brief")
        edited = {**first.content, "problem": "Edited by the founder."}
        js.save_version(s, project_id=project.id, kind="brief", content=edited, author="founder", note="Edited")
        restored = js.restore(s, project_id=project.id, kind="brief", number=1, author="founder")
        assert restored.version == 3 and restored.content == first.content and restored.note == "Restored version 1"
        item = js.artifact(s, project_id=project.id, kind="brief")
        assert [v.version for v in js.versions(s, artifact_id=item.id)] == [3, 2, 1]
        copy, run = js.duplicate(s, project=reload(db, project), kind="brief", name="Walkies v2")
        copied = js.latest(s, project_id=copy.id, kind="brief")
        assert copy.owner_id == user.id and copied.version == 1 and copied.content == first.content
        assert run.kind == "setup"


class FlakyCoFounder(OfflineCoFounder):
    """Fails its first call the way a busy API does, then behaves."""

    def __init__(self):
        super().__init__()
        self.failures = 1

    async def turn(self, **kwargs):
        if self.failures:
            self.failures -= 1
            from agent.services.llm import LLMError

            raise LLMError("Claude is busy right now. Please try again in a minute.", retryable=True)
        return await super().turn(**kwargs)


async def test_a_failed_step_is_explained_and_can_be_retried(db, redis, journey):
    intents, worker, user, project = journey
    worker.deps.llm = FlakyCoFounder()
    await describe_walkies(intents, project)
    job, run_id = worker.queue.pop(0)
    assert await JOBS[job](worker.deps, run_id) == "failed"
    with db.session() as s:
        last = store.events_between(s, run_id=run_id, after_seq=0)[-1]
        assert last.type == "run.failed" and last.payload["reason"] == "Claude is busy right now. Please try again in a minute."
        assert store.get_run(s, run_id=run_id).status == "failed"
    await intents.retry(reload(db, project))
    await worker.drain()
    with db.session() as s:
        interview = js.current_interview(s, project_id=project.id)
        assert js.pending_question(s, interview_id=interview.id).question_key == "problem"
    with pytest.raises(JourneyError, match="Nothing needs retrying"):
        await intents.retry(reload(db, project))


def test_moving_or_removing_a_phase_reprices_the_plan(db):
    """A phase's forecast depends on where it sits, so the plan is priced again after each change."""
    from agent import plan as plan_rules
    from tests.agent_core.conftest import planned_project

    with db.session() as s:
        user = store.create_user(s, email=f"reprice-{uuid.uuid4().hex[:8]}@example.com", password_hash="x")
    project = planned_project(db, user)
    model = "claude-sonnet-4-5"
    with db.session() as s:
        before = js.plan_phases(s, project_id=project.id)
        last_id, last_cost = before[-1].id, before[-1].cost_forecast_micros
        js.move_phase(s, project_id=project.id, phase_id=last_id, offset=-len(before))
        js.reprice(s, project_id=project.id, model=model)
        after = js.plan_phases(s, project_id=project.id)
        assert after[0].id == last_id and after[0].cost_forecast_micros < last_cost  # earlier: cheaper
        assert [p.cost_forecast_micros for p in after] == plan_rules.forecasts([p.effort for p in after], model)
        final_cost = after[-1].cost_forecast_micros
        js.remove_phase(s, project_id=project.id, phase_id=after[1].id)
        js.reprice(s, project_id=project.id, model=model)
        kept = js.plan_phases(s, project_id=project.id)
        assert [p.cost_forecast_micros for p in kept] == plan_rules.forecasts([p.effort for p in kept], model)
        assert kept[-1].cost_forecast_micros < final_cost  # less came before it


def test_forecasts_learn_the_calls_the_founders_own_builds_took(db):
    """Once five phases of a size were built by a paid model, the founder's forecasts use the calls
    those phases took instead of the assumed ones; other founders' builds and the offline co-founder's
    (which books no cost) do not count."""
    from agent import plan as plan_rules
    from tests.agent_core.conftest import planned_project

    model = "claude-sonnet-4-5"
    with db.session() as s:
        user, other = (store.create_user(s, email=f"{who}-{uuid.uuid4().hex[:8]}@example.com", password_hash="x")
                       for who in ("learns", "other"))
    built = [planned_project(db, user, name=f"Built {n}") for n in range(5)]
    with db.session() as s:
        builds = [(80, 1_000, "done")] * 3 + [(500, 1_000, "in_progress"), (500, 0, "done")]
        for project, (calls, micros, status) in zip(built, builds):  # 3 projects x 2 finished M phases of
            for phase in js.plan_phases(s, project_id=project.id)[:2]:  # 80 paid calls; one building; one offline
                for _ in range(calls):
                    js.add_phase_cost(s, project_id=project.id, number=phase.position + 1, micros=micros)
                js.update_phase(s, project_id=project.id, phase_id=phase.id, status=status)
        assert [p.calls_actual for p in js.plan_phases(s, project_id=built[0].id)[:3]] == [80, 80, 0]
        assert js.plan_phases(s, project_id=built[4].id)[0].calls_actual == 0  # the offline co-founder's
        efforts = {p.effort for project in built for p in js.plan_phases(s, project_id=project.id)[:2]}
        assert efforts == {"M"}  # the offline plan's first phases
        assert js.measured_calls(s, owner_id=user.id) == {"M": 80 - plan_rules.PLAN_CALLS}
        assert js.measured_calls(s, owner_id=other.id) == {}
    fresh, theirs = planned_project(db, user, name="Next"), planned_project(db, other, name="Theirs")
    with db.session() as s:
        for project in (fresh, theirs):
            js.reprice(s, project_id=project.id, model=model)
        mine, defaults = js.plan_phases(s, project_id=fresh.id), js.plan_phases(s, project_id=theirs.id)
        efforts = [p.effort for p in mine]
        assert [p.cost_forecast_micros for p in mine] == plan_rules.forecasts(efforts, model, calls={"M": 78})
        assert [p.cost_forecast_micros for p in defaults] == plan_rules.forecasts(efforts, model)
        assert mine[0].cost_forecast_micros > defaults[0].cost_forecast_micros  # 78 calls where 56 were assumed


async def test_what_an_event_announces_is_in_the_database_when_it_is_published(db, journey, monkeypatch):
    """A page re-reads its view when an event arrives. The brief's "saved" event once went out before the
    project reached the gate, with nothing after it: a re-read in between was the page's last, and the
    gate never showed (bench/journey_bench.py, issue 15). Each event now finds its state written."""
    intents, worker, _, project = journey
    published, real = [], streams.publish

    async def observed(redis, **event):
        with db.session() as s:
            status = s.get(type(project), project.id).status
        published.append((event["type_name"], json.loads(event["payload_json"]).get("kind"), status))
        return await real(redis, **event)

    monkeypatch.setattr(streams, "publish", observed)
    await describe_walkies(intents, project)
    await interview_to_the_end(db, intents, worker, project, lambda k: ANSWERS.get(k, "About 30 a week, in 2 areas."))
    assert (ev.InterviewDone.type, None, "drafting_brief") in published
    assert (ev.ArtifactSaved.type, "brief", "brief_ready") in published  # at the gate when the page hears of it
