"""Pacing in the real worker, with the real Anthropic SDK talking to a local Messages API: a build
spends today's allowance and sleeps; the worker is killed while it sleeps; a new worker whose clock
is past the reset (CLOCK_OFFSET_SECONDS) wakes it from the cron, restores the workspace the sandbox
lost, and the build finishes from its checkpoint. Not one call is made between the sleep and the wake."""

import asyncio
import json
import math
import os
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from agent import budget, jobs, spend, store
from agent import events as ev
from agent.build_control import BuildControls
from agent.config import Settings
from agent.db import Database
from agent.models import Subscription, UsageEntry, utcnow
from agent.pricing import cost_micros
from agent.project_setup import workspace_path
from agent.services.llm import Usage
from tests.agent_core.conftest import planned_project
from tests.support.fake_messages_api import FakeMessagesAPI
from tests.support.workers import kill_worker, start_worker, stop_worker

MODEL = "claude-sonnet-4-5"  # the partner tier's


def expensive_usage(allowance: int) -> dict[str, int]:
    """Usage for one call costing just over a third of the allowance: three calls spend the day
    (at least the allowance, less than 10% over it, so the build sleeps rather than being stopped)."""
    per_call = math.ceil(allowance * 1.03 / 3)
    tokens = math.ceil(per_call / cost_micros(MODEL, Usage(input_tokens=1_000_000, output_tokens=0)) * 1_000_000)
    usage = {"input_tokens": tokens, "output_tokens": 1, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 0}
    three = 3 * cost_micros(MODEL, Usage(input_tokens=tokens, output_tokens=1))
    assert allowance <= three <= allowance * (1 + budget.BREAKER_MARGIN) and 2 * three / 3 < allowance
    return usage


async def wait_for(db, run_id, statuses, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with db.session() as s:
            run = store.get_run(s, run_id=run_id)
        if run.status in statuses:
            return run
        await asyncio.sleep(0.2)
    raise AssertionError(f"run {run_id} is {run.status}, not {statuses}, after {seconds} s")


async def test_a_sleeping_build_survives_a_killed_worker_and_wakes_at_the_reset(redis_url, redis):
    now = utcnow()
    if budget.next_reset(now) - now < timedelta(minutes=3):
        pytest.skip("too close to midnight UTC: the day's spend would reset during the test")
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        user = store.create_user(s, email=f"pace-{time.time_ns()}@example.com", password_hash="x")
        s.add(Subscription(user_id=user.id, plan_key="partner", renews_at=now + timedelta(days=10)))
        s.commit()
        allowance = spend.today(s, user_id=user.id, now=now).allowance_micros
    project = planned_project(db, user)
    usage = expensive_usage(allowance)
    workspace = workspace_path(Settings.from_env().workspaces_dir, project.id)
    first = second = None
    with FakeMessagesAPI() as api:
        api.turn(("text", "Setting up the app."),
                 ("tool_use", "write_file", {"path": "app/main.py", "content": "print('walkies')\n"}), usage=usage)
        api.turn(("tool_use", "bash", {"command": "echo one"}), usage=usage)
        api.turn(("tool_use", "bash", {"command": "echo two"}), usage=usage)
        api.turn(("tool_use", "bash", {"command": "cat app/main.py"}))  # after the reset: ordinary calls
        for _ in range(3):  # it says it is done with nothing done: nudged twice, then the founder is asked
            api.turn(("text", "The app is built."))
        claude = {"ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": api.url}
        pool = await jobs.create_queue(redis_url)

        async def enqueue(job, run_id, job_id):
            await jobs.enqueue(pool, job, run_id, job_id)

        try:
            first = start_worker(**claude)
            run_id = await BuildControls(db=db, redis=redis, enqueue=enqueue).start(project)
            run = await wait_for(db, run_id, ("sleeping", "succeeded", "failed", "budget_exceeded"), 90)
            assert run.status == "sleeping" and run.model == MODEL
            assert run.wake_at == budget.next_reset(now)
            await asyncio.sleep(3)  # the worker's cron runs every 5 s: before the reset it wakes nothing
            assert len(api.requests) == 3  # no call once the allowance was spent
            with db.session() as s:
                assert store.get_run(s, run_id=run_id).status == "sleeping"

            kill_worker(first)
            (workspace / "app" / "main.py").unlink()  # the sandbox comes back without it
            past_reset = (run.wake_at - utcnow()).total_seconds() + 60
            second = start_worker(**claude, CLOCK_OFFSET_SECONDS=str(past_reset))
            await wait_for(db, run_id, ("succeeded", "failed", "needs_input", "budget_exceeded"), 90)
            with db.session() as s:
                assert store.get_run(s, run_id=run_id).status == "needs_input"  # no phase done, no app running
                rows = store.events_between(s, run_id=run_id, after_seq=0, newest=10_000)
                ledger = list(s.exec(select(UsageEntry).where(UsageEntry.run_id == run_id)
                                     .order_by(UsageEntry.id)))
        finally:
            stop_worker(first)
            stop_worker(second)
            await pool.aclose()
            db.dispose()

    assert len(api.requests) == 7
    assert "these phases are not done" in json.dumps(api.requests[5]["body"]["messages"][-1])
    woken = api.requests[3]["body"]["messages"]
    assert len(woken) > len(api.requests[2]["body"]["messages"])  # the same conversation, from the checkpoint
    assert "restored" in json.dumps(woken[-1])  # the agent was told its environment came back
    last = json.dumps(api.requests[4]["body"]["messages"][-1])
    assert "print('walkies')" in last  # the file the sandbox lost was back when the agent looked
    types = [r.type for r in rows]
    assert types.count(ev.Sleeping.type) == 1 and ev.BudgetExceeded.type not in types
    # three calls on the first day, four after the reset, booked to the day the worker's clock said
    assert [u.created_at >= run.wake_at for u in ledger] == [False] * 3 + [True] * 4
