"""The project-setup job: give a new project its workspace directory and its storage prefix.

Every step records its event with a fixed `seq`, so if the worker dies half way and the job runs
again, the steps repeat harmlessly (they are idempotent) and no event is shown twice.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

from redis.asyncio import Redis

from agent import events as ev
from agent import journey_store as js
from agent import store
from agent.db import Database
from agent.models import Project
from agent.services.storage import Storage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
TOTAL_STEPS = 3


def workspace_path(root: Path, project_id: int) -> Path:
    return root / f"project-{project_id}"


def project_of(workspace: Path) -> int | None:
    """The project a workspace folder belongs to (the inverse of `workspace_path`), or None."""
    number = workspace.name.removeprefix("project-")
    return int(number) if workspace.name.startswith("project-") and number.isdigit() else None


def storage_prefix(project_id: int) -> str:
    return f"projects/{project_id}/"


async def set_up_project(
    *,
    db: Database,
    redis: Redis,
    storage: Storage,
    workspaces_root: Path,
    run_id: int,
    worker_id: str,
    maxlen: int = 1000,
) -> str:
    """Run the setup; returns the run's final status."""
    run = await db.run(lambda s: store.get_run(s, run_id=run_id))
    if run is None:
        log.warning("setup run %s does not exist; nothing to do", run_id)
        return "missing"
    if run.status in ("succeeded", "failed"):
        return run.status
    claimed = await db.run(lambda s: store.claim_run(s, run_id=run_id, owner=worker_id, lease=LEASE))
    if not claimed:
        return "busy"

    async def emit(event: ev.Event, seq: int | None = None) -> None:
        await store.record(db=db, redis=redis, run_id=run_id, event=event, seq=seq, maxlen=maxlen)

    project_id = run.project_id
    try:
        await emit(ev.RunStarted(kind="setup", title="Setting up your project"), seq=1)

        workspace = workspace_path(workspaces_root, project_id)
        workspace.mkdir(parents=True, exist_ok=True)
        await emit(ev.StepProgress(step="Created a private workspace for your project", done=1, total=TOTAL_STEPS), seq=2)

        prefix = storage_prefix(project_id)
        manifest = {"project_id": project_id, "created_by": "project-setup"}
        await storage.put(f"{prefix}project.json", json.dumps(manifest).encode(), content_type="application/json")
        await emit(ev.StepProgress(step="Set aside storage for your files and screenshots", done=2, total=TOTAL_STEPS), seq=3)

        def _ready(s) -> None:
            values = {"workspace_dir": str(workspace), "storage_prefix": prefix}
            if s.get(Project, project_id).status == "setting_up":  # the founder may already have moved on
                # a project started from a copied brief goes straight to the gate
                copied_brief = js.latest(s, project_id=project_id, kind="brief") is not None
                values["status"] = "brief_ready" if copied_brief else "ready"
            store.update_project(s, project_id=project_id, **values)

        await db.run(_ready)
        await db.run(lambda s: store.finish_run(s, run_id=run_id, status="succeeded"))
        await emit(ev.RunCompleted(kind="setup", message="Your project is ready"), seq=4)
        return "succeeded"
    except Exception as exc:
        log.exception("project setup failed for run %s", run_id)
        error = repr(exc)
        await db.run(lambda s: store.update_project(s, project_id=project_id, status="setup_failed"))
        await db.run(lambda s: store.finish_run(s, run_id=run_id, status="failed", error=error))
        await emit(ev.RunFailed(reason="We couldn't prepare your project's workspace. Please try again in a minute."))
        return "failed"
