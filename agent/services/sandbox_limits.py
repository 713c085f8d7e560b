"""Limits on a local sandbox as a whole, not per process: processes and memory through a cgroup,
disk through a size-limited mount of the workspace.

A sandbox gets a cgroup of its own (under the worker's, so the host's own limits still hold) with a
pids and a memory limit; each command and the app server run in a child of it, so the limits count
everything the sandbox runs at once, and whatever a command leaves behind is killed with its child
group when the call ends. cgroup v1 (the pids and memory hierarchies) and v2 both work; where neither
is writable (not root, or a container that does not delegate it) the per-process rlimits of the
local sandbox are all there is, and `describe()` says so.

The workspace is an ext4 image (sparse: it takes only what is written) loop-mounted on the
workspace folder, so writing past the quota fails with "No space left on device". Where mounting is
not possible the sandbox measures the workspace while a command runs and stops the command once it
is over the quota (`workspace_bytes`).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
CGROUP_ROOT = Path("/sys/fs/cgroup")
SKIPPED = ("lost+found",)  # what the quota's file system adds at the workspace's root


def _own_cgroups() -> dict[str, str]:
    """controller (or "" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    found: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            found[controller] = path
    return found


def _writable(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK)


@dataclass(frozen=True)
class CgroupLayout:
    """Where sandbox cgroups are made: one folder per controller (v1) or one folder (v2)."""

    version: str  # "v1" or "v2"
    bases: tuple[Path, ...]

    def group(self, name: str, *, pids: int, memory_bytes: int) -> SandboxGroup:
        folders = tuple(base / name for base in self.bases)
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        group = SandboxGroup(self, folders, pids=pids, memory_bytes=memory_bytes)
        group.limit()
        return group

    def sweep(self, *, idle_seconds: float = 600) -> int:
        """Removes sandbox groups nothing has run in for `idle_seconds` (left by sandboxes never closed,
        or a killed worker); a sandbox whose group went this way makes it again on its next command.
        How many went."""
        removed, now = 0, time.time()
        for base in self.bases:
            for folder in sorted(base.glob("**/"), key=lambda f: len(f.parts), reverse=True):
                try:
                    if folder != base and now - folder.stat().st_mtime > idle_seconds \
                            and not (folder / "cgroup.procs").read_text().split():
                        folder.rmdir()
                        removed += 1
                except OSError:  # busy (a child, a process) or gone meanwhile
                    pass
        return removed


def find_cgroups() -> CgroupLayout | None:
    """A place this process may create limited cgroups in, or None."""
    own = _own_cgroups()
    v1 = [CGROUP_ROOT / c / own.get(c, "/").lstrip("/") / "cofounder" for c in ("pids", "memory")]
    if all(_writable(CGROUP_ROOT / c) for c in ("pids", "memory")) and "pids" in own and "memory" in own:
        try:
            for base in v1:
                base.mkdir(parents=True, exist_ok=True)
            return CgroupLayout("v1", tuple(v1))
        except OSError as exc:
            log.info("cgroup v1 not usable: %s", exc)
    if "" in own and (CGROUP_ROOT / "cgroup.controllers").exists():
        base = CGROUP_ROOT / own[""].lstrip("/") / "cofounder"
        try:
            base.mkdir(parents=True, exist_ok=True)
            (base / "cgroup.subtree_control").write_text("+pids +memory")
            return CgroupLayout("v2", (base,))
        except OSError as exc:
            log.info("cgroup v2 not usable: %s", exc)
    return None


class SandboxGroup:
    """One sandbox's cgroup (its limits) and its children: one per command, one for the app server."""

    def __init__(self, layout: CgroupLayout, folders: tuple[Path, ...], *, pids: int, memory_bytes: int):
        self.layout, self.folders, self.pids, self.memory_bytes = layout, folders, pids, memory_bytes

    def limit(self) -> None:
        pids, memory_bytes = self.pids, self.memory_bytes
        if self.layout.version == "v1":
            pid_folder, memory_folder = self.folders
            (pid_folder / "pids.max").write_text(str(pids))
            (memory_folder / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = memory_folder / "memory.memsw.limit_in_bytes"
            if swap.exists():
                try:
                    swap.write_text(str(memory_bytes))
                except OSError:
                    pass
        else:
            folder = self.folders[0]
            (folder / "pids.max").write_text(str(pids))
            (folder / "memory.max").write_text(str(memory_bytes))
            if (folder / "memory.swap.max").exists():
                (folder / "memory.swap.max").write_text("0")
            (folder / "cgroup.subtree_control").write_text("+pids +memory")

    def child(self, name: str) -> ChildGroup:
        if not all(folder.is_dir() for folder in self.folders):  # swept while idle: made again, limits and all
            for folder in self.folders:
                folder.mkdir(parents=True, exist_ok=True)
            self.limit()
        folders = tuple(folder / name for folder in self.folders)
        for folder in folders:
            folder.mkdir(exist_ok=True)
        return ChildGroup(folders, self.layout.version)

    def counters(self) -> dict[str, int]:
        """Times the sandbox hit its limits so far: {"pids": n, "memory": n}."""
        return _counters(self.layout.version, self.folders)

    def remove(self) -> None:
        for folder in [f for f in self.folders if f.is_dir()]:  # gone already: swept, or another sandbox's
            for child in folder.iterdir():
                if child.is_dir():
                    ChildGroup((child,)).kill_all()
                    _rmdir(child)
            _rmdir(folder)


class ChildGroup:
    def __init__(self, folders: tuple[Path, ...], version: str = "v1"):
        self.folders, self.version = folders, version

    def counters(self) -> dict[str, int]:
        """Times a process in this group was refused by the sandbox's limits (a fork, an allocation)."""
        return _counters(self.version, self.folders)

    def enter(self) -> None:
        """Move the calling process in (run in the child between fork and exec)."""
        for folder in self.folders:
            with open(folder / "cgroup.procs", "w") as procs:
                procs.write("0")

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in self.folders:
            try:
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            except OSError:
                pass
        return found

    def kill_all(self) -> None:
        """Kill everything in the group, however it got away from its parent (double forks too)."""
        for _ in range(20):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def remove(self) -> None:
        self.kill_all()
        for folder in self.folders:
            _rmdir(folder)


def _counters(version: str, folders: tuple[Path, ...]) -> dict[str, int]:
    """{"pids": refused forks, "memory": processes killed for memory} of a group:
    where the kernel counts them (the forking group or the limited one) differs by version, so callers
    look at both the sandbox's group and the command's."""
    def number(path: Path, key: str = "") -> int:
        try:
            lines = path.read_text().splitlines()
        except OSError:
            return 0
        for line in lines:
            parts = line.split()
            if not key and parts:
                return int(parts[-1])
            if len(parts) == 2 and parts[0] == key:
                return int(parts[1])
        return 0

    if version == "v1":
        pid_folder, memory_folder = folders
        return {"pids": number(pid_folder / "pids.events", "max"),
                "memory": number(memory_folder / "memory.oom_control", "oom_kill")}
    return {"pids": number(folders[0] / "pids.events", "max"), "memory": number(folders[0] / "memory.events", "oom_kill")}


def _rmdir(folder: Path) -> None:
    for _ in range(50):
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                return
            os.sched_yield()


# --- the workspace quota ------------------------------------------------------------------------------

def can_mount() -> bool:
    """Whether this process can loop-mount a workspace image (root, mkfs.ext4 and loop devices)."""
    return os.geteuid() == 0 and shutil.which("mkfs.ext4") is not None and Path("/dev/loop-control").exists()


def mount_quota(workspace: Path, size_mb: int) -> None:
    """Put `workspace` on an ext4 image of `size_mb` (made once, beside it); what the folder held
    before is moved in. Does nothing when it is already mounted."""
    if os.path.ismount(workspace):
        return
    image = workspace.with_name(workspace.name + ".ext4")
    fresh = not image.exists()
    if fresh:
        with open(image, "wb") as handle:
            handle.truncate(size_mb * 1024 * 1024)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", "-E", "nodiscard", str(image)], check=True,
                       capture_output=True, timeout=60)
    workspace.mkdir(parents=True, exist_ok=True)
    if fresh and any(workspace.iterdir()):  # an older workspace: its files go onto the image
        staging = Path(tempfile.mkdtemp(prefix=".quota-", dir=workspace.parent))
        try:
            _mount(image, staging)
            for child in workspace.iterdir():
                shutil.move(str(child), staging / child.name)
        finally:
            subprocess.run(["umount", str(staging)], capture_output=True, timeout=30)
            staging.rmdir()
    _mount(image, workspace)


def _mount(image: Path, target: Path) -> None:
    subprocess.run(["mount", "-o", "loop,nosuid,nodev,noatime", str(image), str(target)], check=True,
                   capture_output=True, timeout=30)


def unmount_quota(workspace: Path) -> None:
    if os.path.ismount(workspace):
        subprocess.run(["umount", "-l", str(workspace)], capture_output=True, timeout=30)


def workspace_bytes(workspace: Path, stop_at: int) -> int:
    """Bytes the workspace's files take on disk, counting stops once past `stop_at`."""
    total, folders = 0, [str(workspace)]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            total += info.st_blocks * 512
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
        if total > stop_at:
            break
    return total


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
