"""The workspace's path rules: a file path the agent gives must stay inside the project. Absolute
paths, `..` and any symlink on the way are refused, checked one component at a time on open directory
handles, so swapping a directory for a symlink mid-call cannot escape. Shared by the local sandbox and
the E2B adapter; the errors are the sandboxes' errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path


class SandboxError(Exception):
    """A sandbox operation failed; the message is safe to show to the model and the founder."""


class PathRefused(SandboxError):
    """A path that is absolute, climbs out with `..`, or goes through a symlink."""


def check_relative(path: str) -> list[str]:
    """The components of a workspace-relative path; PathRefused for anything that could escape."""
    if not path or "\x00" in path:
        raise PathRefused("Give a file path inside the project, for example app/main.py.")
    if path.startswith(("/", "\\", "~")):
        raise PathRefused(f"“{path}” is an absolute path; use a path inside the project, for example app/main.py.")
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise PathRefused(f"“{path}” climbs out of the project with “..”; use a path inside it.")
    if not parts:
        raise PathRefused("Give a file path inside the project, for example app/main.py.")
    return parts


def open_beneath(root: Path, path: str, flags: int, *, mode: int = 0o644, make_dirs: bool = False) -> int:
    """Open `path` under `root` without following any symlink on the way (race-safe)."""
    parts = check_relative(path)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            try:
                next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except FileNotFoundError:
                if not make_dirs:
                    raise
                os.mkdir(part, 0o755, dir_fd=fd)
                next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        return os.open(parts[-1], flags | os.O_NOFOLLOW, mode, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            raise PathRefused(f"“{path}” goes through a link that leaves the project; it was refused.") from None
        raise
    finally:
        os.close(fd)
