"""Workspace snapshots: a tar.gz of the workspace with a manifest of file hashes, kept in object storage
at every phase boundary and before a run sleeps (the last KEEP per run), and the check after a resume.

When a run wakes (or finds its workspace empty, as a recreated E2B sandbox is), the workspace is
compared with the newest manifest; a missing or changed file means the environment was lost, so the
snapshot is restored and the agent is told which phase it was restored to. A failure here never fails
a build: it is logged and the build goes on.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tarfile
from dataclasses import dataclass

from agent.services.sandbox import Sandbox
from agent.services.storage import Storage

KEEP = 5
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
