"""The project-setup job body, with a real database, Redis and local storage."""

import json

from agent import store, streams
from agent.project_setup import set_up_project
from agent.services.storage import LocalStorage, StorageError


async def run_setup(db, redis, storage, tmp_path, run_id, worker="w1"):
    return await set_up_project(db=db, redis=redis, storage=storage, workspaces_root=tmp_path / "ws",
                                run_id=run_id, worker_id=worker)


async def test_setup_gives_the_project_a_workspace_and_storage(db, redis, founder, tmp_path):
    user, project, run = founder
    storage = LocalStorage(tmp_path / "store")
    assert await run_setup(db, redis, storage, tmp_path, run.id) == "succeeded"

    assert (tmp_path / "ws" / f"project-{project.id}").is_dir()
    manifest = json.loads(await storage.get(f"projects/{project.id}/project.json"))
    assert manifest["project_id"] == project.id
    with db.session() as s:
        saved = store.owned_project(s, owner_id=user.id, project_id=project.id)
        assert (saved.status, saved.storage_prefix) == ("ready", f"projects/{project.id}/")
        assert store.get_run(s, run_id=run.id).status == "succeeded"
        summaries = [e.type for e in store.events_between(s, run_id=run.id, after_seq=0)]
    assert summaries == ["run.started", "run.progress", "run.progress", "run.completed"]
    assert [e[0] for e in await redis.xrange(streams.run_stream(run.id))] == ["1-1", "2-1", "3-1", "4-1"]


async def test_running_setup_again_adds_nothing(db, redis, founder, tmp_path):
    _, _, run = founder
    storage = LocalStorage(tmp_path / "store")
    await run_setup(db, redis, storage, tmp_path, run.id)
    assert await run_setup(db, redis, storage, tmp_path, run.id, worker="w2") == "succeeded"
    assert await redis.xlen(streams.run_stream(run.id)) == 4


async def test_a_setup_interrupted_half_way_finishes_without_duplicates(db, redis, founder, tmp_path):
    _, _, run = founder
    storage = LocalStorage(tmp_path / "store")

    class DiesOnce(LocalStorage):
        calls = 0

        async def put(self, key, data, **kw):
            DiesOnce.calls += 1
            if DiesOnce.calls == 1:
                raise KeyboardInterrupt  # the worker process is killed in the middle of the job
            await super().put(key, data, **kw)

    try:
        await run_setup(db, redis, DiesOnce(tmp_path / "store"), tmp_path, run.id)
    except KeyboardInterrupt:
        pass
    with db.session() as s:  # the lease of the dead worker expires
        s.get(type(run), run.id).lease_owner = ""
        s.commit()
    assert await run_setup(db, redis, storage, tmp_path, run.id, worker="w2") == "succeeded"
    with db.session() as s:
        seqs = [e.seq for e in store.events_between(s, run_id=run.id, after_seq=0)]
    assert seqs == [1, 2, 3, 4]
    assert [e[0] for e in await redis.xrange(streams.run_stream(run.id))] == ["1-1", "2-1", "3-1", "4-1"]


async def test_a_storage_failure_is_reported_in_plain_english(db, redis, founder, tmp_path):
    user, project, run = founder

    class Broken(LocalStorage):
        async def put(self, key, data, **kw):
            raise StorageError("disk full")

    assert await run_setup(db, redis, Broken(tmp_path), tmp_path, run.id) == "failed"
    with db.session() as s:
        assert store.owned_project(s, owner_id=user.id, project_id=project.id).status == "setup_failed"
        last = store.events_between(s, run_id=run.id, after_seq=0)[-1]
        failed_run = store.get_run(s, run_id=run.id)
    assert last.type == "run.failed" and "couldn't prepare" in last.payload["reason"]
    assert "disk full" not in last.payload["reason"] and "disk full" in failed_run.error


async def test_a_missing_run_is_a_no_op(db, redis, tmp_path):
    assert await run_setup(db, redis, LocalStorage(tmp_path), tmp_path, 987654321) == "missing"
