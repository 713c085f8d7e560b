"""Self-healing: the signature rules (pure), and a build that meets one error three times with three
different approaches, stops to ask, gets the founder's decision and finishes with it in its context
(the real loop, a real sandbox, the real database and Redis; a scripted model)."""

import json

import pytest
from sqlmodel import select

from agent import build_control, build_view, healing, store
from agent import journey_store as js
from agent import run_store as rs
from agent import events as ev
from agent.build_control import BuildControls
from agent.build_job import BuildDeps, build_slice
from agent.journey import JourneyError
from agent.models import ErrorSignature
from agent.services.confinement import UNCONFINED
from agent.services.local_sandbox import LocalSandbox
from agent.services.storage import LocalStorage
from tests.agent_core.conftest import Queue
from tests.agent_core.test_loop import Scripted
from tests.support.scripted_builds import finishing_turns


def test_the_same_problem_elsewhere_has_the_same_signature():
    a = healing.classify("bash", "Traceback...\n  File \"/ws/app/server.py\", line 12\nModuleNotFoundError: No module named 'stripe'\n[exit code 1]")
    b = healing.classify("bash", "ModuleNotFoundError: No module named 'stripe'\n")
    c = healing.classify("bash", "ModuleNotFoundError: No module named 'flask'\n")
    assert a.signature == b.signature and a.error_type == "ModuleNotFoundError"
    # the module's name is blanked like any quoted name: a missing module is one problem, whichever it is
    assert c.signature == a.signature and "<name>" in healing.normalise("No module named 'flask'")
    port = [healing.classify("bash", f"OSError: [Errno 98] Address already in use: port {p}") for p in (8001, 9002)]
    assert port[0].signature == port[1].signature
    assert healing.classify("bash", "something odd\n").error_type == "bash_failed"


def test_three_different_approaches_then_ask_and_a_verbatim_repeat_does_not_count():
    tried, first = healing.decide([], "k1", "Ran “pip install stripe”", "ModuleNotFoundError", "sig")
    assert (first.attempt, first.new_approach, first.escalate) == (1, True, False)
    tried, again = healing.decide(tried, "k1", "Ran “pip install stripe”", "ModuleNotFoundError", "sig")
    assert (again.attempt, again.new_approach, again.escalate) == (1, False, False)
    assert "not a new approach" in again.note
    tried, second = healing.decide(tried, "k2", "Edited requirements.txt", "ModuleNotFoundError", "sig")
    assert (second.attempt, second.escalate) == (2, False) and "1) Ran “pip install stripe”" in second.note
    tried, third = healing.decide(tried, "k3", "Ran “pip install --user stripe”", "ModuleNotFoundError", "sig")
    assert (third.attempt, third.escalate) == (3, True)
    # after a sleep or a restart the attempts come back from the database: any new try escalates at once
    _, after_restart = healing.decide(tried, "k4", "Something else", "ModuleNotFoundError", "sig")
    assert after_restart.escalate and len(tried) == 3


def test_the_question_is_plain_english_with_the_attempts_a_recommendation_and_options():
    _, note = healing.decide([{"key": "a", "label": "A"}, {"key": "b", "label": "B"}], "c", "C",
                             "FileNotFoundError: /home/worker/ws/app/data.json sk-ant-abcdefghijklmnop", "s")
    ask = healing.escalation(note, "Payments")
    assert "“Payments”" in ask["problem"] and "3 different tries" in ask["problem"]
    assert "/home/worker" not in ask["problem"] and "sk-ant" not in ask["problem"]
    assert ask["attempts"] == ["A", "B", "C"] and ask["recommendation"] in ask["options"]
    assert 2 <= len(ask["options"]) <= 3


async def test_a_build_escalates_after_three_approaches_and_finishes_with_the_founders_decision(
        db, redis, planned, tmp_path):
    user, project = planned
    queue = Queue()
    controls = BuildControls(db=db, redis=redis, enqueue=queue)
    run_id = await controls.start(project)
    failing = "python3 -c \"import stripe_payments_sdk\""
    model = Scripted([
        [("bash", {"command": failing})],
        [("bash", {"command": failing})],  # verbatim: not a new approach
        [("bash", {"command": "python3 -m pip install --no-index stripe_payments_sdk >/dev/null 2>&1; " + failing})],
        [("bash", {"command": "PYTHONPATH=vendor " + failing})],
    ])
    sandbox = LocalSandbox(tmp_path / "ws", confinement=UNCONFINED)

    async def open_sandbox(_workspace, _sandbox_id):
        return sandbox

    async def no_capture(*_):
        raise RuntimeError("no browser here")

    deps = BuildDeps(db=db, redis=redis, storage=LocalStorage(tmp_path / "files"), llm=model, capture=no_capture,
                     enqueue=queue, open_sandbox=open_sandbox, workspaces_root=tmp_path, worker_id="test")
    assert await build_slice(deps, run_id) == "needs_input"
    assert len(model.requests) == 4  # no model call (no spend) after the third approach failed

    with db.session() as s:
        events = store.events_between(s, run_id=run_id, after_seq=0)
        fixes = [e.payload["attempt"] for e in events if e.type == ev.FixAttempt.type]
        assert fixes == [1, 2]  # the repeat showed no new attempt; the third failure stopped to ask
        row = s.exec(select(ErrorSignature).where(ErrorSignature.run_id == run_id)).one()
        assert row.error_type == "ModuleNotFoundError" and row.attempts == 3 and row.escalated
        view = build_view.read(s, project_id=project.id, user_id=user.id)
        assert view["card"].kind == "needs_input" and "3 different tries" in view["card"].detail
        assert len(view["question"]["attempts"]) == 3 and view["question"]["options"]
        # the ledger: the three model calls made while fixing it are booked to its signature
        spent = rs.healing_costs(s, run_id=run_id)
        assert [(c["signature"], c["calls"]) for c in spent] == [(row.signature, 3)] and spent[0]["cost_micros"] > 0
        assert view["healing_cost"] == "Fixing 1 problem cost <$0.01 of this build"
    # the model was told what it had tried, and that a verbatim repeat does not count
    assert "is attempt 1 of 3" in json.dumps(model.requests[1][-1])
    assert "not a new approach" in json.dumps(model.requests[2][-1])

    with pytest.raises(JourneyError, match="Pick one of the options"):
        await controls.answer(project, "   ")
    with db.session() as s:
        project = s.get(type(project), project.id)
    await controls.answer(project, "Skip payments for now and carry on with the rest")
    with db.session() as s:
        model.turns += finishing_turns(len(js.plan_phases(s, project_id=project.id)))
    while (status := await build_slice(deps, run_id)) == "continued":
        pass
    assert status == "succeeded"
    after = len(model.requests) - len(finishing_turns(0)) - 3 * len(js_phases(db, project)) - 1
    decision = json.dumps(model.requests[after][-1])
    assert "The founder answered your question: Skip payments for now" in decision
    with db.session() as s:
        assert store.get_run(s, run_id=run_id).status == "succeeded"
        assert build_control.latest_build(s, project_id=project.id).id == run_id
        row = s.exec(select(ErrorSignature).where(ErrorSignature.run_id == run_id)).one()
        assert row.attempts == 0 and not row.escalated  # the founder's decision gives it a fresh start
    await sandbox.close()


def js_phases(db, project):
    with db.session() as s:
        return js.plan_phases(s, project_id=project.id)


async def test_lookups_that_find_nothing_are_exploring_not_failing(tmp_path):
    from agent.loop import LoopState, run_loop
    from tests.agent_core.test_loop import Recorder

    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))
    noted = []

    async def on_failure(tool, arguments, output, workspace=0):
        noted.append(tool)
        return None

    rec.context.on_failure = on_failure
    model = Scripted([[("read_file", {"path": f"missing{i}.py"})] for i in range(4)]
                     + [[("bash", {"command": "exit 3"})]])
    outcome = await run_loop(llm=model, system="", state=LoopState(messages=[{"role": "user", "content": "go"}]),
                             **rec.kwargs())
    assert outcome.status == "done" and noted == ["bash"]  # four missing files never counted, the failed command did
