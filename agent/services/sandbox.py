"""Where the agent's commands run and its files live: one protocol, the local sandbox (default,
`local_sandbox.py`: bubblewrap and whole-sandbox limits) and the E2B adapter (`e2b_sandbox.py`).

A sandbox's app server is reached through the address `start_server` returns: `unix:<socket>` for
the local sandbox (the app has no network of its own), an https URL for E2B. `agent/services/app_http.py`
turns either into an HTTP client.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Protocol

from agent.services.workspace_paths import PathRefused, SandboxError  # noqa: F401  (the protocol's errors)

SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
APP_LOG = ".cofounder/app.log"  # where a sandbox keeps its app server's output (the agent can read it)


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    output: str  # stdout and stderr, interleaved as they came
    timed_out: bool = False
    duration: float = 0.0


@dataclass(frozen=True)
class Limits:
    """A sandbox's limits: memory, processes and disk for the sandbox as a whole (where the machine
    allows: see sandbox_limits.py), the rest per process."""

    cpu_seconds: int = 300
    memory_mb: int = 2048
    processes: int = 256
    disk_mb: int = 2048
    tmp_mb: int = 256
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


def start_problem(status: dict, port: int, output: str, *, seconds: float) -> str:
    """What the app supervisor's status (agent/services/app_supervisor.py) means, for the model."""
    reason = status.get("reason", "")
    if reason == "port_in_use":
        return (f"Port {port} is already in use by another program in the sandbox; start the app on another "
                "port or stop that program first.")
    if reason == "not_ours":
        return f"Something other than the app's command is listening on port {port}; the app was not started."
    tail = output[-3000:].strip() or "(no output)"
    if status.get("status") == "exited":
        return f"The app exited with code {status.get('code')} before it listened on port {port}. Its output:\n{tail}"
    return f"The app did not listen on port {port} within {seconds:.0f} s. Its output so far:\n{tail}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


