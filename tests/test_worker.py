"""The real arq worker process: it picks up the setup job the web app enqueues and beats."""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent import heartbeat, jobs, store
from agent.db import Database
from agent.jobs import enqueue_setup

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def worker_process(redis_url):
    env = {**os.environ}
    process = subprocess.Popen([sys.executable, "-m", "arq", "agent.worker.WorkerSettings"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


async def test_the_worker_sets_up_a_new_project(worker_process, redis, redis_url):
    db = Database(os.environ["DATABASE_URL"])  # the same database the worker uses
    with db.session() as s:
        user = store.create_user(s, email=f"worker-{time.time_ns()}@example.com", password_hash="x")
        project, run = store.create_project(s, owner_id=user.id, name="Worker test")
    pool = await jobs.create_queue(redis_url)
    await enqueue_setup(pool, run_id=run.id)
    await enqueue_setup(pool, run_id=run.id)  # a double click enqueues one job
    deadline = time.monotonic() + 30
    status = ""
    while time.monotonic() < deadline:
        with db.session() as s:
            status = store.get_run(s, run_id=run.id).status
        if status == "succeeded":
            break
        await asyncio.sleep(0.1)
    assert status == "succeeded"
    latest = await heartbeat.latest(redis)
    assert latest is not None and time.time() - latest[1] < 15
    with db.session() as s:
        assert len(store.events_between(s, run_id=run.id, after_seq=0)) == 4
    await pool.aclose()
    db.dispose()
