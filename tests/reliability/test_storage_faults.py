"""Storage is best-effort, with the truth told (issue 15): with object storage answering 503 to
everything (a real HTTP peer, the real S3 adapter and boto3), a build's screenshot, guide and
phase snapshot uploads fail, and the build goes on: the model is told the screenshot was not
stored, the guide is kept in the database, and nothing claims a screenshot exists."""

import boto3
import pytest
from botocore.config import Config

from agent import events as ev
from agent import journey_store as js
from agent import snapshots, store
from agent.build_control import BuildControls
from agent.build_job import build_slice
from agent.services import s3_storage
from agent.services.s3_storage import S3Storage
from agent.services.storage import StorageError
from tests.agent_core.conftest import Queue
from tests.agent_core.test_loop import Scripted
from tests.reliability.conftest import deps_for
from tests.support.scripted_builds import port_of
from tests.support.servers import MotoServer, SilentStore, UnavailableStore

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


def s3_through(proxy: UnavailableStore, bucket: str) -> S3Storage:
    client = boto3.client("s3", endpoint_url=proxy.url, region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="y", config=Config(retries={"max_attempts": 2, "mode": "standard"},
                                                                   connect_timeout=2, read_timeout=5))
    return S3Storage(client, bucket)


def phase_one_then(*rest):
    """Phase 1 started, checked and completed (its snapshot is taken then), then `rest`."""
    return Scripted([[("plan", {"action": "start", "phase": 1})],
                     [("bash", {"command": "echo 'print(1)' > app.py && python3 -m pytest --version"})],
                     [("plan", {"action": "complete", "phase": 1})], *rest])


def narrations(db, run_id):
    with db.session() as s:
        rows = store.events_between(s, run_id=run_id, after_seq=0, newest=1000)
    return [r.payload["text"] for r in rows if r.type == ev.Narration.type], [r for r in rows if r.type == ev.RunFailed.type]


def breaks(_system, _messages):
    raise RuntimeError("a bug on our side")


async def test_a_snapshot_that_could_not_be_stored_is_taken_again_and_the_founder_told(db, redis, planned, tmp_path,
                                                                                        monkeypatch, unique):
    """The phase's snapshot fails (503), the founder is told what was not saved; once the store answers
    again the snapshot is taken again at the next step, really stored, and the failure that ends the build
    says the work is saved, and as of when."""
    monkeypatch.setattr(snapshots, "RETRY_SECONDS", 0.0)
    monkeypatch.setattr(s3_storage, "BREAK_SECONDS", 0.0)  # asked again at the next step, not 30 s on
    _, project = planned
    moto = MotoServer()
    proxy = UnavailableStore(behind=moto.url)
    boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1", aws_access_key_id="x",
                 aws_secret_access_key="y").create_bucket(Bucket=f"b-{unique}")

    def store_back(_system, _messages):
        proxy.down = False
        return [("bash", {"command": "echo the store answers again"})]

    queue = Queue()
    deps = deps_for(db, redis, phase_one_then(store_back, [("bash", {"command": "echo one more step"})], breaks),
                    tmp_path, queue)
    deps.storage = s3_through(proxy, f"b-{unique}")
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    try:
        assert await build_slice(deps, run_id) == "failed"
        stored = await deps.storage.list(f"{project.files_prefix()}snapshots/run-{run_id}/")
    finally:
        proxy.stop()
        moto.stop()
    said, failed = narrations(db, run_id)
    phase = f"the end of phase 1: {js_first_phase(db, project.id)}"
    assert f"I couldn't save a copy of your work at {phase}: the file store isn't answering." in " ".join(said)
    assert f"Your work is saved again (a copy as of {phase})." in said
    assert any(key.endswith(".tar.gz") for key in stored) and any(key.endswith(".manifest.json") for key in stored)
    assert failed[0].payload["reason"] == f"Something went wrong on our side. Your work is saved (as of {phase})."


async def test_a_build_that_fails_while_nothing_could_be_stored_never_says_the_work_is_saved(db, redis, planned,
                                                                                          tmp_path, monkeypatch):
    monkeypatch.setattr(snapshots, "RETRY_SECONDS", 0.0)
    _, project = planned
    proxy = UnavailableStore()
    queue = Queue()
    deps = deps_for(db, redis, phase_one_then(breaks), tmp_path, queue)
    deps.storage = s3_through(proxy, "cofounder")
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    try:
        assert await build_slice(deps, run_id) == "failed"
    finally:
        proxy.stop()
    said, failed = narrations(db, run_id)
    reason = failed[0].payload["reason"]
    assert "Your work is saved" not in reason and "could not be saved" in reason
    assert sum("I couldn't save a copy of your work" in text for text in said) == 1  # told once, not every retry


def js_first_phase(db, project_id):
    with db.session() as s:
        return js.plan_phases(s, project_id=project_id)[0].title


async def test_a_store_that_never_answers_is_not_asked_again_for_a_while(monkeypatch):
    """The first call waits out its read timeout; the calls after it fail at once (the founder's build
    is not held by every upload) until BREAK_SECONDS have passed, then the store is asked again."""
    silent = SilentStore()
    client = boto3.client("s3", endpoint_url=silent.url, region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="y", config=Config(retries={"max_attempts": 1, "mode": "standard"},
                                                                   connect_timeout=1, read_timeout=1))
    storage = S3Storage(client, "cofounder")
    try:
        with pytest.raises(StorageError):
            await storage.put("shots/0.png", PNG)
        reached = silent.connections
        assert reached >= 1
        for n in range(1, 5):
            with pytest.raises(StorageError, match="not tried"):
                await storage.put(f"shots/{n}.png", PNG)
        assert silent.connections == reached  # the four calls after it were not sent
        monkeypatch.setattr(s3_storage, "BREAK_SECONDS", 0.0)
        storage._down_until = 0.0  # the break is over
        with pytest.raises(StorageError):
            await storage.put("shots/again.png", PNG)
        assert silent.connections > reached  # asked again after the break
    finally:
        silent.stop()
