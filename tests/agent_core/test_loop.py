"""The TAOR loop with scripted models and a real local sandbox."""


import pytest

from agent import brief as brief_rules
from agent import build, plan, tools
from agent import events as ev
from agent import interview as iv
from agent.loop import LoopLimits, LoopState, run_loop
from agent.offline_builder import OfflineBuilder
from agent.services.llm import TextBlock, ToolUse, Turn, Usage
from agent.services import app_http
from agent.services.confinement import UNCONFINED
from agent.services.local_sandbox import LocalSandbox
from agent.services.sandbox import free_port
from agent.services.screenshots import ChromiumScreenshots, chromium_path


class Recorder:
    """The loop's collaborators, recording what happened."""

    def __init__(self, sandbox, capture=None):
        self.events, self.saved, self.docs, self.shots, self.turns = [], [], {}, {}, []
        self.phases = {1: "Foundation"}
        self.pause_after: int | None = None

        async def emit(event):
            self.events.append(event)

        async def save_doc(kind, text):
            self.docs[kind] = text

        async def save_shot(name, png):
            self.shots[name] = png
            return f"shots/{name}.png"

        async def move_phase(number, status):
            if number not in self.phases:
                raise LookupError(number)
            return self.phases[number]

        async def no_capture(*_):
            raise RuntimeError("no browser in this test")

        self.context = tools.ToolContext(sandbox=sandbox, emit=emit, save_doc=save_doc, save_screenshot=save_shot,
                                         capture=capture or no_capture, move_phase=move_phase)
        self.emit = emit

    async def save(self, state):
        self.saved.append(LoopState.from_json(state.to_json()))

    async def should_pause(self):
        return self.pause_after is not None and len(self.saved) >= self.pause_after

    async def on_turn(self, turn):
        self.turns.append(turn)

    def kwargs(self, **extra):
        return {"context": self.context, "emit": self.emit, "save": self.save, "should_pause": self.should_pause,
                "on_turn": self.on_turn, **extra}


class Scripted:
    """A model that plays fixed turns (each a list of (tool, args)), then ends."""

    label, model, offline = "scripted", "claude-sonnet-4-5", False

    def __init__(self, turns):
        self.turns, self.requests = list(turns), []

    async def turn(self, *, system, messages, tools=(), tool_choice=None, max_tokens=4096, on_delta=None):
        self.requests.append([dict(m) for m in messages])
        if not self.turns:
            return Turn(content=(TextBlock("All done."),), stop_reason="end_turn", model=self.model,
                        usage=Usage(input_tokens=10, output_tokens=2))
        calls = self.turns.pop(0)
        if callable(calls):  # a turn that reads the conversation (the port in the build prompt, say)
            calls = calls(system, messages)
        blocks = tuple(ToolUse(id=f"t{len(self.requests)}_{i}", name=n, input=a) for i, (n, a) in enumerate(calls))
        return Turn(content=blocks, stop_reason="tool_use", model=self.model, usage=Usage(input_tokens=10, output_tokens=5))


def start(messages=None):
    return LoopState(messages=messages or [build.FIRST_MESSAGE])


async def test_tool_results_go_back_to_the_model_and_errors_are_values(tmp_path):
    box = LocalSandbox(tmp_path / "ws", confinement=UNCONFINED)
    rec = Recorder(box)
    model = Scripted([[("write_file", {"path": "a.txt", "content": "hello\nworld\n"})],
                      [("edit_file", {"path": "a.txt", "old": "missing", "new": "x"})],
                      [("read_file", {"path": "../escape"}), ("bash", {"command": "cat a.txt"})]])
    outcome = await run_loop(llm=model, system="build", state=start(), **rec.kwargs())
    assert outcome.status == "done" and outcome.reason == "All done."
    last = model.requests[-1][-1]["content"]
    assert last[0]["is_error"] and "climbs out" in last[0]["content"]
    assert not last[1]["is_error"] and "hello" in last[1]["content"]
    assert "was not found" in model.requests[2][-1]["content"][0]["content"]
    labels = [e.label for e in rec.events if isinstance(e, ev.ToolUsed)]
    assert labels[0] == "Wrote 2 lines to a.txt" and labels[1] == "Could not edit a.txt"
    assert len(rec.saved) == 4 and rec.saved[-1].done and rec.saved[-1].tool_calls == 4


async def test_the_iteration_cap_stops_with_an_escalation(tmp_path):
    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))
    model = Scripted([[("bash", {"command": f"echo {i}"})] for i in range(20)])
    outcome = await run_loop(llm=model, system="s", state=start(), limits=LoopLimits(max_tool_calls=5), **rec.kwargs())
    assert outcome.status == "escalated" and outcome.reason == "iteration limit reached"
    assert rec.saved[-1].tool_calls == 5
    assert rec.saved[-1].messages[-1]["content"][0]["content"] == "Not run: iteration limit reached"


async def test_the_same_call_three_times_halts_with_its_signature(tmp_path):
    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))
    same = ("bash", {"command": "false"})
    model = Scripted([[same], [("bash", {"command": "ls"})], [same], [same], [same]])
    outcome = await run_loop(llm=model, system="s", state=start(), **rec.kwargs())
    assert outcome.status == "escalated" and outcome.reason == "repetition"
    assert outcome.detail["signature"].startswith("bash:")
    assert rec.saved[-1].tool_calls == 4  # the third "false" ran: the same result, nothing changed in between


async def test_running_the_same_tests_after_each_fix_is_work_not_a_loop(tmp_path):
    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))
    tests = ("bash", {"command": "python3 check.py"})
    fixes = [("write_file", {"path": "check.py", "content": f"import sys\nsys.exit({code})\n"}) for code in (3, 2, 1, 0)]
    model = Scripted([[fixes[0]], [tests], [fixes[1]], [tests], [fixes[2]], [tests], [fixes[3]], [tests], [tests]])
    outcome = await run_loop(llm=model, system="s", state=start(), **rec.kwargs())
    assert outcome.status == "done" and rec.saved[-1].tool_calls == 9
    same = Scripted([[fixes[0]], [tests], [fixes[0]], [tests], [tests]])  # the same file again changes nothing
    outcome = await run_loop(llm=same, system="s", state=start(), **Recorder(rec.context.sandbox).kwargs())
    assert outcome.status == "escalated" and outcome.reason == "repetition" and outcome.detail["label"].startswith("Ran")


async def test_long_results_are_cut_once_and_history_is_never_rewritten(tmp_path):
    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))
    model = Scripted([[("bash", {"command": "seq 1 20000"})], [("bash", {"command": "echo small"})],
                      [("bash", {"command": "echo again"})]])
    await run_loop(llm=model, system="s", state=start(), **rec.kwargs())
    first_result = model.requests[1][-1]["content"][0]["content"]
    assert "lines omitted]" in first_result and first_result.endswith("20000\n")
    for earlier, later in zip(model.requests, model.requests[1:]):
        assert later[: len(earlier)] == earlier  # each request extends the previous one


async def test_a_pause_and_a_slice_end_stop_between_steps(tmp_path):
    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))
    model = Scripted([[("bash", {"command": f"echo {i}"})] for i in range(6)])
    rec.pause_after = 2
    assert (await run_loop(llm=model, system="s", state=start(), **rec.kwargs())).status == "paused"
    rec.pause_after = None
    state = rec.saved[-1]
    outcome = await run_loop(llm=model, system="s", state=state, limits=LoopLimits(slice_steps=2), **rec.kwargs())
    assert outcome.status == "slice_end" and rec.saved[-1].step == 4


@pytest.mark.skipif(chromium_path() is None, reason="Chromium is needed for the screenshots")
async def test_the_offline_builder_builds_a_running_tested_app(tmp_path):
    idea = iv.facts("Walkies", "A marketplace connecting busy dog owners with local walkers.", "Dog owners")
    brief = brief_rules.draft_offline(idea, [])
    phases = plan.normalise(plan.phases_offline(brief), "claude-sonnet-4-5")
    port = free_port()
    shots = ChromiumScreenshots()
    box = LocalSandbox(tmp_path / "ws")
    rec = Recorder(box, capture=shots.capture)
    rec.phases = {i + 1: p["title"] for i, p in enumerate(phases)}
    system = build.system_prompt(brief=brief, answers=[], phases=phases, port=port)
    try:
        outcome = await run_loop(llm=OfflineBuilder(), system=system, state=start(),
                                 limits=LoopLimits(slice_steps=100), **rec.kwargs())
        assert outcome.status == "done"
        async with app_http.client(await box.preview_url()) as app:
            home = (await app.get("/")).text
            assert "Walkies" in home and "Search and filter" in home
            page = (await app.get("/p/search-and-filter")).text
        assert "Example" in page and "Sample " not in page  # the examples are there; the tests left no data
    finally:
        await box.close()
        await shots.close()
    failures = [e for e in rec.events if isinstance(e, ev.ToolUsed) and not e.ok]
    assert failures == []
    tests_ran = [e for e in rec.events if isinstance(e, ev.ToolUsed) and e.tool == "bash" and "pytest" in e.label]
    assert tests_ran and all(e.ok for e in tests_ran)
    started = [e.number for e in rec.events if isinstance(e, ev.PhaseStarted)]
    finished = [e.number for e in rec.events if isinstance(e, ev.PhaseCompleted)]
    assert started == finished == list(range(1, len(phases) + 1))
    assert set(rec.docs) == set(tools.DOC_KINDS) and len(rec.shots) == len(phases)  # home, each feature, sign-up
    assert all(len(png) > 5000 for png in rec.shots.values())
    assert any(isinstance(e, ev.Narration) for e in rec.events)


async def test_the_loop_with_claude_through_the_real_sdk(tmp_path):
    """The Anthropic path: scripted tool_use turns streamed by the local Messages API fake."""
    from tests.services.test_llm_claude import claude
    from tests.support.fake_messages_api import FakeMessagesAPI

    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))
    with FakeMessagesAPI() as api:
        api.turn(("text", "I'll start with the foundation."), ("tool_use", "plan", {"action": "start", "phase": 1}),
                 ("tool_use", "write_file", {"path": "app.py", "content": "print('ok')\n"}))
        api.turn(("tool_use", "bash", {"command": "python3 app.py"}))
        api.turn(("tool_use", "plan", {"action": "complete", "phase": 1}))
        api.turn(("text", "The foundation is done."))
        outcome = await run_loop(llm=claude(api), system="Build the MVP.", state=start(), **rec.kwargs())
        requests = [r["body"] for r in api.requests]
    assert outcome.status == "done" and outcome.reason == "The foundation is done."
    assert [e.number for e in rec.events if isinstance(e, ev.PhaseCompleted)] == [1]
    second = requests[1]["messages"]
    assert second[1]["role"] == "assistant" and second[1]["content"][1]["name"] == "plan"
    results = second[2]["content"]
    assert [r["type"] for r in results] == ["tool_result", "tool_result"]
    assert "Wrote 1 line to app.py" in results[1]["content"]
    assert "ok" in requests[2]["messages"][-1]["content"][0]["content"]
    assert all(r["tools"][-1]["cache_control"] == {"type": "ephemeral"} for r in requests)
    assert len(rec.turns) == 4 and all(t.usage.cache_read_tokens > 0 for t in rec.turns)
