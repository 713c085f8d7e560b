"""Waking a sleeping preview: the app starts again from the command it was started with, on its old
port, in a network of its own (so nothing on the host can take that port from it)."""

import socket

import pytest

from agent import build_control, store
from agent import events as ev
from agent.build_job import BuildDeps
from agent.preview_job import wake_preview
from agent.services import app_http
from agent.services.local_sandbox import LocalSandbox
from agent.services.sandbox import free_port

SERVER = """import http.server, sys
port = int(sys.argv[sys.argv.index("--port") + 1])
http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler).serve_forever()
"""


@pytest.fixture
def asleep(db, founder, tmp_path):
    """A built project whose app was started once on `port` and is not running now."""
    user, project, _ = founder
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "serve.py").write_text(SERVER)
    (workspace / "hello.txt").write_text("walkies")
    port = free_port()
    with db.session() as s:
        store.update_project(s, project_id=project.id, workspace_dir=str(workspace))
        run = store.create_run(s, project_id=project.id, kind="build")
        store.insert_event(s, run_id=run.id, event=ev.PreviewReady(url=f"http://127.0.0.1:{port}",
                                                                   command=f"python3 serve.py --port {port}", port=port))
    return project, run, workspace, port


async def wake(db, redis, project, run, workspace, tmp_path, storage=None):
    sandbox = LocalSandbox(workspace)

    async def open_sandbox(_workspace, _sandbox_id):
        return sandbox

    async def nothing(*_args):
        return None

    deps = BuildDeps(db=db, redis=redis, storage=storage, llm=None, capture=nothing, enqueue=nothing,
                     open_sandbox=open_sandbox, workspaces_root=tmp_path, worker_id="test")
    outcome = await wake_preview(deps, run.id)
    with db.session() as s:
        started = build_control.latest_event(s, project_id=project.id, type_name=ev.PreviewReady.type).payload
    return outcome, started, sandbox


async def test_a_sleeping_app_wakes_on_its_old_port(db, redis, asleep, tmp_path):
    project, run, workspace, port = asleep
    outcome, started, sandbox = await wake(db, redis, project, run, workspace, tmp_path)
    try:
        assert outcome == "awake" and started["port"] == port
        async with app_http.client(started["url"]) as app:
            assert (await app.get("/hello.txt")).text == "walkies"
    finally:
        await sandbox.close()


async def test_a_port_taken_on_the_host_does_not_matter(db, redis, asleep, tmp_path):
    project, run, workspace, port = asleep
    with socket.socket() as squatter:  # something on the host listens on the app's old port now
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        outcome, started, sandbox = await wake(db, redis, project, run, workspace, tmp_path)
        try:
            assert outcome == "awake" and started["port"] == port  # the app's port is its own network's
            async with app_http.client(started["url"]) as app:
                assert (await app.get("/hello.txt")).text == "walkies"
        finally:
            await sandbox.close()


async def test_an_expired_sandbox_comes_back_from_the_snapshot_before_the_app_starts(db, redis, asleep, tmp_path):
    from agent import snapshots
    from agent.services.storage import LocalStorage

    project, run, workspace, port = asleep
    storage = LocalStorage(tmp_path / "files")
    await snapshots.take(storage, LocalSandbox(workspace), storage_prefix=f"projects/{project.id}/",
                         run_id=run.id, number=1, label="the end of phase 7: Polish and docs")
    for path in sorted(workspace.rglob("*"), reverse=True):  # the sandbox expired: an empty workspace
        path.unlink() if path.is_file() else path.rmdir()
    outcome, started, sandbox = await wake(db, redis, project, run, workspace, tmp_path, storage=storage)
    try:
        assert outcome == "awake"
        async with app_http.client(started["url"]) as app:
            assert (await app.get("/hello.txt")).text == "walkies"
    finally:
        await sandbox.close()
