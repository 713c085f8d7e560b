"""What the reliability tests share: a founder's planned project and a build slice's collaborators."""

import uuid

import pytest

from agent import store
from agent.build_job import BuildDeps
from agent.services.confinement import UNCONFINED
from agent.services.local_sandbox import LocalSandbox
from agent.services.storage import LocalStorage
from tests.agent_core.conftest import planned_project


@pytest.fixture
def planned(db):
    with db.session() as s:
        user = store.create_user(s, email=f"r-{uuid.uuid4().hex[:12]}@example.com", password_hash="x")
    return user, planned_project(db, user)


def deps_for(db, redis, model, tmp_path, queue, worker_id="worker-1"):
    async def open_sandbox(workspace, _sandbox_id):
        return LocalSandbox(workspace, confinement=UNCONFINED)

    async def no_capture(*_args, **_kwargs):
        raise RuntimeError("no browser here")

    return BuildDeps(db=db, redis=redis, storage=LocalStorage(tmp_path / "files"), llm=model, capture=no_capture,
                     enqueue=queue, open_sandbox=open_sandbox, workspaces_root=tmp_path, worker_id=worker_id)


