"""The end-to-end proof of the real co-founder's path: a scripted Claude, through the real Anthropic
SDK and the local fake Messages API, builds a real app on the generated apps' stack in a confined
local sandbox (tests/support/scripted_claude.py): its tests pass, it starts, http_check and app_logs
see it, screenshots come back to the model as pictures, the guides are written, every phase is done,
the run succeeds, and the app answers over the preview's own route."""

import json

import pytest

from agent import appstack, store
from agent import events as ev
from agent import journey_store as js
from agent.build_control import BuildControls
from agent.build_job import BuildDeps, build_slice
from agent.loop import LoopLimits
from agent.models import utcnow
from agent.services import app_http
from agent.services.local_sandbox import LocalSandbox
from agent.services.screenshots import ChromiumScreenshots, chromium_path
from agent.services.storage import LocalStorage
from tests.agent_core.conftest import Queue
from tests.services.test_llm_claude import claude
from tests.support import scripted_claude
from tests.support.fake_messages_api import FakeMessagesAPI

pytestmark = pytest.mark.skipif(chromium_path() is None or not appstack.installed(),
                                reason="needs Chromium and the generated apps' stack (make test installs both)")


async def test_a_scripted_claude_builds_a_working_app_on_the_stack(db, redis, planned, tmp_path):
    user, project = planned
    with db.session() as s:
        phases = len(js.plan_phases(s, project_id=project.id))
    shots, queue, boxes = ChromiumScreenshots(), Queue(), []

    async def open_sandbox(workspace, _sandbox_id):
        boxes.append(LocalSandbox(workspace))  # confined: bubblewrap, no network, the stack read-only
        return boxes[-1]

    with FakeMessagesAPI() as api:
        scripted_claude.script(api, phases)
        deps = BuildDeps(db=db, redis=redis, storage=LocalStorage(tmp_path / "files"), llm=claude(api),
                         capture=shots.capture, enqueue=queue, open_sandbox=open_sandbox, workspaces_root=tmp_path,
                         worker_id="test", limits=LoopLimits(slice_steps=200), clock=utcnow)
        run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
        try:
            assert await build_slice(deps, run_id) == "succeeded"
            with db.session() as s:
                events = store.events_between(s, run_id=run_id, after_seq=0, newest=10_000)
                done = [p.status for p in js.plan_phases(s, project_id=project.id)]
                docs = js.latest(s, project_id=project.id, kind="docs").content
            preview = next(e.payload for e in events if e.type == ev.PreviewReady.type)
            async with app_http.client(preview["url"]) as app:  # the route the founder's preview takes
                home = await app.get("/")
            bodies = [r["body"] for r in api.requests]
        finally:
            for box in boxes:
                await box.close()
            await shots.close()

    assert done == ["done"] * phases and set(docs) == set(scripted_claude.GUIDES)
    assert home.status_code == 200 and "Book a walk" in home.text and "width=device-width" in home.text
    logs = [e.payload for e in events if e.type == ev.LogOutput.type]
    assert logs and all(log["status"] == "exit code 0" and "3 passed" in log["text"] for log in logs)
    shots_taken = [e.payload["name"] for e in events if e.type == ev.ScreenshotTaken.type]
    assert shots_taken == ["Home page", "Home on a phone"]

    def results(n):  # the tool results the model got back in request n
        return [b for b in bodies[n]["messages"][-1]["content"] if b.get("type") == "tool_result"]

    checked = next(i for i, b in enumerate(bodies) if "-> 200 OK" in json.dumps(b["messages"][-1]))
    first, booked, output = results(checked)
    assert first["content"].startswith("GET / -> 200 OK") and "No walks booked yet." in first["content"]
    assert booked["content"].startswith("POST /walks -> 303 SEE OTHER") and "location: /" in booked["content"]
    assert "POST /walks" in output["content"]  # the server's own request log, read with app_logs
    seen = results(checked + 1)
    pictures = [part for r in seen for part in r["content"] if isinstance(part, dict) and part.get("type") == "image"]
    assert len(pictures) == 2 and all(p["source"]["media_type"] == "image/jpeg" for p in pictures)
    assert all(r.get("cache_control") is None for r in bodies[0]["tools"][:-1])  # one breakpoint, on the last tool
    assert bodies[-1]["max_tokens"] >= 32_000
