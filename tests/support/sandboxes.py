"""A confined local sandbox as production opens one: bubblewrap, its own quota mount and cgroup limits."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from agent.services.local_sandbox import LocalSandbox
from agent.services.sandbox import Limits
from agent.services.sandbox_limits import unmount_quota


@asynccontextmanager
async def confined_box(root: Path, *, cpu_seconds=60, processes=64, memory_mb=192, disk_mb=64):
    """Project 1's sandbox under `root` (its workspace and the preview sockets), closed and unmounted after."""
    sandbox = LocalSandbox(root / "workspaces" / "project-1", sockets=root / "sockets", quota=True,
                           limits=Limits(cpu_seconds=cpu_seconds, processes=processes, memory_mb=memory_mb,
                                         disk_mb=disk_mb))
    try:
        yield sandbox
    finally:
        await sandbox.close()
        unmount_quota(sandbox.workspace)
