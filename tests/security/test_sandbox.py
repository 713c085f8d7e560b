"""The sandbox is a sandbox: findings 2, 4 and 6 of the containment issue, replayed on the real local
sandbox (bubblewrap, cgroups, the workspace quota).

From a command and from a started app, nothing on the host answers: not Redis, not the database, not
the web app, not another project's preview, not a canary listening on 127.0.0.1; the worker's
environment cannot be read. Limits hold for the sandbox as a whole: processes, memory and disk. No
nested user namespaces; nothing a command starts outlives the call; the app is only ever the app.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import psutil
import pytest

from agent.services import app_http, sandbox_limits
from agent.services.confinement import SUPERVISOR_INSIDE
from agent.services.local_sandbox import LocalSandbox, default_confinement
from agent.services.sandbox import Limits, SandboxError
from tests.support.sandboxes import confined_box
from tests.support.servers import Served

CANARY_ENV = "COFOUNDER_CANARY_SECRET"

PROBE = r'''
import json, socket, sys
def reach(target):
    try:
        if target.startswith("/"):
            s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(target)
        else:
            host, port = target.rsplit(":", 1); s = socket.create_connection((host, int(port)), timeout=2)
        s.close(); return "connected"
    except OSError as exc:
        return type(exc).__name__
try:
    environ = open("/proc/1/environ", "rb").read().decode(errors="replace")
except OSError as exc:
    environ = type(exc).__name__
print(json.dumps({"reach": {t: reach(t) for t in sys.argv[1:]}, "environ": environ}))
'''

APP = r'''
import http.server, json, subprocess, sys
class Probe(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        out = subprocess.run([sys.executable, "probe.py", *TARGETS], capture_output=True, text=True).stdout
        self.send_response(200); self.send_header("content-type", "application/json"); self.end_headers()
        self.wfile.write(out.encode())
    def log_message(self, *a): pass
TARGETS = json.load(open("targets.json"))
http.server.HTTPServer(("127.0.0.1", 8000), Probe).serve_forever()
'''


class Canary:
    """A listener on the host's loopback that records every connection that reaches it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port, self.hits = self.sock.getsockname()[1], 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()


@pytest.fixture
async def box(tmp_path):
    async with confined_box(tmp_path) as sandbox:
        yield sandbox


@pytest.fixture
async def targets(tmp_path, redis_url):
    """Everything on the host a sandbox must not reach: Redis (its socket, and a TCP Redis if this
    machine runs one), PostgreSQL, a web app, another project's preview, and a canary."""
    canary = Canary()
    web = Served(lambda scope, receive, send: None)
    other = LocalSandbox(tmp_path / "workspaces" / "project-2", sockets=tmp_path / "sockets")
    redis_socket = redis_url.split("@", 1)[1].split("?", 1)[0]
    found = {"redis socket": redis_socket, "redis tcp": "127.0.0.1:6379", "postgresql": "127.0.0.1:5432",
             "web app": f"127.0.0.1:{web.port}", "canary": f"127.0.0.1:{canary.port}",
             "another preview": str(tmp_path / "sockets" / "project-2.sock")}
    yield found, canary, other
    web.stop()
    await other.close()


async def test_nothing_on_the_host_answers_a_command_or_the_app(box, targets, monkeypatch):
    found, canary, other = targets
    monkeypatch.setenv(CANARY_ENV, "the-workers-secret")  # the worker's environment, as it would hold keys
    await other.write_file("index.html", b"another founder's app")
    neighbour = await other.start_server("python3 -m http.server 8000 --bind 127.0.0.1", port=8000)
    async with app_http.client(neighbour) as app:  # the other preview is there: the host reaches it
        assert "another founder" in (await app.get("/index.html")).text
    try:
        await box.write_file("probe.py", PROBE.encode())
        await box.write_file("app.py", APP.encode())
        await box.write_file("targets.json", json.dumps(list(found.values())).encode())
        # from a command (the bash tool)
        result = await box.run("python3 probe.py " + " ".join(found.values()), timeout=60)
        from_command = json.loads(result.output.strip().splitlines()[-1])
        # from the started app
        address = await box.start_server("python3 app.py", port=8000)
        async with app_http.client(address, timeout=60) as app:
            from_app = (await app.get("/")).json()
    finally:
        await other.close()
    for where, seen in (("command", from_command), ("app", from_app)):
        assert all(v != "connected" for v in seen["reach"].values()), (where, seen["reach"])
        assert "the-workers-secret" not in seen["environ"], where
    assert canary.hits == 0


async def test_a_fork_bomb_stops_at_the_sandboxes_process_limit(box):
    if default_confinement().cgroups is None:
        pytest.skip("no writable cgroup here: processes are limited per process only")
    result = await box.run("for i in $(seq 500); do sleep 20 & done; echo started; wait", timeout=30)
    assert "limit of 64 processes" in result.output
    assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "20"]]


async def test_memory_is_capped_for_the_sandbox_as_a_whole(box):
    if default_confinement().cgroups is None:
        pytest.skip("no writable cgroup here: memory is limited per process only")
    hog = "python3 -c 'import time; x = b\"x\" * (120 << 20); time.sleep(2)'"
    result = await box.run(f"{hog} & {hog} & wait; echo done", timeout=60)  # 240 MB together, 192 MB allowed
    assert "memory limit of 192 MB" in result.output


async def test_writing_ten_gigabytes_stops_at_the_quota(box):
    result = await box.run("for i in $(seq 100); do head -c 100000000 /dev/zero > f$i || break; done; df -m .",
                           timeout=120)
    used = sandbox_limits.workspace_bytes(box.workspace, 1 << 40)
    assert used < 200 * 1024 * 1024, f"{used:,} bytes written"
    assert "No space left" in result.output or "disk quota of 64 MB" in result.output


async def test_the_quota_is_measured_where_it_cannot_be_mounted(tmp_path):
    box = LocalSandbox(tmp_path / "ws", limits=Limits(disk_mb=64), quota=False)
    result = await box.run("for i in $(seq 500); do head -c 20000000 /dev/zero > f$i; done", timeout=120)
    assert "disk quota of 64 MB" in result.output
    assert sandbox_limits.workspace_bytes(box.workspace, 1 << 40) < 3 * 1024 ** 3
    await box.close()


async def test_no_nested_user_namespaces_and_nothing_outlives_its_call(box):
    nested = await box.run("unshare -U true; echo unshare=$?; python3 -c 'import os; os.unshare(os.CLONE_NEWUSER)'")
    assert "unshare=0" not in nested.output and nested.exit_code != 0
    await box.run("sleep 301 & nohup sleep 302 >/dev/null 2>&1 & setsid sleep 303 & (sleep 304 &) ; echo left")
    await asyncio.sleep(0.5)
    left = [p.info["cmdline"] for p in psutil.process_iter(["cmdline"])
            if (p.info["cmdline"] or [""])[0] == "sleep" and (p.info["cmdline"] + [""])[1] in ("301", "302", "303", "304")]
    assert left == []


def _status(output: str) -> dict:
    return json.loads([line for line in output.splitlines() if line.startswith('{"status"')][-1])


async def test_the_app_is_only_ever_the_app(box, tmp_path):
    decoy = "python3 -c \"import socket,time; s=socket.socket(); s.bind(('127.0.0.1',8000)); s.listen(); time.sleep(8)\""
    listening = "until python3 -c \"import socket; socket.create_connection(('127.0.0.1', 8000))\" 2>/dev/null; do sleep 0.1; done"
    # a port something already listens on is refused in plain words (the supervisor, run by hand)
    taken = await box.run(f"{decoy} & {listening}; python3 {SUPERVISOR_INSIDE} --port 8000 --log x.log -- "
                          "python3 -m http.server 8000", timeout=60)
    assert _status(taken.output) == {"status": "refused", "reason": "port_in_use"}
    # something other than the started command answering on its port (here: started by the shell once
    # the app has begun) is not the app
    late = await box.run(f"(until [ -e begun ]; do sleep 0.05; done; {decoy}) & python3 {SUPERVISOR_INSIDE} "
                         "--port 8000 --log x.log --wait 20 -- 'touch begun; sleep 30'", timeout=60)
    assert _status(late.output) == {"status": "refused", "reason": "not_ours"}
    # finding 6: start_app given the port of something on the host (the web app, another preview)
    # never reports it as this app
    web = Served(lambda scope, receive, send: None)
    try:
        with pytest.raises(SandboxError, match="did not listen"):
            await box.start_server("sleep 30", port=web.port)
    finally:
        web.stop()
    assert await box.preview_url() is None


async def test_the_app_server_dies_with_the_sandbox(box):
    await box.start_server("python3 -m http.server 8000 --bind 127.0.0.1", port=8000)
    workspace = str(box.workspace)
    assert [p for p in psutil.process_iter(["cmdline"]) if workspace in " ".join(p.info["cmdline"] or [])]
    await box.close()
    time.sleep(0.3)
    assert not [p for p in psutil.process_iter(["cmdline"]) if workspace in " ".join(p.info["cmdline"] or [])]


async def test_a_swept_sandbox_group_is_made_again_with_its_limits(box):
    layout = default_confinement().cgroups
    if layout is None:
        pytest.skip("no writable cgroup here")
    await box.run("true")
    layout.sweep(idle_seconds=0)  # idle: its group goes (as at a worker's start, for groups a killed worker left)
    assert not box._group.folders[0].exists()
    result = await box.run("for i in $(seq 200); do sleep 5 & done; wait", timeout=30)
    assert "limit of 64 processes" in result.output  # made again, limits and all


async def test_the_web_stack_is_there_to_use_and_cannot_be_changed(box):
    """Generated apps run on Flask and test with pytest offline: the stack is mounted read-only."""
    used = await box.run("python3 -c 'import flask, jinja2, pytest; print(\"stack\", flask.Flask.__name__)' "
                         "&& python3 -m pytest --version")
    assert used.exit_code == 0 and "stack Flask" in used.output and "pytest 9" in used.output
    changed = await box.run("touch /opt/appstack/flask/evil.py; echo rc=$?; ls /opt/appstack/flask/evil.py")
    assert "rc=0" not in changed.output and "No such file" in changed.output
