"""An app nobody looks at is stopped after PREVIEW_IDLE_MINUTES; one being looked at, or needed by a
running build, is not."""

import time
from datetime import timedelta

from sqlmodel import select

from agent import idle_apps, preview_tokens, store
from agent.models import AuditEntry
from agent.project_setup import workspace_path
from agent.services.local_sandbox import LocalSandbox


async def started_app(tmp_path, project_id):
    box = LocalSandbox(workspace_path(tmp_path, project_id), sockets=tmp_path / ".sockets")
    await box.start_server("python3 -m http.server 8000 --bind 127.0.0.1", port=8000)
    return box


async def test_an_app_nobody_looks_at_stops_and_its_link_goes(db, redis, founder, tmp_path):
    _, project, _ = founder
    box = await started_app(tmp_path, project.id)
    token, _ = await preview_tokens.issue(redis, project_id=project.id, user_id=1, seconds=600)
    try:
        kept = await idle_apps.stop_idle(sandboxes={"a": box}, redis=redis, db=db, idle_seconds=1800)
        assert kept == [] and await box.preview_url()  # just started: not idle yet
        later = time.time() + 1801
        assert await idle_apps.stop_idle(sandboxes={"a": box}, redis=redis, db=db, idle_seconds=1800,
                                         now=later) == [project.id]
        assert await box.preview_url() is None
        assert await preview_tokens.resolve(redis, token, seconds=600) is None
        with db.session() as s:
            entry = s.exec(select(AuditEntry).where(AuditEntry.action == "app_stopped_idle")
                           .order_by(AuditEntry.id.desc())).first()
        assert entry.detail["project_id"] == project.id and entry.detail["token_revoked"]
    finally:
        await box.close()


async def test_an_app_being_looked_at_or_needed_by_its_build_keeps_running(db, redis, founder, tmp_path):
    _, project, _ = founder
    box = await started_app(tmp_path, project.id)
    try:
        idle_apps._noted.pop(project.id, None)
        await idle_apps.visited(redis, project.id)  # the preview proxy saw a request just now
        assert await idle_apps.stop_idle(sandboxes={"a": box}, redis=redis, db=db, idle_seconds=60,
                                         now=time.time() + 30) == []
        with db.session() as s:
            run = store.create_run(s, project_id=project.id, kind="build")
            store.claim_run(s, run_id=run.id, owner="w", lease=timedelta(seconds=30))
        assert await idle_apps.stop_idle(sandboxes={"a": box}, redis=redis, db=db, idle_seconds=60,
                                         now=time.time() + 3600) == []  # a running build may need it
        assert await box.preview_url()
    finally:
        await box.close()
