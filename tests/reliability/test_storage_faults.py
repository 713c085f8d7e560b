"""Storage is best-effort, with the truth told (issue 15): with object storage answering 503 to
everything (a real HTTP peer, the real S3 adapter and boto3), a build's screenshot, guide and
phase snapshot uploads fail, and the build goes on: the model is told the screenshot was not
stored, the guide is kept in the database, and nothing claims a screenshot exists."""

import boto3
from botocore.config import Config

from agent import events as ev
from agent import journey_store as js
from agent import store
from agent.build_control import BuildControls
from agent.build_job import build_slice
from agent.services.s3_storage import S3Storage
from tests.agent_core.conftest import Queue
from tests.agent_core.test_loop import Scripted
from tests.reliability.conftest import deps_for
from tests.support.scripted_builds import port_of
from tests.support.servers import UnavailableStore

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 8_000


async def test_a_store_answering_503_never_fails_the_build(db, redis, planned, tmp_path):
    _, project = planned
    store_down = UnavailableStore()
    client = boto3.client("s3", endpoint_url=store_down.url, region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="y", config=Config(retries={"max_attempts": 2, "mode": "standard"},
                                                                   connect_timeout=2, read_timeout=5))
    queue = Queue()
    model = Scripted([
        lambda system, _m: [("start_app", {"command": f"python3 -m http.server {port_of(system)} --bind 127.0.0.1",
                                           "port": port_of(system)})],
        [("take_screenshot", {"path": "/", "name": "Home page"})],
        [("document", {"kind": "overview", "content": "# Walkies\n\nBook a walker in two taps."})],
        [("plan", {"action": "start", "phase": 1})],
        [("plan", {"action": "complete", "phase": 1})],  # refused: the screenshot was not kept, nothing checked it
        [("ask_founder", {"question": "The screenshots could not be stored. Go on without them?"})],
    ])
    deps = deps_for(db, redis, model, tmp_path, queue)
    deps.storage = S3Storage(client, "cofounder")

    async def capture(_address, _path, **_kwargs):
        return PNG

    deps.capture = capture
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    try:
        assert await build_slice(deps, run_id) == "needs_input"  # it went on to its own question
    finally:
        store_down.stop()
    told = [m for r in model.requests for m in r if m["role"] == "user" and isinstance(m["content"], list)]
    results = " ".join(str(b.get("content")) for m in told for b in m["content"] if b.get("type") == "tool_result")
    assert "could not be stored" in results and store_down.requests >= 2
    with db.session() as s:
        events = store.events_between(s, run_id=run_id, after_seq=0, newest=1000)
        guide = js.latest(s, project_id=project.id, kind="docs")
    assert not any(e.type == ev.ScreenshotTaken.type for e in events)  # no gallery entry for a lost image
    assert guide.content["overview"].startswith("# Walkies")  # the guide is kept where it counts
    assert not any(e.type == ev.RunFailed.type for e in events)
