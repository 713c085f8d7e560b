"""Pacing on the daily allowance with the real loop, database and Redis (a scripted, priced model and
an injected clock): a build spends today's allowance, sleeps, is woken by the cron at the reset in a
fresh sandbox, and finishes; a call that blows more than 10% past the allowance stops the build at once."""

import json
from datetime import timedelta

from sqlmodel import select

from agent import budget, build_view, pacing, store
from agent import journey_store as js
from agent import run_store as rs
from agent import events as ev
from agent.build_control import BuildControls
from agent.build_job import BuildDeps, build_slice
from agent.project_setup import workspace_path
from agent.models import Plan, RunEvent, Subscription, UsageEntry, utcnow
from agent.pricing import cost_micros
from agent.services.llm import Usage
from agent.services.confinement import UNCONFINED
from agent.services.local_sandbox import LocalSandbox
from agent.services.storage import LocalStorage
from tests.agent_core.conftest import Queue
from tests.agent_core.test_loop import Scripted

TURN = cost_micros("claude-sonnet-4-5", Usage(input_tokens=10, output_tokens=5))  # what one scripted call costs


def subscribe(db, user, monthly_budget, now, monkeypatch):
    """The founder on a tier whose month holds `monthly_budget`, renewing in exactly 10 days."""
    tier = budget.Tier("partner", "Partner", monthly_budget, "claude-sonnet-4-5", 2, 9_900)
    monkeypatch.setitem(budget.TIERS, "partner", tier)
    with db.session() as s:
        if s.get(Plan, "partner") is None:
            s.add(Plan(key="partner", name="Partner", monthly_budget_micros=monthly_budget, model=tier.model))
        s.add(Subscription(user_id=user.id, plan_key="partner", renews_at=now + timedelta(days=10)))
        s.commit()


def deps_for(db, redis, model, tmp_path, clock, queue):
    async def open_sandbox(workspace, _sandbox_id):  # a fresh sandbox object each slice, as after a restart
        return LocalSandbox(workspace, confinement=UNCONFINED)

    async def no_capture(*_):
        raise RuntimeError("no browser here")

    return BuildDeps(db=db, redis=redis, storage=LocalStorage(tmp_path / "files"), llm=model, capture=no_capture,
                     enqueue=queue, open_sandbox=open_sandbox, workspaces_root=tmp_path, worker_id="test",
                     clock=clock)


def steps(n):
    return [[("bash", {"command": f"echo step {i}"})] for i in range(n)]


async def test_a_build_sleeps_when_the_allowance_is_spent_and_wakes_at_the_reset(db, redis, planned, tmp_path,
                                                                                   monkeypatch):
    user, project = planned
    now = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    subscribe(db, user, 10 * 10 * TURN, now, monkeypatch)  # allowance: ten calls today, nine tomorrow
    clock = {"now": now}
    queue = Queue()
    model = Scripted([[("write_file", {"path": "app/main.py", "content": "print('walkies')\n"})], *steps(18)])
    deps = deps_for(db, redis, model, tmp_path, lambda: clock["now"], queue)
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)

    assert await build_slice(deps, run_id) == "sleeping"
    # while it sleeps the environment is lost (an expired sandbox): waking restores the snapshot taken
    # before the rest, and the agent is told
    main = workspace_path(tmp_path, project.id) / "app" / "main.py"
    main.unlink()
    assert len(model.requests) == 10  # no call after the allowance was spent
    with db.session() as s:
        run = store.get_run(s, run_id=run_id)
        assert run.status == "sleeping" and run.wake_at == budget.next_reset(now)
        slept = [e.payload for e in store.events_between(s, run_id=run_id, after_seq=0) if e.type == ev.Sleeping.type]
        assert len(slept) == 1 and "carry on by myself at 00:00 UTC" in ev.decode(ev.Sleeping.type, slept[0]).summary
        card = build_view.read(s, project_id=project.id, user_id=user.id, now=now)["card"]
        assert card.kind == "resting" and card.since == budget.next_reset(now).isoformat()

    assert await pacing.wake_due(deps, now=now + timedelta(hours=1)) == []  # not yet
    clock["now"] = budget.next_reset(now) + timedelta(minutes=1)
    assert await pacing.wake_due(deps) == [run_id]
    assert queue.jobs[-1][1] == run_id
    # a new day, a new sandbox object, the same conversation: the day's nine calls, and it rests again
    assert await build_slice(deps, run_id) == "sleeping"
    assert len(model.requests) == 19 and len(model.requests[10]) > len(model.requests[9])  # from the checkpoint
    assert "restored to the moment I went to rest" in json.dumps(model.requests[10][-1])
    assert main.read_text() == "print('walkies')\n"


async def test_a_day_more_than_ten_percent_over_stops_the_build_at_once(db, redis, planned, tmp_path, monkeypatch):
    user, project = planned
    now = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    subscribe(db, user, 10 * TURN // 2, now, monkeypatch)  # allowance: half a call a day
    queue = Queue()
    model = Scripted(steps(5))
    deps = deps_for(db, redis, model, tmp_path, lambda: now, queue)
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    assert await build_slice(deps, run_id) == "budget_exceeded"
    assert len(model.requests) == 1
    with db.session() as s:
        assert store.get_run(s, run_id=run_id).status == "budget_exceeded"
        assert s.get(type(project), project.id).status == "planned"
        card = build_view.read(s, project_id=project.id, user_id=user.id, now=now)["card"]
        assert card.title == "Budget exceeded" and "more than 10% over" in card.detail


class TieredScripted(Scripted):
    """A scripted model that, like the Claude adapter, can be pointed at another model."""

    def for_model(self, model):
        self.model = model
        return self


async def test_the_founders_tier_fixes_the_runs_model(db, redis, planned, tmp_path, monkeypatch):
    user, project = planned
    now = utcnow()
    with db.session() as s:
        cto = budget.tier("cto_scale")
        if s.get(Plan, cto.key) is None:
            s.add(Plan(key=cto.key, name=cto.name, monthly_budget_micros=cto.monthly_budget_micros, model=cto.model))
        s.add(Subscription(user_id=user.id, plan_key="cto_scale", renews_at=now + timedelta(days=20)))
        s.commit()
    queue = Queue()
    model = TieredScripted([[("plan", {"action": "start", "phase": 1})], *steps(2),
                            [("bash", {"command": "python3 -m pytest --version"})],  # a phase is checked before it is done
                            [("plan", {"action": "complete", "phase": 1})]])
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    with db.session() as s:
        run = store.get_run(s, run_id=run_id)
        assert (run.tier, run.model) == ("cto_scale", "claude-opus-4-5")  # recorded when the run starts
    # it stops with phases left: nudged twice, then the founder is asked
    assert await build_slice(deps_for(db, redis, model, tmp_path, utcnow, queue), run_id) == "needs_input"
    with db.session() as s:
        models = {u.model for u in s.exec(select(UsageEntry).where(UsageEntry.run_id == run_id))}
    assert models == {"claude-opus-4-5"}  # every call of the run went to the tier's model
    with db.session() as s:  # the calls made during phase 1 are its actual cost, beside its forecast
        actual = [p.cost_actual_micros for p in js.plan_phases(s, project_id=project.id)]
        phases = build_view.read(s, project_id=project.id, user_id=user.id)["phases"]
    turn = cost_micros("claude-opus-4-5", Usage(input_tokens=10, output_tokens=5))
    last = cost_micros("claude-opus-4-5", Usage(input_tokens=10, output_tokens=2))  # its closing words
    assert actual[0] == 4 * turn + 3 * last and not any(actual[1:])  # the first call came before phase 1 began
    assert phases[0]["cost"].startswith("<$0.01 of est. $") and phases[1]["cost"].startswith("est. $")


async def test_a_phase_is_done_only_once_something_checked_it(db, redis, planned, tmp_path):
    """Completing a phase nothing checked, or whose tests failed last, is refused with what to do;
    after a passing test run it is done."""
    user, project = planned
    queue = Queue()
    model = Scripted([[("plan", {"action": "start", "phase": 1})],
                      [("bash", {"command": "python3 -m pytest -q no_such_tests.py"})],  # fails
                      [("plan", {"action": "complete", "phase": 1})],  # refused: the tests failed last
                      [("bash", {"command": "python3 -m pytest --version"})],  # passes
                      [("plan", {"action": "complete", "phase": 1})],  # done
                      [("plan", {"action": "start", "phase": 2})],
                      [("plan", {"action": "complete", "phase": 2})]])  # refused: nothing checked it
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    assert await build_slice(deps_for(db, redis, model, tmp_path, utcnow, queue), run_id) == "needs_input"
    with db.session() as s:
        question = rs.open_escalation(s, run_id=run_id)
        assert "2. " in question.problem and "not done" in question.problem  # what is left, in the question
        used = [e.payload for e in s.exec(select(RunEvent).where(RunEvent.run_id == run_id,
                                                                 RunEvent.type == ev.ToolUsed.type)
                                          .order_by(RunEvent.seq))]
        first, second = js.plan_phases(s, project_id=project.id)[:2]
    refusals = [u["label"] for u in used if u["tool"] == "plan" and not u["ok"]]
    assert refusals == ["Phase 1 not finished: not checked yet", "Phase 2 not finished: not checked yet"]
    assert first.status == "done" and second.status == "in_progress"
    told = json.dumps(model.requests[-1])  # what the model was told
    assert "Nothing in this phase has been checked yet" in told and "The tests failed the last time" in told
