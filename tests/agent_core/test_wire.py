"""A build survives what the wire throws at it, through the real Anthropic SDK and the local fake
Messages API: a 429 after the SDK's own retries, an overload in the middle of a stream and a stalled
stream each rest the run and resume it from its checkpoint with the same conversation (nothing of the
failed reply kept); an account's spend limit rests it for at least an hour and says so."""

import json
from datetime import UTC, datetime, timedelta

import anthropic

from agent import build_view, pacing, store
from agent import events as ev
from agent.build_control import BuildControls
from agent.build_job import build_slice
from agent.models import utcnow
from tests.agent_core.conftest import Queue
from tests.agent_core.test_pacing import deps_for
from tests.services.test_llm_claude import claude
from tests.support.fake_messages_api import FakeMessagesAPI

ASK = ("tool_use", "ask_founder", {"question": "Which colour should the buttons be?", "options": ["Green", "Blue"]})


async def rests_then_resumes(db, redis, planned, tmp_path, api, llm, *, at_least: float, reason: str,
                             at_most: float = 3600):
    """The first reply works, the next fails as scripted: the run rests, then wakes and goes on."""
    user, project = planned
    clock, queue = {"now": utcnow()}, Queue()
    deps = deps_for(db, redis, llm, tmp_path, lambda: clock["now"], queue)
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    assert await build_slice(deps, run_id) == "sleeping"
    with db.session() as s:
        run = store.get_run(s, run_id=run_id)
        card = build_view.read(s, project_id=project.id, user_id=user.id, now=clock["now"])["card"]
        rested = [e for e in store.events_between(s, run_id=run_id, after_seq=0) if e.type == ev.Sleeping.type]
    waited = (run.wake_at - clock["now"]).total_seconds()
    assert run.status == "sleeping" and at_least - 1 <= waited <= at_most + 1
    assert card.kind == "resting" and reason in card.detail and "Please try again" not in card.detail
    assert len(rested) == 1 and reason in rested[0].payload["reason"]
    before = len(api.requests)
    assert run_id not in await pacing.wake_due(deps, now=clock["now"] + timedelta(seconds=waited / 2))  # not yet
    clock["now"] += timedelta(seconds=waited + 1)
    assert run_id in await pacing.wake_due(deps)  # (other tests' runs may be due too)
    assert await build_slice(deps, run_id) == "needs_input"  # it went on: and asked its question
    resumed, failed = api.requests[-1]["body"]["messages"], api.requests[before - 1]["body"]["messages"]
    assert resumed[:len(failed)] == failed  # the same conversation, from the checkpoint ...
    assert "Let me th" not in json.dumps(resumed)  # ... with nothing of the broken reply in it
    return run_id


async def test_a_429_after_the_sdks_retries_rests_the_run_and_it_resumes(db, redis, planned, tmp_path):
    with FakeMessagesAPI() as api:
        api.turn(("tool_use", "bash", {"command": "echo started"}))
        for _ in range(3):  # the first try and the SDK's two retries
            api.error(429, "rate_limit_error", headers={"retry-after": "1"})
        api.turn(ASK)
        await rests_then_resumes(db, redis, planned, tmp_path, api, claude(api), at_least=20, reason="Claude is busy")


async def test_an_overload_in_the_middle_of_a_stream_rests_and_resumes(db, redis, planned, tmp_path):
    with FakeMessagesAPI() as api:
        api.turn(("tool_use", "bash", {"command": "echo started"}))
        api.broken_stream("overloaded_error")
        api.turn(ASK)
        llm = claude(api, overloaded_retries=0)
        await rests_then_resumes(db, redis, planned, tmp_path, api, llm, at_least=60, reason="overloaded")


async def test_a_stalled_stream_is_given_up_and_the_run_rests(db, redis, planned, tmp_path):
    with FakeMessagesAPI() as api:
        api.turn(("tool_use", "bash", {"command": "echo started"}))
        api.stall(5)
        api.turn(ASK)
        llm = claude(api)
        llm.client = llm.client.with_options(timeout=anthropic.Timeout(1.0), max_retries=0)  # idle for 1 s: stalled
        await rests_then_resumes(db, redis, planned, tmp_path, api, llm, at_least=60, reason="went quiet")


async def test_an_accounts_spend_limit_rests_until_the_date_it_names_and_says_so(db, redis, planned, tmp_path):
    named = datetime.combine(utcnow().date() + timedelta(days=10), datetime.min.time(), tzinfo=UTC)
    with FakeMessagesAPI() as api:
        api.turn(("tool_use", "bash", {"command": "echo started"}))
        for _ in range(3):
            api.error(429, "rate_limit_error", "You have reached your specified workspace API usage limits. "
                      f"You will regain access on {named:%Y-%m-%d} at 00:00 UTC.", headers={"retry-after": "1"})
        api.turn(ASK)
        until = (named - utcnow()).total_seconds()  # the date the error names
        await rests_then_resumes(db, redis, planned, tmp_path, api, claude(api), at_least=until - 5,
                                 at_most=until + 5, reason="spending limit")


async def test_a_refused_key_still_fails_at_once(db, redis, planned, tmp_path):
    user, project = planned
    with FakeMessagesAPI() as api:
        api.error(401, "authentication_error", "invalid x-api-key")
        queue = Queue()
        deps = deps_for(db, redis, claude(api), tmp_path, utcnow, queue)
        run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
        assert await build_slice(deps, run_id) == "failed"
