"""The E2B adapter against a stand-in for the E2B SDK's AsyncSandbox surface."""

import socket

import pytest

from agent.services.e2b_sandbox import ROOT, E2BSandbox
from agent.services.sandbox import SandboxError, free_port
from tests.services.contracts import sandbox_contract
from tests.support.fake_e2b import FakeE2B


@pytest.fixture
def e2b():
    fake = FakeE2B()
    yield fake
    fake.cleanup()


async def test_the_e2b_adapter_passes_the_sandbox_contract(e2b):
    box = await E2BSandbox.open(e2b, api_key="e2b_test")
    assert box.sandbox_id.startswith("e2b:fake")
    await sandbox_contract(box)


async def test_a_timed_out_command_and_a_preview_url(e2b):
    box = await E2BSandbox.open(e2b)
    slow = await box.run("sleep 5", timeout=0.3)
    assert slow.timed_out and slow.exit_code == 124
    port = free_port()  # (the fake's commands run on this machine)
    url = await box.start_server(f"python3 -m http.server {port}", port=port)
    assert url == f"https://{port}-{box.box.sandbox_id}.e2b.app" and await box.preview_url() == url


async def test_the_app_is_only_ever_the_app_on_e2b_too(e2b):
    box = await E2BSandbox.open(e2b)
    with socket.socket() as taken:  # something already listens on the port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(SandboxError, match="already in use"):
            await box.start_server(f"python3 -m http.server {taken.getsockname()[1]}", port=taken.getsockname()[1])
    with pytest.raises(SandboxError, match="(?s)exited with code 3.*no such module"):
        await box.start_server("echo 'no such module'; exit 3", port=free_port())
    assert await box.preview_url() is None


async def test_the_sandbox_is_kept_alive_paused_and_resumed(e2b):
    box = await E2BSandbox.open(e2b)
    await box.write_file("app/main.py", b"print('hi')\n")
    await box.keep_alive()
    assert e2b.timeouts[-1] == (box.box.sandbox_id, 900)
    await box.pause()
    with pytest.raises(RuntimeError):
        await box.read_file("app/main.py")
    await box.resume()
    assert await box.read_file("app/main.py") == b"print('hi')\n"


async def test_reconnecting_to_an_expired_sandbox_gives_a_fresh_one(e2b):
    first = await E2BSandbox.open(e2b)
    await first.write_file("a.txt", b"kept")
    archive = await first.snapshot()
    again = await E2BSandbox.open(e2b, sandbox_id=first.box.sandbox_id)
    assert again.box is first.box  # a live sandbox is reused
    e2b.expire(first.box.sandbox_id)
    fresh = await E2BSandbox.open(e2b, sandbox_id=first.box.sandbox_id)
    assert fresh.box.sandbox_id != first.box.sandbox_id and e2b.created == 2
    await fresh.restore(archive)
    assert await fresh.read_file("a.txt") == b"kept"
    assert (fresh.box.disk / ROOT.lstrip("/") / "a.txt").exists()


async def test_the_apps_web_stack_is_there_on_e2b_as_locally(e2b):
    """The template (e2b.Dockerfile) has the stack at /opt/appstack; commands and the app see it."""
    box = await E2BSandbox.open(e2b, template="cofounder-appstack")
    imported = await box.run("python3 -c 'import flask, jinja2, pytest; print(flask.Flask.__name__)'")
    assert imported.exit_code == 0 and imported.output.strip() == "Flask"


async def test_a_template_without_the_stack_is_refused_with_what_to_do():
    from agent.services.confinement import SandboxUnavailable

    bare = FakeE2B(stack=False)
    try:
        with pytest.raises(SandboxUnavailable) as refused:
            await E2BSandbox.open(bare, template="base")
        assert "e2b.Dockerfile" in refused.value.detail and "E2B_TEMPLATE" in refused.value.detail
        assert not any(box.alive for box in bare.boxes.values())  # the useless sandbox is not left running
    finally:
        bare.cleanup()
