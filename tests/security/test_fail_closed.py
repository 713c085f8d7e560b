"""Fail closed: finding 4 of the containment issue, replayed. Where bubblewrap is missing or cannot
start a sandbox, nothing runs unconfined: the build does not start, the founder reads "Builds are
switched off on this server", /api/health says why, and the refusal is in the audit log. Only an
explicit SANDBOX=unconfined runs agent code unconfined, loudly.

Also read back from the audit log here: preview tokens issued and revoked, and rate-limit refusals."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import col, select

from agent import build_control, build_view, heartbeat, preview_tokens
from agent import run_store
from agent.build_control import BuildControls
from agent.build_job import BuildDeps, build_slice
from agent.config import Settings
from agent.journey import JourneyError
from agent.models import AuditEntry
from agent.offline_builder import OfflineBuilder
from agent.services import confinement
from agent.services.adapters import sandbox_opener, sandbox_state
from tests.agent_core.conftest import Queue


def audited(db, action: str) -> list[AuditEntry]:
    with db.session() as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id).desc())))


@pytest.fixture
def no_bubblewrap(tmp_path, monkeypatch):
    """A PATH whose bwrap cannot make a sandbox (as in a container without user namespaces)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
    return Settings.from_env({"DATA_DIR": str(tmp_path / "data")})


def test_without_working_bubblewrap_the_sandbox_is_unavailable(no_bubblewrap, monkeypatch):
    state = sandbox_state(no_bubblewrap)
    assert not state.available and "Permission denied" in state.problem
    assert state.describe()["available"] is False
    monkeypatch.setenv("PATH", "/nowhere")
    assert "not installed" in sandbox_state(no_bubblewrap).problem


def test_unconfined_only_when_asked_and_loudly(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        state = sandbox_state(Settings.from_env({"SANDBOX": "unconfined", "DATA_DIR": str(tmp_path)}))
    assert state.available and state.confinement is confinement.UNCONFINED
    assert "SANDBOX=unconfined" in caplog.text and "never with real founders" in caplog.text
    assert state.describe()["confined"] is False


async def test_a_build_without_a_sandbox_fails_closed_in_plain_words(db, redis, planned, tmp_path, no_bubblewrap):
    user, project = planned
    controls = BuildControls(db=db, redis=redis, enqueue=Queue())
    run_id = await controls.start(project)
    state = sandbox_state(no_bubblewrap)

    async def nothing(*_):
        return None

    deps = BuildDeps(db=db, redis=redis, storage=None, llm=OfflineBuilder(), capture=nothing, enqueue=Queue(),
                     open_sandbox=sandbox_opener(no_bubblewrap, state), workspaces_root=tmp_path, worker_id="test")
    assert await build_slice(deps, run_id) == "failed"
    with db.session() as s:
        card = build_view.read(s, project_id=project.id, user_id=user.id)["card"]
    assert card.detail == "Builds are switched off on this server: the sandbox is not available."
    assert not list(tmp_path.rglob("*.py"))  # nothing was written, nothing ran
    assert audited(db, "sandbox_refused")[0].detail["project_id"] == project.id


async def test_starting_a_build_says_so_when_no_worker_has_a_sandbox(db, redis, planned):
    _, project = planned
    await redis.delete(heartbeat.HEARTBEATS, heartbeat.SANDBOXES)
    await heartbeat.beat(redis, "worker-without-bwrap")
    await heartbeat.report_sandbox(redis, "worker-without-bwrap", {"backend": "local", "available": False,
                                                                   "problem": "bubblewrap (bwrap) is not installed"})
    try:
        with pytest.raises(JourneyError, match="Builds are switched off on this server"):
            await BuildControls(db=db, redis=redis, enqueue=Queue()).start(project)
        with db.session() as s:
            assert s.get(type(project), project.id).status == "planned"  # nothing changed
        assert audited(db, "sandbox_refused")[0].detail["project_id"] == project.id
    finally:
        await heartbeat.forget(redis, "worker-without-bwrap")


async def test_preview_tokens_are_revoked_by_a_new_build_and_a_stop_and_audited(db, redis, planned):
    _, project = planned
    queue = Queue()
    controls = BuildControls(db=db, redis=redis, enqueue=queue)
    token, new = await preview_tokens.issue(redis, project_id=project.id, user_id=project.owner_id, seconds=60)
    assert new and await preview_tokens.resolve(redis, token, seconds=60) == project.id
    again, new = await preview_tokens.issue(redis, project_id=project.id, user_id=project.owner_id, seconds=60)
    assert (again, new) == (token, False)  # the same link while it lives: the frame does not reload
    run_id = await controls.start(project)
    assert await preview_tokens.resolve(redis, token, seconds=60) is None  # the new build's app gets a new one
    token, _ = await preview_tokens.issue(redis, project_id=project.id, user_id=project.owner_id, seconds=60)
    with db.session() as s:
        run_store.set_status(s, run_id=run_id, status="paused")
    await controls.stop(project)
    assert await preview_tokens.resolve(redis, token, seconds=60) is None
    assert [job for job, *_ in queue.jobs][-1] == "stop_app"  # and the app stops with the build
    revoked = audited(db, "preview_token_revoked")
    assert len([r for r in revoked if r.detail.get("project_id") == project.id]) == 2


async def test_rate_limits_say_so_in_plain_words_and_are_audited(db, redis, planned, monkeypatch):
    from agent.rate_limits import RateLimits
    from cofounder_app import deps

    _, project = planned
    limits = RateLimits.in_memory((("build", "2/hour"),))
    monkeypatch.setattr(deps, "rate_limits", lambda: limits)
    controls = BuildControls(db=db, redis=redis, enqueue=Queue(), limit=deps.limit)
    for _ in range(2):
        await deps.limit("build", project.owner_id)
    with pytest.raises(JourneyError, match="you can start builds again in 60 minutes"):
        await controls.start(project)
    assert audited(deps.db(), "rate_limited")[0].detail == {"rule": "build", "who": str(project.owner_id)}
    with db.session() as s:
        assert build_control.latest_build(s, project_id=project.id) is None
