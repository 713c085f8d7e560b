"""A local workspace's files, as the sandbox's file tools and snapshots see them: read, write and
list under the path rules of `workspace_paths.py` (component by component, never through a link),
and pack and unpack the whole workspace. Blocking calls: the sandbox runs them in a thread.

What is ours rather than the project's (`.cofounder/`, the app's log; `lost+found`, which the quota's
file system adds) is never listed, snapshotted or restored over.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tarfile
from pathlib import Path

from agent.services.sandbox_limits import SKIPPED
from agent.services.workspace_paths import PathRefused, SandboxError, check_relative, open_beneath

HIDDEN = (".cofounder", *SKIPPED)
MAX_LISTED, MAX_DEPTH = 2000, 40
SKIPPED_FOLDERS = ("node_modules", "__pycache__")


def read(workspace: Path, path: str) -> bytes:
    try:
        fd = open_beneath(workspace, path, os.O_RDONLY)
    except FileNotFoundError:
        raise SandboxError(f"There is no file “{path}” in the project.") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise SandboxError(f"“{path}” is not a file.")
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def write(workspace: Path, path: str, data: bytes) -> None:
    fd = open_beneath(workspace, path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, make_dirs=True)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def listing(workspace: Path, path: str = ".") -> list[str]:
    """The project's files (at most MAX_LISTED, MAX_DEPTH folders deep), each folder opened from the
    workspace component by component without following links: no link and no depth leads out."""
    start = [] if path in (".", "") else check_relative(path)
    found: list[str] = []
    pending = [start]
    while pending and len(found) < MAX_LISTED:
        parts = pending.pop()
        try:
            fd = open_beneath(workspace, "/".join(parts), os.O_RDONLY | os.O_DIRECTORY) if parts \
                else os.open(workspace, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            if parts == start:
                raise PathRefused(f"“{path}” is not a folder inside the project.") from None
            continue
        try:
            entries = sorted(os.scandir(fd), key=lambda e: e.name, reverse=True)
        finally:
            os.close(fd)
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_file(follow_symlinks=False):
                found.append("/".join([*parts, entry.name]))
            elif entry.is_dir(follow_symlinks=False) and len(parts) < MAX_DEPTH and not entry.name.startswith(".") \
                    and entry.name not in SKIPPED_FOLDERS and not (not parts and entry.name in HIDDEN):
                pending.append([*parts, entry.name])
    return sorted(found)[:MAX_LISTED]


def pack(workspace: Path) -> bytes:
    """The workspace as a tar.gz (no links, nothing of ours)."""
    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        top = info.name.removeprefix("./").split("/", 1)[0]
        return None if info.issym() or info.islnk() or top in HIDDEN else info

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(workspace, arcname=".", filter=keep)
    return buffer.getvalue()


def unpack(workspace: Path, archive: bytes) -> None:
    """Make the workspace exactly what the archive holds (made again if it was deleted)."""
    workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
    for child in workspace.iterdir():
        if child.name in HIDDEN:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        tar.extractall(workspace, filter="data")
