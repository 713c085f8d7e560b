"""The worker runs only its own jobs: job payloads are JSON, and Redis needs its password.

Finding 3 of the containment issue, replayed: a job written straight into Redis as a pickle whose
unpickling would run code. With arq's default (pickle) the marker file appeared; now the worker
refuses the payload without running any of it and goes on with the next (real) job.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import stat
import subprocess
import time
from pathlib import Path

import pytest
import redis as sync_redis

from agent import jobs, store
from agent.db import Database
from scripts import local_redis
from tests.support.workers import start_worker, stop_worker


class _Payload:
    """Unpickling this creates a folder: what an attacker's payload would do instead is anything."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


async def _wait_for(check, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_pickled_job_is_refused_without_running_it(redis, redis_url, tmp_path):
    marker = tmp_path / "the-pickle-ran"
    job_id = f"evil-{time.time_ns()}"
    job = {"t": 1, "f": jobs.SETUP_PROJECT, "a": [_Payload(marker)], "k": {}, "et": int(time.time() * 1000)}
    raw = sync_redis.Redis.from_url(redis_url)
    raw.set(f"arq:job:{job_id}", pickle.dumps(job))
    raw.zadd("arq:queue", {job_id: int(time.time() * 1000)})

    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:  # a real job queued behind it: once it is done, the pickle was read and refused
        user = store.create_user(s, email=f"pickle-{time.time_ns()}@example.com", password_hash="x")
        _, run = store.create_project(s, owner_id=user.id, name="After the pickle")
    pool = await jobs.create_queue(redis_url)
    await jobs.enqueue_setup(pool, run_id=run.id)
    worker = start_worker()
    try:
        async def real_job_done() -> bool:
            with db.session() as s:
                return store.get_run(s, run_id=run.id).status == "succeeded"

        assert await _wait_for(real_job_done), "the worker did not run the real job"
        assert not marker.exists(), "unpickling the job ran the attacker's code"
        assert raw.zscore("arq:queue", job_id) is None  # taken off the queue, not retried forever
    finally:
        stop_worker(worker)
        await pool.aclose()
        raw.close()
        db.dispose()


def test_jobs_travel_as_json():
    data = jobs.serialize({"f": jobs.BUILD_SLICE, "a": [7], "k": {}, "t": 1, "et": 1})
    assert data.startswith(b"{") and jobs.deserialize(data)["a"] == [7]
    with pytest.raises(ValueError):
        jobs.deserialize(pickle.dumps({"f": "x"}))
    assert b"RuntimeError" in jobs.serialize({"r": RuntimeError("failed"), "s": False})  # a failed job's result


def test_the_local_redis_refuses_a_connection_without_its_password(tmp_path):
    folder = tmp_path / "redis"
    url = local_redis.write_config(folder)
    assert local_redis.write_config(folder) == url  # the password is made once and kept
    assert stat.S_IMODE((folder / "password").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    server = subprocess.Popen(["redis-server", str(folder / "redis.conf")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        client = sync_redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                assert client.ping()
                break
            except sync_redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        anonymous = sync_redis.Redis(unix_socket_path=str(folder / "redis.sock"))
        with pytest.raises(sync_redis.AuthenticationError):
            anonymous.ping()
        with pytest.raises(sync_redis.AuthenticationError):
            sync_redis.Redis(unix_socket_path=str(folder / "redis.sock"), password="guess").ping()
        assert client.config_get("port")["port"] == "0"  # no TCP listener at all
    finally:
        server.terminate()
        server.wait(timeout=10)
