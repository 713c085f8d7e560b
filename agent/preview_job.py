"""The founder's running app, started again: after a crash or a restart the build brings back the app
it had started, and the founder's Wake button (an arq job) starts a sleeping one. Either way with the
same command on the same port (in its own network namespace, nothing else can hold it), then
announced once it answers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import col, select

from agent import events as ev
from agent import preview_tokens
from agent import run_store as rs
from agent import snapshots
from agent import store
from agent.build_control import latest_event
from agent.models import Project, RunEvent
from agent.project_setup import workspace_path
from agent.services.app_http import wait_until_serving
from agent.services.sandbox import Sandbox

if TYPE_CHECKING:
    from agent.build_job import BuildDeps, SeqEmitter

log = logging.getLogger(__name__)


async def start_again(sandbox: Sandbox, started: dict) -> tuple[str, str, int]:
    """The app as `started` (a preview.ready payload) serving again: as it is when it still runs, else
    started again with the same command on the same port. (address, command, port)."""
    address = await sandbox.preview_url()
    command, port = started["command"], int(started.get("port") or 8000)
    if address is None:
        address = await sandbox.start_server(command, port=port)
    await wait_until_serving(address)
    return address, command, port


async def restart_app(deps: BuildDeps, run_id: int, sandbox: Sandbox, emit: SeqEmitter) -> None:
    """Start again the app this run had started, if it is not running (a new worker's sandbox); a
    failure is only logged: the agent starts the app itself when it needs it."""
    def _latest(s):
        return s.exec(select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.type == ev.PreviewReady.type)
                      .order_by(col(RunEvent.seq).desc())).first()

    started = await deps.db.run(_latest)
    if started is None or not started.payload.get("command") or await sandbox.preview_url() is not None:
        return
    try:
        url, command, port = await start_again(sandbox, started.payload)
    except Exception as exc:
        log.warning("could not restart the app of run %s: %r", run_id, exc)
        return
    await emit(ev.PreviewReady(url=url, command=command, port=port))


async def wake_preview(deps: BuildDeps, run_id: int) -> str:
    """Start the built app again after its sandbox slept (a worker restart, a paused E2B sandbox), first
    restoring the workspace from the newest snapshot when the sandbox came back empty."""
    run = await deps.db.run(lambda s: store.get_run(s, run_id=run_id))
    if run is None:
        return "missing"
    project = await deps.db.run(lambda s: s.get(Project, run.project_id))
    started = await deps.db.run(lambda s: latest_event(s, project_id=project.id, type_name=ev.PreviewReady.type))
    if started is None or not started.payload.get("command"):
        return "no preview"
    saved = await deps.db.run(lambda s: rs.latest_checkpoint(s, run_id=run_id)) or {}
    workspace = Path(project.workspace_dir or workspace_path(deps.workspaces_root, project.id))
    try:
        sandbox = await deps.open_sandbox(workspace, saved.get("extra", {}).get("sandbox_id", ""))
        if not await sandbox.list_files():  # a new sandbox (the old one expired): its files come back first
            prefix = project.files_prefix()
            if shot := await snapshots.latest(deps.storage, storage_prefix=prefix, run_id=started.run_id):
                await snapshots.verify(deps.storage, sandbox, shot)
        url, command, port = await start_again(sandbox, started.payload)
    except Exception as exc:
        log.warning("could not wake the preview of run %s: %r", run_id, exc)
        await store.record(db=deps.db, redis=deps.redis, run_id=run_id, maxlen=deps.maxlen,
                           event=ev.Narration(text="I couldn't wake your app just now; try again in a minute."))
        return "failed"
    await store.record(db=deps.db, redis=deps.redis, run_id=run_id, maxlen=deps.maxlen,
                       event=ev.PreviewReady(url=url, command=command, port=int(port)))
    return "awake"


async def stop_app(deps: BuildDeps, run_id: int) -> str:
    """The founder stopped the build: its app stops with it, and its preview link stops working."""
    run = await deps.db.run(lambda s: store.get_run(s, run_id=run_id))
    if run is None:
        return "missing"
    await app_stopped(deps, run.project_id)
    project = await deps.db.run(lambda s: s.get(Project, run.project_id))
    saved = await deps.db.run(lambda s: rs.latest_checkpoint(s, run_id=run_id)) or {}
    workspace = Path(project.workspace_dir or workspace_path(deps.workspaces_root, project.id))
    try:
        sandbox = await deps.open_sandbox(workspace, saved.get("extra", {}).get("sandbox_id", ""))
        await sandbox.pause()
    except Exception as exc:
        log.warning("could not stop the app of run %s: %r", run_id, exc)
        return "failed"
    return "stopped"


async def app_stopped(deps: BuildDeps, project_id: int) -> None:
    """The project's preview token is revoked (its app is stopping or a new build begins)."""
    if await preview_tokens.revoke(deps.redis, project_id=project_id):
        await deps.db.run(lambda s: store.audit(s, action="preview_token_revoked", project_id=project_id))
