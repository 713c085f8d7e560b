"""Where the agent's commands run and its files live: one protocol, the local sandbox (default) and
the E2B adapter (`e2b_sandbox.py`).

The local sandbox is a per-project workspace directory. Commands run under bubblewrap when it is
installed (no network, their own user and PID namespaces, only the workspace writable, dying with
the worker) and always with CPU, memory and file-size limits and a clean environment. File
operations follow the path rules of `workspace_paths.py` (nothing outside the project, no symlinks).
"""

from __future__ import annotations

import asyncio
import io
import os
import resource
import shutil
import signal
import socket
import stat
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from agent.priority import nice_session
from agent.services.workspace_paths import (  # noqa: F401  (re-exported: the sandbox protocol's errors)
    PathRefused, SandboxError, check_relative, open_beneath,
)

SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    output: str  # stdout and stderr, interleaved as they came
    timed_out: bool = False
    duration: float = 0.0


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 300
    memory_mb: int = 2048
    file_size_mb: int = 200
    open_files: int = 512
    output_bytes: int = 200_000


class Sandbox(Protocol):
    sandbox_id: str

    async def run(self, command: str, *, timeout: float = 60.0) -> CommandResult: ...
    async def start_server(self, command: str, *, port: int) -> str: ...
    async def read_file(self, path: str) -> bytes: ...
    async def write_file(self, path: str, data: bytes) -> None: ...
    async def list_files(self, path: str = ".") -> list[str]: ...
    async def preview_url(self) -> str | None: ...
    async def pause(self) -> None: ...
    async def resume(self) -> None: ...
    async def snapshot(self) -> bytes: ...
    async def restore(self, archive: bytes) -> None: ...
    async def keep_alive(self, seconds: int = 900) -> None: ...
    async def close(self) -> None: ...


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class LocalSandbox:
    """A project's workspace directory on this machine."""

    def __init__(self, workspace: Path, *, limits: Limits = Limits(), confine: bool | None = None):
        self.workspace = Path(workspace).resolve()
        self.workspace.mkdir(parents=True, exist_ok=True)
        self.sandbox_id = f"local:{self.workspace.name}"
        self.limits = limits
        self.confine = shutil.which("bwrap") is not None if confine is None else confine
        self._server: asyncio.subprocess.Process | None = None
        self._server_url: str | None = None
        self._server_command: tuple[str, int] | None = None

    # --- commands -----------------------------------------------------------------------------
    def _argv(self, command: str, *, network: bool) -> list[str]:
        if not self.confine:
            return ["/bin/sh", "-c", command]
        # No --new-session: the command already runs in a session of its own without a terminal
        # (start_new_session, stdin /dev/null), whose CPU weight `_preexec` sets; a second session
        # would be a new full-weight autogroup (agent/priority.py).
        argv = ["bwrap", "--unshare-user", "--uid", "1000", "--gid", "1000", "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--die-with-parent", "--ro-bind", "/usr", "/usr"]
        for link in ("bin", "lib", "lib64", "sbin"):
            if os.path.islink(f"/{link}"):
                argv += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
            elif os.path.isdir(f"/{link}"):
                argv += ["--ro-bind", f"/{link}", f"/{link}"]
        argv += ["--ro-bind-try", "/etc/ssl", "/etc/ssl", "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
                 "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                 "--bind", str(self.workspace), "/workspace", "--chdir", "/workspace"]
        if not network:
            argv.append("--unshare-net")
        return [*argv, "/bin/sh", "-c", command]

    def _env(self) -> dict[str, str]:
        home = "/workspace" if self.confine else str(self.workspace)
        return {"PATH": SANDBOX_PATH, "HOME": home, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1"}

    def _preexec(self) -> None:
        nice_session(os.nice(0))  # the command's new session weighs no more than the worker (agent/priority.py)
        mb = 1024 * 1024
        resource.setrlimit(resource.RLIMIT_CPU, (self.limits.cpu_seconds, self.limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (self.limits.memory_mb * mb, self.limits.memory_mb * mb))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.limits.file_size_mb * mb, self.limits.file_size_mb * mb))
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.limits.open_files, self.limits.open_files))

    async def _spawn(self, command: str, *, network: bool) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *self._argv(command, network=network), cwd=self.workspace, env=self._env(),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            preexec_fn=self._preexec, start_new_session=True,
        )

    async def run(self, command: str, *, timeout: float = 60.0) -> CommandResult:
        started = time.monotonic()
        process = await self._spawn(command, network=False)
        chunks: list[bytes] = []
        size = 0

        async def read_all() -> None:
            nonlocal size
            while chunk := await process.stdout.read(65536):
                if size < self.limits.output_bytes:
                    chunks.append(chunk[: self.limits.output_bytes - size])
                size += len(chunk)

        timed_out = False
        try:
            await asyncio.wait_for(asyncio.gather(read_all(), process.wait()), timeout=timeout)
        except TimeoutError:
            timed_out = True
            _kill_group(process)
            await process.wait()
        output = b"".join(chunks).decode("utf-8", errors="replace")
        if size > self.limits.output_bytes:
            output += f"\n[output cut at {self.limits.output_bytes:,} bytes of {size:,}]"
        return CommandResult(exit_code=process.returncode if not timed_out else 124, output=output,
                             timed_out=timed_out, duration=time.monotonic() - started)

    async def start_server(self, command: str, *, port: int) -> str:
        """Start the app's server in the background; it may use the network so the preview can reach it."""
        await self._stop_server()
        self._server = await self._spawn(command, network=True)
        self._server_command = (command, port)
        self._server_url = f"http://127.0.0.1:{port}"
        return self._server_url

    async def preview_url(self) -> str | None:
        if self._server is not None and self._server.returncode is None:
            return self._server_url
        return None

    async def server_output(self, limit: int = 20_000) -> str:
        if self._server is None or self._server.stdout is None:
            return ""
        try:
            data = await asyncio.wait_for(self._server.stdout.read(limit), timeout=0.2)
        except TimeoutError:
            return ""
        return data.decode("utf-8", errors="replace")

    async def _stop_server(self) -> None:
        if self._server is not None and self._server.returncode is None:
            _kill_group(self._server)
            await self._server.wait()
        self._server = None

    # --- files --------------------------------------------------------------------------------
    async def read_file(self, path: str) -> bytes:
        def _read() -> bytes:
            try:
                fd = open_beneath(self.workspace, path, os.O_RDONLY)
            except FileNotFoundError:
                raise SandboxError(f"There is no file “{path}” in the project.") from None
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise SandboxError(f"“{path}” is not a file.")
                return handle.read()

        return await asyncio.to_thread(_read)

    async def write_file(self, path: str, data: bytes) -> None:
        def _write() -> None:
            fd = open_beneath(self.workspace, path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, make_dirs=True)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)

        await asyncio.to_thread(_write)

    async def list_files(self, path: str = ".") -> list[str]:
        def _walk() -> list[str]:
            base = self.workspace if path in (".", "") else self.workspace.joinpath(*check_relative(path))
            if base.resolve() != base or not base.is_dir():
                raise PathRefused(f"“{path}” is not a folder inside the project.")
            found: list[str] = []
            for folder, dirs, files in os.walk(base, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__"))
                for name in sorted(files):
                    full = Path(folder) / name
                    if not full.is_symlink():
                        found.append(full.relative_to(self.workspace).as_posix())
                if len(found) >= 2000:
                    break
            return found[:2000]

        return await asyncio.to_thread(_walk)

    # --- lifecycle ----------------------------------------------------------------------------
    async def pause(self) -> None:
        await self._stop_server()

    async def resume(self) -> None:
        if self._server_command and self._server is None:
            command, port = self._server_command
            await self.start_server(command, port=port)

    async def snapshot(self) -> bytes:
        def _pack() -> bytes:
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
                tar.add(self.workspace, arcname=".", filter=lambda info: None if info.issym() or info.islnk() else info)
            return buffer.getvalue()

        return await asyncio.to_thread(_pack)

    async def restore(self, archive: bytes) -> None:
        """Make the workspace exactly what the snapshot holds."""

        def _unpack() -> None:
            for child in self.workspace.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
                tar.extractall(self.workspace, filter="data")

        await asyncio.to_thread(_unpack)

    async def keep_alive(self, seconds: int = 900) -> None:
        """Nothing to renew: a local workspace does not expire."""

    async def close(self) -> None:
        await self._stop_server()


def _kill_group(process: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
