"""Founders' apps nobody is looking at are stopped: an app whose preview has not been opened for
PREVIEW_IDLE_MINUTES (and that no running build needs) stops, its preview link is revoked, and the
build page shows "Your app is asleep" with its Wake button. The preview proxy notes each visit.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from agent import build_control, preview_tokens, store
from agent.db import Database
from agent.project_setup import project_of

NOTE_EVERY_SECONDS = 30  # the proxy writes a visit at most this often per project
_noted: dict[int, float] = {}


def _seen_key(project_id: int) -> str:
    return f"preview:seen:{project_id}"


async def visited(redis: Redis, project_id: int) -> None:
    """The preview of this project was just used (a page, an asset, a websocket)."""
    now = time.time()
    if now - _noted.get(project_id, 0.0) >= NOTE_EVERY_SECONDS:
        _noted[project_id] = now
        await redis.set(_seen_key(project_id), f"{now:.0f}", ex=7 * 24 * 3600)


async def stop_idle(*, sandboxes: dict, redis: Redis, db: Database, idle_seconds: float,
                    now: float | None = None) -> list[int]:
    """Stops the app of every sandbox here that has been idle `idle_seconds`; the projects stopped."""
    now = time.time() if now is None else now
    stopped = []
    for sandbox in list(sandboxes.values()):
        started = getattr(sandbox, "server_started_at", None)
        project_id = project_of(sandbox.workspace)
        if started is None or project_id is None or await sandbox.preview_url() is None:
            continue
        seen = await redis.get(_seen_key(project_id))
        last = max(started, float(seen or 0))
        if now - last < idle_seconds:
            continue
        run = await db.run(lambda s, p=project_id: build_control.latest_build(s, project_id=p))
        if run is not None and run.status in ("queued", "running"):
            continue  # the build may need its app (checks, screenshots)
        await sandbox.pause()
        revoked = await preview_tokens.revoke(redis, project_id=project_id)
        await db.run(lambda s, p=project_id, r=bool(revoked): store.audit(
            s, action="app_stopped_idle", project_id=p, idle_minutes=round((now - last) / 60), token_revoked=r))
        stopped.append(project_id)
    return stopped
