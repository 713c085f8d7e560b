"""The journey's jobs with Claude (the real SDK against the local Messages API fake)."""

from sqlmodel import select

from agent import journey_store as js
from agent import store
from agent.journey import Intents
from agent.journey_jobs import draft_brief
from agent.models import UsageEntry
from tests.journey.test_journey_flow import InlineWorker, reload
from tests.services.test_llm_claude import claude
from tests.support.fake_messages_api import FakeMessagesAPI

BRIEF = {"problem": "Owners feel guilty.", "target_users": "Busy owners.", "value_proposition": "Walks in two taps.",
         "differentiation": "Cheaper than Rover.", "monetisation": "15% per walk.",
         "mvp_features": [{"name": "Booking", "description": "Book a walk", "priority": "must"}],
         "risks": [{"text": "Trust", "kind": "risk", "mitigation": "Vetting"}], "success_metrics": ["100 walks a week"]}


async def test_claude_asks_its_own_questions_and_writes_the_brief(db, redis, founder):
    user, project, _ = founder
    worker = InlineWorker(db, redis)
    with FakeMessagesAPI() as api:
        worker.deps.llm = claude(api)
        intents = Intents(db=db, redis=redis, enqueue=worker.enqueue)
        with db.session() as s:
            store.update_project(s, project_id=project.id, status="ready")
        api.turn(("text", "Let me ask about pricing first."),
                 ("tool_use", "next_question", {"done": False, "key": "pricing", "topic": "monetisation",
                                                "question": "Would owners pay per walk or per month?", "why": "Price"}))
        await intents.describe_idea(reload(db, project), name="Walkies", idea="A marketplace for busy dog owners and "
                                    "local walkers.", audience="Dog owners", stage="Just an idea")
        await worker.drain()
        with db.session() as s:
            interview = js.current_interview(s, project_id=project.id)
            pending = js.pending_question(s, interview_id=interview.id)
        assert (pending.question_key, pending.question) == ("pricing", "Would owners pay per walk or per month?")
        first_message = api.requests[0]["body"]["messages"][0]["content"]
        assert "<context>" in "".join(block["text"] for block in first_message)

        with db.session() as s:
            brief_run = store.create_run(s, project_id=project.id, kind="brief")
        api.turn(("tool_use", "write_brief", BRIEF))
        assert await draft_brief(worker.deps, brief_run.id) == "succeeded"
    with db.session() as s:
        saved = js.latest(s, project_id=project.id, kind="brief")
        assert saved.author == "Claude (claude-sonnet-4-5)" and saved.content["problem"] == "Owners feel guilty."
        costs = [u.cost_micros for u in s.exec(select(UsageEntry).where(UsageEntry.user_id == user.id))]
    assert len(costs) == 2 and all(c > 0 for c in costs)  # priced from the table, cache fields included
