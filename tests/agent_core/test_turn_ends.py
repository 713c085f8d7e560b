"""How real models end their turns, played against the loop on a real local sandbox: a final reply
with work left is nudged and then asked about, a question goes to the founder through ask_founder, a
call cut at max_tokens is never run, a refusal is never replayed, a full context window is compacted."""

from agent import events as ev
from agent import tools
from agent.loop import LoopState, run_loop
from agent.services.confinement import UNCONFINED
from agent.services.llm import TextBlock, ToolUse, Turn, Usage
from agent.services.local_sandbox import LocalSandbox
from tests.agent_core.test_loop import Recorder, start


class Played:
    """A model that plays whole turns (content blocks and a stop reason)."""

    label, model, offline = "played", "claude-sonnet-4-5", False

    def __init__(self, *turns):
        self.turns, self.requests = list(turns), []

    async def turn(self, *, system, messages, tools=(), tool_choice=None, max_tokens=4096, on_delta=None):
        self.requests.append([dict(m) for m in messages])
        content, stop = self.turns.pop(0) if self.turns else ((TextBlock("Done."),), "end_turn")
        return Turn(content=tuple(content), stop_reason=stop, model=self.model, usage=Usage(input_tokens=10, output_tokens=5))


def use(name, n=0, **arguments):
    return ToolUse(id=f"{name}-{n}", name=name, input=arguments)


def with_plan(tmp_path, pending):
    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))

    async def left():
        return list(pending)

    rec.context.pending_phases = left
    return rec


async def test_a_final_reply_with_phases_left_is_nudged_then_the_founder_is_asked(tmp_path):
    rec = with_plan(tmp_path, ["2. Log harvests", "3. Messages"])
    model = Played(((TextBlock("Phase 1 is done. Shall I go on with the next phase?"),), "end_turn"),
                   ((TextBlock("Shall I go on?"),), "end_turn"), ((TextBlock("Shall I go on?"),), "end_turn"))
    outcome = await run_loop(llm=model, system="s", state=start(), **rec.kwargs())
    assert outcome.status == "escalated" and outcome.reason == "stuck" and len(model.requests) == 3
    nudge = model.requests[1][-1]["content"][0]["text"]
    assert "these phases are not done: 2. Log harvests, 3. Messages" in nudge and "ask_founder" in nudge
    assert "the app is not running" in nudge
    assert [m["role"] for m in model.requests[2]] == ["user", "assistant", "user", "assistant", "user"]


async def test_going_on_after_a_nudge_resets_it_and_a_finished_plan_ends_the_run(tmp_path):
    pending = ["2. Log harvests"]
    rec = with_plan(tmp_path, pending)
    model = Played(((TextBlock("Shall I go on?"),), "end_turn"),
                   ((use("bash", command="echo working"),), "tool_use"),
                   ((TextBlock("Shall I go on?"),), "end_turn"),
                   ((use("bash", 1, command="echo more"),), "tool_use"))
    await rec.context.sandbox.start_server("python3 -m http.server 8123 --bind 127.0.0.1", port=8123)
    outcome = await run_loop(llm=model, system="s", state=start(), **rec.kwargs())
    assert outcome.status == "escalated" and len(model.requests) == 7  # two nudges after the reset, then asked
    pending.clear()
    done = await run_loop(llm=Played(), system="s", state=start(), **rec.kwargs())
    assert done.status == "done"  # nothing left and the app running: the final reply is accepted
    await rec.context.sandbox.close()


async def test_a_question_goes_to_the_founder_with_its_options(tmp_path):
    rec = with_plan(tmp_path, ["1. Foundation"])
    ask = use("ask_founder", question="Should harvests be shared with the whole allotment, or only the plot?",
              options=["Whole allotment", "Only the plot"], recommendation="Only the plot")
    model = Played(((TextBlock("One decision first."), ask, use("bash", command="echo never")), "tool_use"))
    outcome = await run_loop(llm=model, system="s", state=start(), **rec.kwargs())
    assert outcome.status == "escalated" and outcome.reason == "question"
    assert outcome.detail["problem"].startswith("Should harvests be shared")
    assert outcome.detail["options"] == ["Whole allotment", "Only the plot"]
    assert outcome.detail["recommendation"] == "Only the plot"
    saved = rec.saved[-1].messages[-1]["content"]
    assert saved[0]["content"].startswith("Your question is with the founder")
    assert saved[1]["content"] == "Not run: waiting for the founder's answer"  # every call has its result
    empty = await tools.dispatch(rec.context, "ask_founder", {"question": "  "})
    assert empty.is_error and "empty" in empty.content


async def test_a_call_cut_at_max_tokens_is_never_run(tmp_path):
    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))  # no plan to hold it to
    cut = use("write_file", path="app/main.py", content="from flask import Fl")  # the rest never came
    model = Played(((use("bash", command="echo first"), cut), "max_tokens"),
                   ((TextBlock("Here is the whole file in parts: first"),), "max_tokens"))
    outcome = await run_loop(llm=model, system="s", state=start(), **rec.kwargs())
    results = model.requests[1][-1]["content"]
    assert not results[0]["is_error"] and "first" in results[0]["content"]
    assert results[1]["is_error"] and "append: true" in results[1]["content"]
    assert "app/main.py" not in await rec.context.sandbox.list_files()
    assert "cut off at the output limit" in model.requests[2][-1]["content"][-1]["text"]
    assert outcome.status == "done"  # after the cut text it went on, and then ended with nothing left


async def test_a_refusal_is_never_replayed_and_asks_the_founder(tmp_path):
    rec = with_plan(tmp_path, ["1. Foundation"])
    model = Played(((TextBlock("I can't help with that."),), "refusal"))
    state = start()
    outcome = await run_loop(llm=model, system="s", state=state, **rec.kwargs())
    assert outcome.status == "escalated" and outcome.reason == "refusal"
    assert [m["role"] for m in state.messages] == ["user"]  # the refused turn is not in the conversation


async def test_a_full_context_window_is_condensed_and_the_build_goes_on(tmp_path):
    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))
    long = [{"role": "user", "content": "Please build the MVP now, following the plan."}]
    for n in range(6):
        long += [{"role": "assistant", "content": [{"type": "tool_use", "id": f"t{n}", "name": "bash",
                                                   "input": {"command": f"echo {n}"}}]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"t{n}", "content": "x" * 500}]}]
    model = Played(((TextBlock("partial"),), "model_context_window_exceeded"))
    outcome = await run_loop(llm=model, system="s", state=LoopState(messages=long), **rec.kwargs())
    assert outcome.status == "done" and len(model.requests) == 2
    condensed = model.requests[1][0]["content"]  # the opening now carries the notes on the build so far
    assert isinstance(condensed, list) and len(condensed) == 2 and "partial" not in str(model.requests[1])
    assert any(isinstance(e, ev.Narration) and "condensed my notes" in e.text for e in rec.events)
