"""The local sandbox: a project's workspace folder on this machine, and every command the agent runs
confined by bubblewrap (agent/services/confinement.py) with whole-sandbox limits
(agent/services/sandbox_limits.py).

- A command runs in a child cgroup of the sandbox's; when the call ends, everything left in it is
  killed, so nothing started by a tool outlives the tool call (a daemon included).
- The app server runs confined the same way, network namespace included, under a supervisor
  (agent/services/app_supervisor.py) that checks the listening socket is the app's and forwards the
  connections of a Unix socket the worker made outside the sandbox (`sockets` folder). The preview
  reaches the app only through that socket; the app reaches nothing. It lives until it is stopped,
  the run pauses, or the worker exits (`--die-with-parent`).
- File operations (`workspace_files.py`) follow the path rules of `workspace_paths.py` (nothing
  outside, no symlinks).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import socket
import time
from pathlib import Path

from agent import appstack
from agent.priority import nice_session
from agent.services import confinement as conf
from agent.services import sandbox_limits as sl
from agent.services import workspace_files
from agent.services.sandbox import APP_LOG, SANDBOX_PATH, CommandResult, Limits, start_problem
from agent.services.workspace_paths import SandboxError

START_SECONDS = 20.0
_probed: conf.Confinement | None = None


def default_confinement() -> conf.Confinement:
    """This machine's confinement, probed once per process; SandboxUnavailable without bubblewrap."""
    global _probed
    if _probed is None:
        _probed = conf.probe()
    return _probed


class LocalSandbox:
    def __init__(self, workspace: Path, *, limits: Limits = Limits(), confinement: conf.Confinement | None = None,
                 sockets: Path | None = None, quota: bool = False):
        self.confinement = confinement or default_confinement()
        self.workspace = Path(workspace).resolve()
        self.workspace.mkdir(parents=True, exist_ok=True)
        self.limits = limits
        self.quota_mounted = False
        if quota and self.confinement.quota_mounts:
            sl.mount_quota(self.workspace, limits.disk_mb)
            self.quota_mounted = True
        self.sandbox_id = f"local:{self.workspace.name}"
        self.sockets = Path(sockets or self.workspace.parent / ".sockets")
        self._group: sl.SandboxGroup | None = None
        self._calls = 0
        self._server: asyncio.subprocess.Process | None = None
        self._server_group: sl.ChildGroup | None = None
        self._server_command: tuple[str, int] | None = None
        self._server_url: str | None = None
        self._drain: asyncio.Task | None = None
        self.server_started_at: float | None = None  # when the app last started (the idle sweep's clock)

    # --- processes ----------------------------------------------------------------------------
    def _group_for(self, name: str) -> sl.ChildGroup | None:
        if self.confinement.cgroups is None:
            return None
        if self._group is None:
            self._group = self.confinement.cgroups.group(sl.unique_name(self.workspace.name), pids=self.limits.processes,
                                                         memory_bytes=self.limits.memory_mb * 1024 * 1024)
        self._calls += 1
        return self._group.child(f"{name}-{self._calls}")

    def _argv(self, *command: str) -> list[str]:
        if not self.confinement.confined:
            return list(command)
        return [*conf.bwrap_argv(self.workspace, bwrap=self.confinement.bwrap or "bwrap", tmp_mb=self.limits.tmp_mb),
                *command]

    def _env(self) -> dict[str, str]:
        confined = self.confinement.confined
        home = "/workspace" if confined else str(self.workspace)
        return {"PATH": SANDBOX_PATH, "HOME": home, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1", "PYTHONPATH": appstack.INSIDE if confined else str(appstack.location())}

    def _preexec(self, group: sl.ChildGroup | None):
        limits = self.limits

        def setup() -> None:
            nice_session(os.nice(0))  # the command's session weighs no more than the worker (agent/priority.py)
            if group is not None:
                group.enter()  # the sandbox's pids and memory limits count this process and all it starts
            mb = 1024 * 1024
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb, limits.file_size_mb * mb))
            resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
            if group is None:  # no cgroup: per-process limits are what there is
                resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
                resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))

        return setup

    async def _spawn(self, argv: list[str], group: sl.ChildGroup | None, *, pass_fds=()) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *argv, cwd=self.workspace, env=self._env(), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, preexec_fn=self._preexec(group),
            start_new_session=True, pass_fds=pass_fds)

    async def run(self, command: str, *, timeout: float = 60.0) -> CommandResult:
        started = time.monotonic()
        group = self._group_for("cmd")
        before = self._group.counters() if self._group else {}
        process = await self._spawn(self._argv("/bin/sh", "-c", command), group)
        chunks: list[bytes] = []
        size, over_quota = 0, False

        async def read_all() -> None:
            nonlocal size
            while chunk := await process.stdout.read(65536):
                if size < self.limits.output_bytes:
                    chunks.append(chunk[: self.limits.output_bytes - size])
                size += len(chunk)

        async def watch_disk() -> None:  # the quota where the workspace is not a size-limited mount
            nonlocal over_quota
            quota = self.limits.disk_mb * 1024 * 1024
            while True:
                await asyncio.sleep(0.5)
                if await asyncio.to_thread(sl.workspace_bytes, self.workspace, quota) > quota:
                    over_quota = True
                    _kill(process, group)
                    return

        watchdog = None if self.quota_mounted else asyncio.create_task(watch_disk())
        timed_out = False
        try:
            await asyncio.wait_for(asyncio.gather(read_all(), process.wait()), timeout=timeout)
        except TimeoutError:
            timed_out = True
            _kill(process, group)
            await process.wait()
        finally:
            if watchdog is not None:
                watchdog.cancel()
            hit = self._limits_hit(before, group)
            if group is not None:
                group.remove()  # whatever the command left running dies with the call
            else:
                _kill(process, None)
        output = b"".join(chunks).decode("utf-8", errors="replace")
        if size > self.limits.output_bytes:
            output += f"\n[output cut at {self.limits.output_bytes:,} bytes of {size:,}]"
        output += self._limit_notes(hit, over_quota)
        return CommandResult(exit_code=124 if timed_out else process.returncode, output=output,
                             timed_out=timed_out, duration=time.monotonic() - started)

    def _limits_hit(self, before: dict[str, int], group: sl.ChildGroup | None) -> set[str]:
        """Which of the sandbox's limits ("pids", "memory") the command ran into."""
        if self._group is None or group is None:
            return set()
        after, own = self._group.counters(), group.counters()
        return {name for name in ("pids", "memory") if after[name] > before.get(name, 0) or own[name] > 0}

    def _limit_notes(self, hit: set[str], over_quota: bool) -> str:
        notes = []
        if "memory" in hit:
            notes.append(f"[the sandbox reached its memory limit of {self.limits.memory_mb:,} MB]")
        if "pids" in hit:
            notes.append(f"[the sandbox reached its limit of {self.limits.processes} processes]")
        if over_quota:
            notes.append(f"[stopped: the project's files passed its disk quota of {self.limits.disk_mb:,} MB]")
        return "".join("\n" + note for note in notes)

    # --- the app server -----------------------------------------------------------------------
    async def start_server(self, command: str, *, port: int) -> str:
        """Start the app under its supervisor; returns its address (unix:<socket>) once it listens.
        SandboxError, in plain words, when it refuses the port or never listens."""
        await self._stop_server()
        self.sockets.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.sockets / f"{self.workspace.name}.sock"
        path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(path))
        os.chmod(path, 0o600)
        listener.listen(64)
        supervisor = conf.SUPERVISOR_INSIDE if self.confinement.confined else str(conf.SUPERVISOR)
        group = self._group_for("app")
        try:
            process = await self._spawn(self._argv("python3", supervisor, "--port", str(int(port)), "--log", APP_LOG,
                                                   "--listen-fd", str(listener.fileno()), "--wait",
                                                   str(START_SECONDS - 2), "--", command),
                                        group, pass_fds=(listener.fileno(),))
        finally:
            listener.close()  # the supervisor holds it now: when the app goes, so does the way in
        status = await self._first_status(process)
        if status.get("status") != "listening":
            _kill(process, group)
            await process.wait()
            if group is not None:
                group.remove()
            raise SandboxError(start_problem(status, port, self.app_log(), seconds=START_SECONDS))
        self._server, self._server_group, self._server_command = process, group, (command, int(port))
        self._server_url, self.server_started_at = f"unix:{path}", time.time()
        self._drain = asyncio.create_task(_drain(process))
        return self._server_url

    async def _first_status(self, process: asyncio.subprocess.Process) -> dict:
        try:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=START_SECONDS)
            return json.loads(line or b"{}")
        except (TimeoutError, ValueError):
            return {"status": "refused", "reason": "not_listening"}

    def app_log(self) -> str:
        """The end of the app server's output (its supervisor keeps it in the workspace)."""
        try:
            return (self.workspace / APP_LOG).read_bytes()[-20_000:].decode("utf-8", errors="replace")
        except OSError:
            return ""

    async def preview_url(self) -> str | None:
        if self._server is not None and self._server.returncode is None:
            return self._server_url
        return None

    async def _stop_server(self) -> None:
        if self._server is not None:
            _kill(self._server, self._server_group)
            await self._server.wait()
            if self._server_group is not None:
                self._server_group.remove()
        if self._drain is not None:
            self._drain.cancel()
        self._server = self._server_group = self._drain = None

    # --- files (agent/services/workspace_files.py) -------------------------------------------
    async def read_file(self, path: str) -> bytes:
        return await asyncio.to_thread(workspace_files.read, self.workspace, path)

    async def write_file(self, path: str, data: bytes) -> None:
        await asyncio.to_thread(workspace_files.write, self.workspace, path, data)

    async def list_files(self, path: str = ".") -> list[str]:
        return await asyncio.to_thread(workspace_files.listing, self.workspace, path)

    # --- lifecycle ----------------------------------------------------------------------------
    async def pause(self) -> None:
        await self._stop_server()

    async def resume(self) -> None:
        if self._server_command and self._server is None:
            command, port = self._server_command
            await self.start_server(command, port=port)

    async def snapshot(self) -> bytes:
        return await asyncio.to_thread(workspace_files.pack, self.workspace)

    async def restore(self, archive: bytes) -> None:
        """Make the workspace exactly what the snapshot holds."""
        await asyncio.to_thread(workspace_files.unpack, self.workspace, archive)

    async def keep_alive(self, seconds: int = 900) -> None:
        """Nothing to renew: a local workspace does not expire."""

    async def close(self) -> None:
        """Stop the app and remove the sandbox's cgroup (the workspace and its mount stay)."""
        await self._stop_server()
        if self._group is not None:
            self._group.remove()
            self._group = None


async def _drain(process: asyncio.subprocess.Process) -> None:
    """Reads the supervisor's later status lines, so its pipe never fills."""
    while await process.stdout.readline():
        pass


def _kill(process: asyncio.subprocess.Process, group: sl.ChildGroup | None) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if group is not None:
        group.kill_all()
