"""The offline co-founder answers the journey's tools by rules, through the LLM protocol."""

from agent import brief, interview, plan
from agent.offline import OfflineCoFounder
from agent.services.llm import force_tool


async def test_it_asks_the_first_question_then_drafts_and_plans():
    llm = OfflineCoFounder()
    idea = interview.facts("Walkies", "A marketplace for dog walkers.", "Dog owners")
    chunks = []

    async def on_delta(kind, chunk):
        chunks.append((kind, chunk))

    turn = await llm.turn(system=interview.SYSTEM, messages=[{"role": "user", "content": interview.prompt(idea, [])}],
                          tools=[interview.NEXT_QUESTION_TOOL], tool_choice=force_tool("next_question"), on_delta=on_delta)
    asked = turn.tool_input("next_question")
    assert turn.stop_reason == "tool_use" and asked["key"] == "problem" and not asked["done"]
    assert chunks and all(kind == "tool_input" for kind, _ in chunks)
    assert turn.usage.input_tokens > 0 and turn.model == "offline"

    turn = await llm.turn(system=brief.SYSTEM, messages=[{"role": "user", "content": brief.prompt(idea, [])}],
                          tools=[brief.WRITE_BRIEF_TOOL], tool_choice=force_tool("write_brief"))
    drafted = brief.normalise(turn.tool_input("write_brief"))
    turn = await llm.turn(system=plan.SYSTEM, messages=[{"role": "user", "content": plan.prompt(drafted)}],
                          tools=[plan.WRITE_PLAN_TOOL], tool_choice=force_tool("write_plan"))
    assert plan.normalise(turn.tool_input("write_plan")["phases"], "offline")[0]["title"] == "Foundation"


async def test_without_a_tool_it_says_what_it_is():
    turn = await OfflineCoFounder().turn(system="", messages=[{"role": "user", "content": "Hello?"}])
    assert "offline co-founder" in turn.text and "connect Claude" in turn.text and turn.stop_reason == "end_turn"
