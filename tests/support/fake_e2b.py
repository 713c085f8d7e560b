"""A stand-in for the E2B SDK's `AsyncSandbox` surface (E2B cannot be reached from here).

Each fake sandbox is a directory on this machine playing the sandbox's filesystem, with real
subprocesses for commands, and it answers with the SDK's own types and exceptions (`CommandResult`,
`CommandExitException`, `TimeoutException`, `NotFoundException`, `EntryInfo`), so the adapter's
handling of them is what gets tested. It records timeouts and pauses, and can lose a sandbox
(expired) to exercise reconnecting.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from e2b import CommandExitException, NotFoundException, TimeoutException

from agent import appstack
from e2b.sandbox.commands.command_handle import CommandResult
from e2b.sandbox.filesystem.filesystem import EntryInfo, FileType

_ids = itertools.count(1)


class _Commands:
    def __init__(self, box: FakeBox):
        self.box = box

    async def run(self, cmd, background=None, envs=None, user=None, cwd=None, timeout=60, **_):
        self.box.check_alive()
        where = self.box.local(cwd or "/home/user")
        where.mkdir(parents=True, exist_ok=True)
        # the sandbox's absolute paths live under this fake's directory (one pass, so a replaced
        # path is never replaced again)
        command = re.sub(r"(/home/user|/tmp|/opt/appstack)(?=/|\b)", lambda m: self.box.host(m.group(1)), cmd)
        self.box.local("/tmp").mkdir(parents=True, exist_ok=True)
        env = {**os.environ,
               **{k: re.sub(r"^/opt/appstack", self.box.host("/opt/appstack"), v) for k, v in (envs or {}).items()}}
        if background:
            process = subprocess.Popen(["/bin/sh", "-c", command], cwd=where, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True, env=env)
            self.box.background.append(process)
            return process
        try:
            done = await asyncio.to_thread(subprocess.run, ["/bin/sh", "-c", command], cwd=where, env=env,
                                           capture_output=True, text=True, timeout=timeout or None)
        except subprocess.TimeoutExpired:
            raise TimeoutException("command timed out") from None
        if done.returncode != 0:
            raise CommandExitException(stderr=done.stderr, stdout=done.stdout, exit_code=done.returncode, error=None)
        return CommandResult(stderr=done.stderr, stdout=done.stdout, exit_code=0, error=None)


class _Files:
    def __init__(self, box: FakeBox):
        self.box = box

    async def read(self, path, format="text", **_):
        self.box.check_alive()
        local = self.box.local(path)
        if not local.is_file():
            raise NotFoundException(f"path '{path}' does not exist")
        data = local.read_bytes()
        return bytearray(data) if format == "bytes" else data.decode()

    async def write(self, path, data, **_):
        self.box.check_alive()
        local = self.box.local(path)
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data if isinstance(data, bytes | bytearray) else str(data).encode())

    async def list(self, path, depth=1, **_):
        self.box.check_alive()
        base = self.box.local(path)
        entries = []
        for item in base.rglob("*"):
            if len(item.relative_to(base).parts) > depth:
                continue
            remote = "/" + str(item.relative_to(self.box.disk))
            entries.append(EntryInfo(name=item.name, type=FileType.DIR if item.is_dir() else FileType.FILE,
                                     path=remote, size=item.stat().st_size, mode=0o644, permissions="rw-r--r--",
                                     owner="user", group="user", modified_time=datetime.now(UTC)))
        return entries


class FakeBox:
    def __init__(self, fake: FakeE2B):
        self.sandbox_id = f"fake{next(_ids)}"
        self.disk = Path(tempfile.mkdtemp(prefix="fake-e2b-"))
        self.commands, self.files = _Commands(self), _Files(self)
        self.background: list[subprocess.Popen] = []
        self.alive, self.paused, self.fake = True, False, fake

    def local(self, remote: str) -> Path:
        return self.disk / remote.lstrip("/")

    def host(self, remote: str) -> str:
        """Where a sandbox path is on this machine: the template's web stack is this machine's."""
        if remote == "/opt/appstack":
            return str(appstack.location()) if self.fake.stack else str(self.local(remote))
        return str(self.local(remote))

    async def kill(self) -> bool:
        self.destroy()
        return True

    def check_alive(self) -> None:
        if not self.alive or self.paused:
            raise RuntimeError("sandbox is not running")

    def get_host(self, port: int) -> str:
        return f"{port}-{self.sandbox_id}.e2b.app"

    async def set_timeout(self, seconds: int) -> None:
        self.fake.timeouts.append((self.sandbox_id, seconds))

    async def pause(self) -> bool:
        self.paused = True
        for process in self.background:
            process.kill()
        self.background.clear()
        return True

    def destroy(self) -> None:
        self.alive = False
        for process in self.background:
            process.kill()
        shutil.rmtree(self.disk, ignore_errors=True)


class FakeE2B:
    """Plays the `AsyncSandbox` class: `await FakeE2B.create(...)`, `await FakeE2B.connect(id)`."""

    def __init__(self, *, stack: bool = True):
        self.stack = stack  # the template has the apps' web stack at /opt/appstack (e2b.Dockerfile)
        self.boxes: dict[str, FakeBox] = {}
        self.timeouts: list[tuple[str, int]] = []
        self.created = 0

    async def create(self, template=None, timeout=None, api_key=None, allow_internet_access=None, **_):
        box = FakeBox(self)
        self.boxes[box.sandbox_id] = box
        self.created += 1
        return box

    async def connect(self, sandbox_id, timeout=None, api_key=None, **_):
        box = self.boxes.get(sandbox_id)
        if box is None or not box.alive:
            raise NotFoundException(f"sandbox {sandbox_id} not found")
        box.paused = False
        return box

    def expire(self, sandbox_id: str) -> None:
        self.boxes[sandbox_id].destroy()

    def cleanup(self) -> None:
        for box in self.boxes.values():
            box.destroy()
