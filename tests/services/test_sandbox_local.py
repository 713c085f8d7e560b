"""The local sandbox, for real: confined commands, limits, path checks (with a symlink race), the
preview server, snapshots. The same contract runs against the E2B adapter's fake."""

import asyncio
import os
import shutil
import threading

import pytest

from agent.services import app_http
from agent.services.confinement import UNCONFINED
from agent.services.local_sandbox import LocalSandbox
from agent.services.sandbox import Limits, PathRefused, SandboxError
from tests.services.contracts import sandbox_contract

CONFINED = shutil.which("bwrap") is not None


@pytest.fixture(params=["bwrap", "unconfined"])
def sandbox(request, tmp_path):
    if request.param == "bwrap" and not CONFINED:
        pytest.skip("bubblewrap is not installed")
    box = LocalSandbox(tmp_path / "ws", confinement=None if request.param == "bwrap" else UNCONFINED,
                       limits=Limits(cpu_seconds=20))
    return box


async def test_the_local_sandbox_passes_the_contract(sandbox):
    await sandbox_contract(sandbox)
    await sandbox.close()


async def test_commands_get_a_clean_environment(sandbox, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret-value")
    result = await sandbox.run("env")
    assert "sk-ant-secret" not in result.output and "HOME=" in result.output


async def test_a_runaway_command_is_stopped_at_its_timeout(sandbox):
    result = await sandbox.run("sleep 30", timeout=0.5)
    assert result.timed_out and result.exit_code == 124 and result.duration < 5


async def test_huge_output_is_cut(tmp_path):
    box = LocalSandbox(tmp_path / "ws", confinement=UNCONFINED, limits=Limits(output_bytes=1000))
    result = await box.run("yes hello | head -c 50000")
    assert len(result.output) < 1100 and "output cut at 1,000 bytes of 50,000" in result.output


async def test_file_size_and_memory_are_limited(tmp_path):
    box = LocalSandbox(tmp_path / "ws", confinement=UNCONFINED, limits=Limits(file_size_mb=1, memory_mb=256))
    big = await box.run("head -c 5000000 /dev/zero > big.bin; echo done")
    assert (tmp_path / "ws" / "big.bin").stat().st_size <= 1024 * 1024
    hog = await box.run("python3 -c 'x = bytearray(600 * 1024 * 1024)'")
    assert hog.exit_code != 0 and "MemoryError" in hog.output
    assert "done" in big.output  # the shell goes on; only the file stopped growing


@pytest.mark.skipif(not CONFINED, reason="bubblewrap is not installed")
async def test_confined_commands_have_no_network_and_cannot_write_outside(tmp_path):
    box = LocalSandbox(tmp_path / "ws")
    net = await box.run("python3 -c \"import socket; socket.create_connection(('1.1.1.1', 80), timeout=2)\"")
    assert net.exit_code != 0 and ("unreachable" in net.output.lower() or "error" in net.output.lower())
    outside = await box.run(f"touch {tmp_path}/escaped")
    assert outside.exit_code != 0  # the host path does not even exist in there
    assert not (tmp_path / "escaped").exists()
    who = await box.run("id -u; ls /root 2>&1 | head -1")
    assert who.output.splitlines()[0] == "1000"


async def test_paths_outside_the_workspace_are_refused(tmp_path):
    box = LocalSandbox(tmp_path / "ws", confinement=UNCONFINED)
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path, tmp_path / "ws" / "link")
    os.symlink(tmp_path / "secret.txt", tmp_path / "ws" / "secret-link")
    for bad in ("/etc/passwd", "../secret.txt", "a/../../secret.txt", "link/secret.txt", "secret-link", "~/x", ""):
        with pytest.raises(PathRefused):
            await box.read_file(bad)
    with pytest.raises(PathRefused):
        await box.write_file("link/new.txt", b"x")
    assert not (tmp_path / "new.txt").exists()
    with pytest.raises(SandboxError, match="no file"):
        await box.read_file("missing.txt")


def test_a_symlink_swapped_in_mid_write_never_escapes(tmp_path):
    """One thread keeps swapping `dir` between a real folder and a link to outside; every write that
    succeeds must land inside the workspace."""
    workspace, outside = tmp_path / "ws", tmp_path / "outside"
    workspace.mkdir()
    outside.mkdir()
    box = LocalSandbox(workspace, confinement=UNCONFINED)
    target = workspace / "dir"
    stop = threading.Event()

    def swap():
        while not stop.is_set():
            try:
                if target.is_symlink():
                    target.unlink()
                    target.mkdir()
                else:
                    shutil.rmtree(target, ignore_errors=True)
                    os.symlink(outside, target)
            except OSError:
                pass

    swapper = threading.Thread(target=swap)
    swapper.start()
    written = refused = 0

    async def hammer():
        nonlocal written, refused
        for i in range(3000):
            try:
                await box.write_file(f"dir/file-{i}.txt", b"x")
                written += 1
            except (PathRefused, OSError):
                refused += 1

    try:
        asyncio.run(hammer())
    finally:
        stop.set()
        swapper.join()
    assert list(outside.iterdir()) == []  # 0 escapes
    assert written > 0 and refused > 0  # both sides of the race were hit


async def test_the_preview_server_is_reachable_and_stops_on_pause(sandbox):
    await sandbox.write_file("index.html", b"<h1>Hello from the sandbox</h1>")
    address = await sandbox.start_server("python3 -m http.server 8123 --bind 127.0.0.1", port=8123)
    await app_http.wait_until_serving(address)
    async with app_http.client(address) as app:
        assert "Hello from the sandbox" in (await app.get("/")).text
    assert await sandbox.preview_url() == address
    await sandbox.pause()
    assert await sandbox.preview_url() is None
    await sandbox.resume()
    assert await sandbox.preview_url() == address
    await app_http.wait_until_serving(address)
    assert "GET / HTTP" in sandbox.app_log()  # the server's own output is kept for the agent to read
    await sandbox.close()


async def test_an_app_that_never_listens_is_reported_with_its_output(sandbox):
    with pytest.raises(SandboxError, match="(?s)exited with code 3.*missing module"):
        await sandbox.start_server("echo 'missing module'; exit 3", port=8124)
    assert await sandbox.preview_url() is None
