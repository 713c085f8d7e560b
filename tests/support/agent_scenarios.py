"""Trajectories real agents produce, played through the real Anthropic SDK against the local fake
Messages API and a real build slice (loop, tools, local sandbox, database, Redis): each names the
state the run must end in. Shared by tests/agent_core/test_agent_scenarios.py (each once) and
bench/agent_scenarios.py (pass rate and cost per scenario).

A scenario scripts the API (`play`), may answer the founder's question (`answer`), and checks what
the run left behind (`check`, given the requests the model saw and the run's events)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import anthropic

from agent import build_control, pacing, store
from agent import run_store as rs
from agent.build_control import BuildControls
from agent.build_job import BuildDeps, build_slice
from agent.loop import LoopLimits
from agent.models import UsageEntry, utcnow
from agent.services.claude import AnthropicLLM
from agent.services.local_sandbox import LocalSandbox
from agent.services.storage import LocalStorage
from sqlmodel import select
from tests.support.scripted_builds import port_of
from tests.support.fake_messages_api import USAGE, FakeMessagesAPI

ASK = ("tool_use", "ask_founder", {"question": "Should walks be booked by the hour or by the half hour?",
                                   "options": ["By the hour", "By the half hour"], "recommendation": "By the hour"})
FAILING_TEST = "def test_price():\n    from price import price\n    assert price(2) == 30\n"
TESTS = "python3 -m pytest -q"
LONG = "".join(f"def view_{n}():\n    return 'page {n}'\n\n" for n in range(1, 301))  # 900 lines


@dataclass
class Scenario:
    name: str
    play: Callable[[FakeMessagesAPI], None]
    ends: str  # the run's status at the end
    reason: str = ""  # words the founder's question holds at the end
    check: Callable[[list[dict[str, Any]], list[Any], Any], None] = lambda requests, events, sandbox: None
    answer: str = ""  # the founder's answer to a question on the way
    client: dict[str, Any] = field(default_factory=dict)  # options for the SDK client (a short timeout)
    limits: LoopLimits = field(default_factory=LoopLimits)


def _results(requests: list[dict[str, Any]]) -> str:
    return json.dumps([r["body"]["messages"][-1] for r in requests])


def _test_fix_cycles(api):
    api.turn(("tool_use", "write_file", {"path": "test_price.py", "content": FAILING_TEST}))
    for price in ("return n * 10", "return n * 12", "return n * 15"):
        api.turn(("tool_use", "bash", {"command": TESTS}))  # the same command after every fix
        api.turn(("tool_use", "write_file", {"path": "price.py", "content": f"def price(n):\n    {price}\n"}))
    api.turn(("tool_use", "bash", {"command": TESTS}))
    api.turn(ASK)


def _check_test_fix(requests, events, sandbox):
    assert "1 passed" in json.dumps(requests[-1]["body"]["messages"][-1])


def _question_mid_build(api):
    api.turn(("tool_use", "bash", {"command": "echo booking"}))
    api.turn(("text", "One product decision first."), ASK)
    api.turn(("tool_use", "write_file", {"path": "slots.txt", "content": "hourly\n"}))
    api.turn(("tool_use", "ask_founder", {"question": "Is the first neighbourhood Hackney?"}))


def _check_question(requests, events, sandbox):
    assert "The founder answered your question: By the hour" in _results(requests)


def _cut_write(api):
    api.turn(("tool_use", "write_file", {"path": "app.py", "content": "print('par"}), stop_reason="max_tokens")
    api.turn(("tool_use", "write_file", {"path": "app.py", "content": "print('part one')\n"}))
    api.turn(("tool_use", "write_file", {"path": "app.py", "content": "print('part two')\n", "append": True}))
    api.turn(ASK)


async def _check_cut(requests, events, sandbox):
    assert "append: true" in _results(requests[:2])
    assert await sandbox.read_file("app.py") == b"print('part one')\nprint('part two')\n"


def _refusal(api):
    api.turn(("tool_use", "bash", {"command": "echo start"}))
    api.turn(("text", "I can't help with building that."), stop_reason="refusal")


def _rate_limited(api):
    api.turn(("tool_use", "bash", {"command": "echo start"}))
    for _ in range(3):
        api.error(429, "rate_limit_error", headers={"retry-after": "1"})
    api.turn(ASK)


def _overloaded(api):
    api.turn(("tool_use", "bash", {"command": "echo start"}))
    for _ in range(4):  # the adapter's own three retries, and one more
        api.broken_stream("overloaded_error")
    api.turn(ASK)


def _stalled(api):
    api.turn(("tool_use", "bash", {"command": "echo start"}))
    api.stall(3)
    api.turn(ASK)


def _compaction_then_long_edit(api):
    big = {**USAGE, "cache_read_input_tokens": 125_000}  # the context is nearly full
    api.turn(("tool_use", "write_file", {"path": "views.py", "content": LONG}))
    for n in range(8):
        api.turn(("tool_use", "bash", {"command": f"echo step {n}"}), usage=big)
    api.turn(("tool_use", "read_file", {"path": "views.py", "offset": 880, "limit": 20}))
    api.turn(("tool_use", "edit_file", {"path": "views.py", "old_string": "def view_297():\n    return 'page 297'",
                                        "new_string": "def view_297():\n    return 'the walks page'"}))
    api.turn(ASK)


async def _check_compaction(requests, events, sandbox):
    assert any(e.type == "agent.narration" and "condensed my notes" in e.payload["text"] for e in events)
    assert "   889\\tdef view_297():" in _results(requests)
    assert "return 'the walks page'" in (await sandbox.read_file("views.py")).decode()


CRASHING = "import flask_extras_that_do_not_exist\n"
SERVING = ("import http.server, sys\nclass P(http.server.BaseHTTPRequestHandler):\n    def do_GET(self):\n"
           "        self.send_response(200); self.end_headers(); self.wfile.write({page})\n"
           "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), P).serve_forever()\n")



def _start_app_traceback(api):
    api.turn(("tool_use", "write_file", {"path": "server.py", "content": CRASHING}))
    api.turn(lambda body: [("tool_use", "start_app", {"command": f"python3 server.py {port_of(body)}", "port": port_of(body)})])
    api.turn(("tool_use", "write_file", {"path": "server.py", "content": SERVING.format(page="b'<h1>Walkies</h1>'")}))
    api.turn(lambda body: [("tool_use", "start_app", {"command": f"python3 server.py {port_of(body)}", "port": port_of(body)})])
    api.turn(("tool_use", "http_check", {"path": "/"}))
    api.turn(ASK)


def _check_traceback(requests, events, sandbox):
    said = _results(requests)
    assert "ModuleNotFoundError" in said and "flask_extras_that_do_not_exist" in said and "-> 200 OK" in said


def _absolute_links(api):
    page = "b'<a href=\"http://127.0.0.1:8000/walks\">Walks</a>'"
    api.turn(("tool_use", "write_file", {"path": "server.py", "content": SERVING.format(page=page)}))
    api.turn(lambda body: [("tool_use", "start_app", {"command": f"python3 server.py {port_of(body)}", "port": port_of(body)})])
    api.turn(("tool_use", "http_check", {"path": "/"}))
    api.turn(("tool_use", "write_file", {"path": "server.py",
                                         "content": SERVING.format(page="b'<a href=\"/walks\">Walks</a>'")}))
    api.turn(lambda body: [("tool_use", "start_app", {"command": f"python3 server.py {port_of(body)}", "port": port_of(body)})])
    api.turn(("tool_use", "http_check", {"path": "/"}))
    api.turn(ASK)


def _check_links(requests, events, sandbox):
    said = [json.dumps(r["body"]["messages"][-1]) for r in requests]
    warned = [s for s in said if "points at the sandbox's own address" in s]
    assert len(warned) == 1 and "href=\\\\\"/walks\\\\\"" not in warned[0]


def _step_cap(api):
    for n in range(4):  # the cap is 3 calls: the 4th is not run, and the founder is asked
        api.turn(("tool_use", "bash", {"command": f"echo step {n}"}))
    for n in range(4, 6):  # after "carry on": room for as many again (two calls and the question)
        api.turn(("tool_use", "bash", {"command": f"echo step {n}"}))
    api.turn(ASK)


def _check_cap(requests, events, sandbox):
    said = _results(requests)
    assert "Not run: iteration limit reached" in said and "The founder answered your question: Carry on" in said
    assert "echo step 5" in json.dumps(requests[-1]["body"]["messages"])


def _prompt_too_long(api):
    for n in range(8):
        api.turn(("tool_use", "bash", {"command": f"echo step {n}"}))
    api.error(400, "invalid_request_error", "prompt is too long: 215000 tokens > 200000 maximum")
    api.turn(ASK)


def _check_too_long(requests, events, sandbox):
    assert any(e.type == "agent.narration" and "condensed my notes" in e.payload["text"] for e in events)
    assert len(requests[-1]["body"]["messages"]) < len(requests[-2]["body"]["messages"])  # asked again, shorter


def _asks_to_go_on(api):
    for _ in range(3):
        api.turn(("text", "The foundation is in place. Shall I go on with the next phase?"))


SCENARIOS = [
    Scenario("test-fix cycles with the same test command", _test_fix_cycles, "needs_input", "booked by the hour",
             _check_test_fix),
    Scenario("a question mid-build", _question_mid_build, "needs_input", "Hackney", _check_question,
             answer="By the hour"),
    Scenario("a write cut by max_tokens", _cut_write, "needs_input", "booked by the hour", _check_cut),
    Scenario("a refusal", _refusal, "needs_input", "declined"),
    Scenario("429 with retry-after after the SDK's retries", _rate_limited, "needs_input", "booked by the hour"),
    Scenario("an overload in the middle of a stream", _overloaded, "needs_input", "booked by the hour"),
    Scenario("a stalled stream", _stalled, "needs_input", "booked by the hour",
             client={"timeout": anthropic.Timeout(1.0), "max_retries": 0}),
    Scenario("compaction, then an edit of a long file", _compaction_then_long_edit, "needs_input",
             "booked by the hour", _check_compaction),
    Scenario("start_app failing with a traceback", _start_app_traceback, "needs_input", "booked by the hour",
             _check_traceback),
    Scenario("an app with absolute links", _absolute_links, "needs_input", "booked by the hour", _check_links),
    Scenario("the step cap, answered, gives more room", _step_cap, "needs_input", "booked by the hour", _check_cap,
             answer="Carry on: give it more steps", limits=LoopLimits(max_tool_calls=3)),
    Scenario("prompt is too long", _prompt_too_long, "needs_input", "booked by the hour", _check_too_long),
    Scenario("a model that ends its turn to ask", _asks_to_go_on, "needs_input", "stopped before the build was finished"),
]


async def play(scenario: Scenario, *, db, redis, project, tmp_path) -> dict[str, Any]:
    """Runs the scenario to its end (resting and waking as needed); what it ended in, and its cost."""
    clock, queue, boxes = {"now": utcnow()}, _Queue(), []

    async def open_sandbox(workspace, _sandbox_id):
        boxes.append(LocalSandbox(workspace))
        return boxes[-1]

    async def no_capture(*_args, **_kwargs):
        raise RuntimeError("no browser in the scenarios")

    with FakeMessagesAPI() as api:
        scenario.play(api)
        client = anthropic.AsyncAnthropic(api_key="sk-ant-test", base_url=api.url,
                                          **{"timeout": anthropic.Timeout(30.0), "max_retries": 2, **scenario.client})
        llm = AnthropicLLM(client, "claude-sonnet-4-5", backoff_seconds=0.0)
        deps = BuildDeps(db=db, redis=redis, storage=LocalStorage(tmp_path / "files"), llm=llm, capture=no_capture,
                         enqueue=queue, open_sandbox=open_sandbox, workspaces_root=tmp_path, worker_id="scenario",
                         clock=lambda: clock["now"], limits=scenario.limits)
        run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
        status, answered = "", False
        try:
            for _ in range(12):
                status = await build_slice(deps, run_id)
                if status == "sleeping":
                    clock["now"] += timedelta(hours=1, minutes=1)
                    await pacing.wake_due(deps)
                elif status == "needs_input" and scenario.answer and not answered:
                    answered = True
                    controls = build_control.BuildControls(db=db, redis=redis, enqueue=queue)
                    await controls.answer(project, scenario.answer)
                elif status != "continued":
                    break
            with db.session() as s:
                question = rs.open_escalation(s, run_id=run_id)
                events = store.events_between(s, run_id=run_id, after_seq=0, newest=10_000)
                cost = sum(u.cost_micros for u in s.exec(select(UsageEntry).where(UsageEntry.run_id == run_id)))
            checked = scenario.check(api.requests, events, boxes[-1])
            if checked is not None:
                await checked
        finally:
            for box in boxes:
                await box.close()
    return {"status": status, "question": question.problem if question else "", "cost_micros": cost,
            "calls": len(api.requests)}


def holds(scenario: Scenario, result: dict[str, Any]) -> bool:
    return result["status"] == scenario.ends and scenario.reason in result["question"]


class _Queue:
    def __init__(self):
        self.jobs = []

    async def __call__(self, job, run_id, job_id):
        self.jobs.append((job, run_id, job_id))
