"""How the local sandbox confines what the agent runs, and whether it can on this machine.

Every command, the app server included, runs under bubblewrap: its own user (uid 1000, no
capabilities, no nested user namespaces), PID, IPC, UTS and network namespaces (no route to the
host: Redis, the database, the web app and other previews are all out of reach; only loopback is
up), a read-only view of the system's /usr, a small private /tmp, the web stack generated apps are built on
(read-only at /opt/appstack, see `agent/appstack`), and the project's workspace as the only
writable folder. `probe` runs a trial command at the worker's start: builds refuse to start when
it fails (fail closed), unless the operator chose `SANDBOX=unconfined` for development, which is
logged loudly and shown on /api/health.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from agent import appstack
from agent.services import sandbox_limits
from agent.services.workspace_paths import SandboxError

log = logging.getLogger(__name__)
SUPERVISOR = Path(__file__).with_name("app_supervisor.py")
SUPERVISOR_INSIDE = "/opt/cofounder/supervisor.py"
UNAVAILABLE = "Builds are switched off on this server: the sandbox is not available."


class SandboxUnavailable(SandboxError):
    """Commands cannot be confined here, so none are run."""

    def __init__(self, detail: str):
        super().__init__(UNAVAILABLE)
        self.detail = detail


@dataclass(frozen=True)
class Confinement:
    """What this machine gives the local sandbox; built once by `probe`."""

    confined: bool
    bwrap: str = ""  # the bubblewrap that was probed (a full path)
    cgroups: sandbox_limits.CgroupLayout | None = None
    quota_mounts: bool = False
    detail: str = ""
    warnings: tuple[str, ...] = field(default=())

    def describe(self) -> dict[str, object]:
        """For /api/health and the worker's log."""
        return {
            "confined": self.confined,
            "isolation": "bubblewrap" if self.confined else "none (SANDBOX=unconfined, development only)",
            "processes_and_memory": f"cgroup {self.cgroups.version}" if self.cgroups else "per process (rlimits)",
            "disk": "size-limited mount" if self.quota_mounts else "measured while commands run",
            "detail": self.detail,
            "web_stack": "installed" if appstack.installed() else "missing (run make run or make test to install it)",
        }


UNCONFINED = Confinement(confined=False, detail="SANDBOX=unconfined: agent code runs as a plain process")


def bwrap_argv(workspace: Path, *, bwrap: str = "bwrap", tmp_mb: int = 256) -> list[str]:
    """bubblewrap's arguments for a confined command in `workspace` (the command follows)."""
    argv = [bwrap, "--unshare-user", "--uid", "1000", "--gid", "1000", "--disable-userns",
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try",
            "--die-with-parent", "--ro-bind", "/usr", "/usr"]
    # No --new-session: the command already runs in a session of its own without a terminal
    # (start_new_session, stdin /dev/null), whose CPU weight the sandbox sets (agent/priority.py).
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink(f"/{link}"):
            argv += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
        elif os.path.isdir(f"/{link}"):
            argv += ["--ro-bind", f"/{link}", f"/{link}"]
    argv += ["--ro-bind-try", "/etc/ssl", "/etc/ssl", "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
             "--ro-bind", str(SUPERVISOR), SUPERVISOR_INSIDE,
             "--ro-bind-try", str(appstack.location()), appstack.INSIDE,
             "--proc", "/proc", "--dev", "/dev", "--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp",
             "--bind", str(workspace), "/workspace", "--chdir", "/workspace"]
    return argv


def probe(*, unconfined: bool = False, scratch: Path | None = None) -> Confinement:
    """What the local sandbox can use here; SandboxUnavailable when bubblewrap cannot confine."""
    if unconfined:
        log.warning("SANDBOX=unconfined: the agent's commands run as plain processes of the worker, with its "
                    "files and network in reach. For development only, never with real founders.")
        return UNCONFINED
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    scratch = scratch or Path("/tmp")
    trial = scratch / sandbox_limits.unique_name(".bwrap-probe")
    trial.mkdir(parents=True)
    try:
        result = subprocess.run([*bwrap_argv(trial, bwrap=bwrap), "/bin/sh", "-c",
                                 "touch /workspace/ok && ! unshare -U true"],
                                capture_output=True, text=True, timeout=20, env={"PATH": "/usr/bin:/bin"})
        if result.returncode != 0 or not (trial / "ok").exists():
            detail = (result.stderr or result.stdout).strip()[:300] or f"exit code {result.returncode}"
            raise SandboxUnavailable(f"bubblewrap cannot start a sandbox here: {detail}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(f"bubblewrap cannot start a sandbox here: {exc}") from None
    finally:
        shutil.rmtree(trial, ignore_errors=True)
    cgroups = sandbox_limits.find_cgroups()
    quota = sandbox_limits.can_mount()
    warnings = []
    if cgroups is None:
        warnings.append("no writable cgroup: process and memory limits apply per process only")
    if not quota:
        warnings.append("workspaces cannot be mounted: the disk quota is measured while commands run")
    for warning in warnings:
        log.warning("sandbox: %s", warning)
    return Confinement(confined=True, bwrap=bwrap, cgroups=cgroups, quota_mounts=quota, detail=f"bubblewrap ({bwrap})",
                       warnings=tuple(warnings))
