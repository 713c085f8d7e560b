"""A lost workspace is restored (issue 15): the workspace folder deleted in the middle of a slice is
restored from the newest snapshot at the first call that fails for want of it; the agent is told to
what point, the failure is not counted against its approach, the build goes on, and nothing the founder
sees names a host path."""

import json
import shutil
from pathlib import Path

from agent import events as ev
from agent import store
from agent.build_control import BuildControls
from agent.build_job import build_slice
from agent.models import Project
from agent.project_setup import workspace_path
from agent.services.local_sandbox import LocalSandbox
from agent.services.sandbox_limits import unmount_quota
from tests.agent_core.conftest import Queue
from tests.agent_core.test_loop import Scripted
from tests.reliability.conftest import deps_for


def workspace_of(db, project_id, root):
    with db.session() as s:
        return s.get(Project, project_id).workspace_dir or str(workspace_path(root, project_id))


def events_of(db, run_id):
    with db.session() as s:
        return store.events_between(s, run_id=run_id, after_seq=0, newest=1000)


async def test_a_workspace_deleted_mid_slice_is_restored_from_the_newest_snapshot(db, redis, planned, tmp_path):
    """Emptied, then written to again (so it is not empty when a call fails for want of its files):
    what the snapshot had and the workspace lacks comes back, what was written since is kept."""
    _, project = planned
    lost = {}

    def delete_the_workspace(_system, _messages):  # emptied: a workspace on its own mount cannot be removed
        lost["path"] = workspace_of(db, project.id, tmp_path)
        for child in Path(lost["path"]).iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        return [("write_file", {"path": "notes.md", "content": "written after the loss\n"})]

    model = Scripted([[("plan", {"action": "start", "phase": 1})],
                      [("bash", {"command": "echo 'print(\"walkies\")' > app.py && python3 -m pytest --version"})],
                      [("plan", {"action": "complete", "phase": 1})],  # the snapshot: app.py
                      [("plan", {"action": "start", "phase": 2})],
                      [("write_file", {"path": "later.py", "content": "x = 1\n"})],
                      delete_the_workspace,
                      [("bash", {"command": "python3 app.py"})],  # fails: app.py is gone
                      [("bash", {"command": "python3 app.py && cat notes.md"})],
                      [("ask_founder", {"question": "Phase 2 next?"})]])
    queue, boxes = Queue(), []

    async def confined(workspace, _sandbox_id):  # as in production: confined, on a quota mount of its own
        boxes.append(LocalSandbox(workspace, sockets=tmp_path / "sockets", quota=True))
        return boxes[-1]

    deps = deps_for(db, redis, model, tmp_path, queue)
    deps.open_sandbox = confined
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    try:
        assert await build_slice(deps, run_id) == "needs_input"
    finally:
        for box in boxes:
            await box.close()
            unmount_quota(box.workspace)

    failed_call, again = model.requests[7][-1]["content"][0], model.requests[8][-1]["content"][0]
    assert failed_call["is_error"] and "restored from the snapshot of the end of phase 1: Foundation" in failed_call["content"]
    assert "Anything written after that point and not in the workspace now is gone" in failed_call["content"]
    assert "attempt 1 of 3" not in failed_call["content"]  # not a failed approach of the agent's
    assert not again["is_error"] and "walkies" in again["content"] and "written after the loss" in again["content"]
    rows = events_of(db, run_id)
    said = [r.payload["text"] for r in rows if r.type == ev.Narration.type]
    assert "The build's workspace was lost; I restored it from the end of phase 1: Foundation" in " ".join(said)
    assert not any(r.type == ev.FixAttempt.type for r in rows)
    shown = json.dumps([r.payload for r in rows])
    assert lost["path"] not in shown and str(tmp_path) not in shown  # no host path reaches the founder


async def test_a_workspace_lost_before_any_snapshot_starts_again_empty_and_says_so(db, redis, planned, tmp_path):
    _, project = planned

    def delete_the_workspace(_system, _messages):
        shutil.rmtree(workspace_of(db, project.id, tmp_path))
        return [("bash", {"command": "ls"})]

    model = Scripted([[("write_file", {"path": "app.py", "content": "print(1)\n"})],
                      delete_the_workspace,
                      [("write_file", {"path": "app.py", "content": "print(2)\n"})],
                      [("ask_founder", {"question": "Go on?"})]])
    queue = Queue()
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    assert await build_slice(deps_for(db, redis, model, tmp_path, queue), run_id) == "needs_input"
    failed_call, rewritten = model.requests[2][-1]["content"][0], model.requests[3][-1]["content"][0]
    assert "no snapshot had been saved yet" in failed_call["content"]
    assert not rewritten["is_error"]  # the workspace is there again to write into
    said = " ".join(r.payload["text"] for r in events_of(db, run_id) if r.type == ev.Narration.type)
    assert "lost before any copy of it was saved" in said


async def test_an_ordinary_failure_in_a_new_empty_workspace_is_not_a_lost_workspace(db, redis, planned, tmp_path):
    _, project = planned
    model = Scripted([[("bash", {"command": "cat missing.txt"})], [("ask_founder", {"question": "Go on?"})]])
    queue = Queue()
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    assert await build_slice(deps_for(db, redis, model, tmp_path, queue), run_id) == "needs_input"
    result = model.requests[1][-1]["content"][0]["content"]
    assert "workspace was lost" not in result and "attempt 1 of 3" in result  # self-healing as usual
