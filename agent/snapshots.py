"""Workspace snapshots: a tar.gz of the workspace with a manifest of file hashes, kept in object storage
at every phase boundary and before a run sleeps (the last KEEP per run), and the check after a resume.

When a run wakes (or finds its workspace empty, as a recreated E2B sandbox is), the workspace is
compared with the newest manifest; a missing or changed file means the environment was lost, so the
snapshot is restored and the agent is told which phase it was restored to. A failure here never fails
a build: it is logged and the build goes on.

A snapshot that could not be stored is not forgotten (`keep`): the run's state (checkpointed with every
step) remembers it, the founder is told once what was not saved, and it is taken again at a later
step (`retry`, every RETRY_SECONDS) and before the run fails or rests, until it is stored. What the
founder is told about their work being saved (`told`) comes from that record, never a fixed phrase.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tarfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from agent.services.sandbox import Sandbox
from agent.services.storage import Storage

KEEP = 5
RETRY_SECONDS = 60.0  # how often a snapshot that could not be stored is tried again
UNSAVED, SAVED = "unsaved_snapshot", "saved_snapshot"  # the run state's record (LoopState.extra)
log = logging.getLogger(__name__)


def manifest(archive: bytes) -> dict[str, str]:
    """Path -> sha256 of every regular file in a workspace archive."""
    files: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                data = tar.extractfile(member)
                files[member.name.removeprefix("./")] = hashlib.sha256(data.read() if data else b"").hexdigest()
    return files


def differences(saved: dict[str, str], current: dict[str, str]) -> list[str]:
    """Files of the snapshot that are missing or changed now (new files are not a loss)."""
    return sorted(path for path, digest in saved.items() if current.get(path) != digest)


@dataclass(frozen=True)
class Snapshot:
    key: str
    manifest_key: str
    label: str  # "the end of phase 2: Sign-up" (what the agent is told when it is restored)


def _prefix(storage_prefix: str, run_id: int) -> str:
    return f"{storage_prefix}snapshots/run-{run_id}/"


async def latest(storage: Storage, *, storage_prefix: str, run_id: int) -> Snapshot | None:
    """The run's newest snapshot, or None."""
    try:
        archives = sorted(k for k in await storage.list(_prefix(storage_prefix, run_id)) if k.endswith(".tar.gz"))
        if not archives:
            return None
        manifest_key = archives[-1].removesuffix(".tar.gz") + ".manifest.json"
        label = json.loads(await storage.get(manifest_key)).get("label", "the last snapshot")
        return Snapshot(key=archives[-1], manifest_key=manifest_key, label=label)
    except Exception as exc:
        log.warning("could not read the snapshots of run %s: %r", run_id, exc)
        return None


async def take(storage: Storage, sandbox: Sandbox, *, storage_prefix: str, run_id: int, number: int,
               label: str) -> Snapshot | None:
    """Snapshot the workspace (numbered, so they sort), keep the newest KEEP; None if it failed."""
    try:
        archive = await sandbox.snapshot()
        base = f"{_prefix(storage_prefix, run_id)}{number:05d}"
        shot = Snapshot(key=f"{base}.tar.gz", manifest_key=f"{base}.manifest.json", label=label)
        await storage.put(shot.key, archive, content_type="application/gzip")
        await storage.put(shot.manifest_key, json.dumps({"label": label, "files": manifest(archive)},
                                                         sort_keys=True).encode(), content_type="application/json")
        archives = sorted(k for k in await storage.list(_prefix(storage_prefix, run_id)) if k.endswith(".tar.gz"))
        for old in archives[:-KEEP]:
            await storage.delete(old)
            await storage.delete(old.removesuffix(".tar.gz") + ".manifest.json")
        return shot
    except Exception as exc:
        log.warning("could not snapshot the workspace of run %s: %r", run_id, exc)
        return None


async def verify(storage: Storage, sandbox: Sandbox, shot: Snapshot) -> str:
    """ "" when the workspace still holds the snapshot's files; otherwise restores the snapshot and
    returns what to tell the agent."""
    try:
        saved = json.loads(await storage.get(shot.manifest_key))["files"]
        lost = differences(saved, manifest(await sandbox.snapshot()))
        if not lost:
            return ""
        await sandbox.restore(await storage.get(shot.key))
        return (f"Your environment was restored to {shot.label} ({len(lost)} file(s) had been lost or changed). "
                "Check what you did after that point and redo it if needed.")
    except Exception as exc:
        log.warning("could not verify or restore a snapshot (%s): %r", shot.key, exc)
        return ""


async def keep(storage: Storage, sandbox: Sandbox, extra: dict[str, Any], *, storage_prefix: str, run_id: int,
               number: int, label: str, say: Callable[[str], Awaitable[None]]) -> Snapshot | None:
    """`take`, with the outcome recorded in the run's state: a failure is remembered (and the founder
    told, once) so `retry` takes it again; a success clears it (and says so, if it had failed)."""
    shot = await take(storage, sandbox, storage_prefix=storage_prefix, run_id=run_id, number=number, label=label)
    had_failed = UNSAVED in extra
    if shot is None:
        extra[UNSAVED] = {"label": label, "tried_at": time.time()}
        if not had_failed:
            await say(f"I couldn't save a copy of your work at {label}: the file store isn't answering. The files "
                      "are still in the workspace, and I'll save them again in a minute.")
        return None
    extra.pop(UNSAVED, None)
    extra[SAVED] = label
    if had_failed:
        await say(f"Your work is saved again (a copy as of {label}).")
    return shot


async def retry(storage: Storage, sandbox: Sandbox, extra: dict[str, Any], *, storage_prefix: str, run_id: int,
                number: int, say: Callable[[str], Awaitable[None]], now: bool = False) -> None:
    """Take again a snapshot that could not be stored, if RETRY_SECONDS have passed (or `now`)."""
    pending = extra.get(UNSAVED)
    if pending and (now or time.time() - float(pending.get("tried_at", 0)) >= RETRY_SECONDS):
        await keep(storage, sandbox, extra, storage_prefix=storage_prefix, run_id=run_id, number=number,
                   label=str(pending.get("label", "the latest step")), say=say)


def told(extra: dict[str, Any]) -> str:
    """What is true of the founder's work, in one sentence."""
    if UNSAVED in extra:
        return ("A copy of your work could not be saved to storage; the files are kept in the build's "
                "workspace for now.")
    if SAVED in extra:
        return f"Your work is saved (as of {extra[SAVED]})."
    return "Your plan and the build's progress so far are kept."


MARK = ".cofounder/workspace"  # written when a slice opens its workspace; gone = the workspace was lost


async def mark(sandbox: Sandbox, run_id: int) -> None:
    """Mark the workspace as this run's (hidden from the agent's listings and from snapshots)."""
    try:
        await sandbox.write_file(MARK, f"run {run_id}\n".encode())
    except Exception as exc:
        log.warning("could not mark the workspace of run %s: %r", run_id, exc)


async def recover(storage: Storage, sandbox: Sandbox, *, storage_prefix: str, run_id: int,
                  say: Callable[[str], Awaitable[None]]) -> str:
    """After a failed call: if the workspace was lost (deleted, emptied, recreated: its mark is gone),
    bring back every file of the newest snapshot that is missing now (what exists now is newer and is
    kept), mark it again and return what to tell the agent; "" while the workspace is there. The
    founder is told in plain words, never where the workspace lives."""
    try:
        await sandbox.read_file(MARK)
        return ""
    except Exception:  # the mark is gone, and with it the workspace as the run left it
        pass
    shot = await latest(storage, storage_prefix=storage_prefix, run_id=run_id)
    restored = 0
    try:
        try:
            present = set(await sandbox.list_files())
        except Exception:  # the folder itself is gone: made again, empty
            await sandbox.restore(_EMPTY)
            present = set()
        if shot is not None:
            restored = await _bring_back(sandbox, await storage.get(shot.key), present)
        await sandbox.write_file(MARK, f"run {run_id}\n".encode())
    except Exception as exc:
        log.warning("could not restore the lost workspace of run %s: %r", run_id, exc)
        return ""
    if shot is None:
        await say("The build's workspace was lost before any copy of it was saved, so I'm starting its files again.")
        return ("The workspace was lost (its files were deleted) and no snapshot had been saved yet. Write the "
                "app's files again from the plan, then start the app and check it.")
    await say(f"The build's workspace was lost; I restored it from {shot.label} and am redoing what came after.")
    return (f"The workspace was lost (its files were deleted); {restored} file(s) were restored from the snapshot "
            f"of {shot.label}. Anything written after that point and not in the workspace now is gone: check "
            "the files, redo that work, and start the app again (start_app) if it was running.")


async def _bring_back(sandbox: Sandbox, archive: bytes, present: set[str]) -> int:
    """Write each regular file of the archive that the workspace does not hold now; returns how many."""
    count = 0
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("./")
            if member.isfile() and name not in present and (data := tar.extractfile(member)) is not None:
                await sandbox.write_file(name, data.read())
                count += 1
    return count
def _empty_archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz"):
        pass
    return buffer.getvalue()


_EMPTY = _empty_archive()
