"""The E2B sandbox adapter: the same protocol as the local sandbox, on an E2B `AsyncSandbox`.

The workspace is a folder inside the sandbox; paths get the same checks as locally before they are
joined to it. E2B stops a sandbox after its timeout (300 s by default), so `keep_alive` renews it
while a run is alive; a paused sandbox is resumed by connecting to it again. Preview URLs come from
`get_host(port)` and are public.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import uuid
from pathlib import Path
from typing import Any

from agent import appstack
from agent.services.confinement import SandboxUnavailable
from agent.services.sandbox import APP_LOG, CommandResult, start_problem
from agent.services.workspace_paths import SandboxError, check_relative

ROOT = "/home/user/app"
KEEP_ALIVE_SECONDS = 900
SUPERVISOR_SOURCE = Path(__file__).with_name("app_supervisor.py")
SUPERVISOR, STATUS = ".cofounder/supervisor.py", ".cofounder/app-status.jsonl"  # in the workspace, ours
START_SECONDS = 20.0
STACK_ENV = {"PYTHONPATH": appstack.INSIDE, "PYTHONUNBUFFERED": "1"}  # the template's web stack (e2b.Dockerfile)


class E2BSandbox:
    """`sdk` is the E2B class (or a stand-in with the same surface); `box` one of its sandboxes."""

    def __init__(self, sdk: Any, box: Any, *, api_key: str = "", root: str = ROOT):
        self.sdk, self.box, self.api_key, self.root = sdk, box, api_key, root
        self._server: tuple[str, int] | None = None

    @classmethod
    async def open(cls, sdk: Any, *, sandbox_id: str = "", api_key: str = "", template: str | None = None) -> E2BSandbox:
        """Reconnect to a run's sandbox (resuming it if paused) or create a new one."""
        if sandbox_id:
            try:
                box = await sdk.connect(sandbox_id, timeout=KEEP_ALIVE_SECONDS, api_key=api_key)
                return cls(sdk, box, api_key=api_key)
            except Exception:  # gone (expired or killed): a fresh one; the caller restores a snapshot
                pass
        box = await sdk.create(template=template, timeout=KEEP_ALIVE_SECONDS, api_key=api_key,
                               allow_internet_access=False)
        sandbox = cls(sdk, box, api_key=api_key)
        await box.commands.run(f"mkdir -p {shlex.quote(ROOT)}", timeout=30)
        probe = await sandbox.run(f"test -f {appstack.INSIDE}/flask/__init__.py", timeout=30)
        if probe.exit_code != 0:  # the apps could not run: say so to the operator instead of building blind
            await box.kill()
            raise SandboxUnavailable(f"the E2B template {template or '(default)'} has no web stack at "
                                     f"{appstack.INSIDE}: build one from e2b.Dockerfile and set E2B_TEMPLATE")
        return sandbox

    @property
    def sandbox_id(self) -> str:
        return f"e2b:{self.box.sandbox_id}"

    def _path(self, path: str) -> str:
        return f"{self.root}/{'/'.join(check_relative(path))}"

    async def run(self, command: str, *, timeout: float = 60.0) -> CommandResult:
        from e2b import CommandExitException, TimeoutException

        try:
            result = await self.box.commands.run(command, cwd=self.root, timeout=timeout, envs=STACK_ENV)
        except CommandExitException as exc:
            return CommandResult(exit_code=exc.exit_code, output=(exc.stdout or "") + (exc.stderr or ""))
        except TimeoutException:
            return CommandResult(exit_code=124, output=f"[stopped after {timeout:.0f} s]", timed_out=True)
        return CommandResult(exit_code=result.exit_code, output=(result.stdout or "") + (result.stderr or ""))

    async def start_server(self, command: str, *, port: int) -> str:
        """The app under the same supervisor as locally (agent/services/app_supervisor.py: the port must
        be free, and what listens on it must be the app), its status polled from a file."""
        self._server = None
        await self.box.files.write(f"{self.root}/{SUPERVISOR}", SUPERVISOR_SOURCE.read_bytes())
        await self.box.files.write(f"{self.root}/{STATUS}", b"")
        await self.box.commands.run(f"python3 {SUPERVISOR} --port {int(port)} --log {APP_LOG} --wait "
                                    f"{START_SECONDS - 2:.0f} -- {shlex.quote(command)} > {STATUS} 2>&1",
                                    background=True, cwd=self.root, envs=STACK_ENV)
        status: dict = {"status": "refused", "reason": "not_listening"}
        for _ in range(int(START_SECONDS / 0.25)):
            lines = (await self.box.files.read(f"{self.root}/{STATUS}")).splitlines()
            if lines:
                status = json.loads(lines[0])
                break
            await asyncio.sleep(0.25)
        if status.get("status") != "listening":
            try:
                log = await self.box.files.read(f"{self.root}/{APP_LOG}")
            except Exception:
                log = ""
            raise SandboxError(start_problem(status, port, log, seconds=START_SECONDS))
        self._server = (command, port)
        return await self.preview_url() or ""

    async def preview_url(self) -> str | None:
        return f"https://{self.box.get_host(self._server[1])}" if self._server else None

    async def read_file(self, path: str) -> bytes:
        from e2b import NotFoundException

        try:
            return bytes(await self.box.files.read(self._path(path), format="bytes"))
        except NotFoundException:
            raise SandboxError(f"There is no file “{path}” in the project.") from None

    async def write_file(self, path: str, data: bytes) -> None:
        await self.box.files.write(self._path(path), data)

    async def list_files(self, path: str = ".") -> list[str]:
        base = self.root if path in ("", ".") else self._path(path)
        entries = await self.box.files.list(base, depth=20)
        names = [e.path[len(self.root) + 1:] for e in entries if getattr(e.type, "value", e.type) == "file"]
        return sorted(n for n in names if not n.startswith(".") and "/." not in n)[:2000]

    async def keep_alive(self, seconds: int = KEEP_ALIVE_SECONDS) -> None:
        await self.box.set_timeout(seconds)

    async def pause(self) -> None:
        await self.box.pause()

    async def resume(self) -> None:
        self.box = await self.sdk.connect(self.box.sandbox_id, timeout=KEEP_ALIVE_SECONDS, api_key=self.api_key)
        if self._server:
            command, port = self._server
            await self.start_server(command, port=port)

    async def snapshot(self) -> bytes:
        name = f"/tmp/snapshot-{uuid.uuid4().hex}.tgz"
        result = await self.run(f"tar czf {name} --exclude=./.cofounder -C {shlex.quote(self.root)} .", timeout=120)
        if result.exit_code != 0:
            raise SandboxError("The workspace could not be packed for a snapshot.")
        return bytes(await self.box.files.read(name, format="bytes"))

    async def restore(self, archive: bytes) -> None:
        name = f"/tmp/restore-{uuid.uuid4().hex}.tgz"
        await self.box.files.write(name, archive)
        root = shlex.quote(self.root)
        result = await self.run(f"find {root} -mindepth 1 -delete && tar xzf {name} -C {root}", timeout=120)
        if result.exit_code != 0:
            raise SandboxError("The workspace could not be restored from its snapshot.")

    async def close(self) -> None:
        self._server = None
