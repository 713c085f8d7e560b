"""Benchmark: `kill -9` of the worker in the middle of a build -> the run's next event, and what the
run's events look like afterwards (nothing lost, nothing twice).

Each round starts the real arq worker on a private redis-server and a migrated SQLite database, runs
an offline build (the local sandbox, tests, the app, Chromium screenshots, guides), kills the worker's
whole process group with SIGKILL once the run has recorded 8 events, and starts a new worker at once.
The new worker's reconciler (a cron every 2 s, and once at startup) sees that the slice holding the
run's lease ran in a process of this machine that no longer exists, releases the lease and enqueues
the run, which goes on from its checkpoint. (A worker on another machine is noticed when its lease
lapses: 15 s, renewed every 4 s.) Measured: kill -> the first event the run records after it; then,
once the run is finished, whether its event seqs run 1..N without a gap or a repeat in the database and
in the Redis stream.

    python bench/recovery_bench.py --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis.asyncio import Redis  # noqa: E402

from agent import jobs, store, streams  # noqa: E402
from agent.db import Database  # noqa: E402
from tests.agent_core.test_build_worker import planned_project  # noqa: E402
from tests.support import migrate  # noqa: E402
from tests.support.servers import RedisServer  # noqa: E402
from tests.support.workers import kill_worker, start_worker, stop_worker  # noqa: E402

EVENTS_BEFORE_KILL = 8


async def wait_for(check, timeout: float, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := check()) is not None:
            return value
        await asyncio.sleep(every)
    return None


async def one_round(db: Database, redis: Redis, redis_url: str, env: dict[str, str]) -> dict:
    _, run = planned_project(db)

    def last_seq():
        with db.session() as s:
            return store.get_run(s, run_id=run.id).last_seq

    first, second = start_worker(**env), None
    try:
        pool = await jobs.create_queue(redis_url)
        await jobs.enqueue(pool, jobs.BUILD_SLICE, run.id)
        await pool.aclose()
        if await wait_for(lambda: True if last_seq() >= EVENTS_BEFORE_KILL else None, 120) is None:
            return {"error": "the build never got going"}
        kill_worker(first)
        killed_at, before = time.monotonic(), last_seq()
        second = start_worker(**env)
        resumed = await wait_for(lambda: time.monotonic() - killed_at if last_seq() > before else None, 120)

        def finished():
            with db.session() as s:
                status = store.get_run(s, run_id=run.id).status
            return status if status not in ("queued", "running") else None

        status = await wait_for(finished, 300, every=0.5)
        with db.session() as s:
            seqs = [r.seq for r in store.events_between(s, run_id=run.id, after_seq=0, newest=100_000)]
        stream = [streams.seq_of(entry_id) for entry_id, _ in await redis.xrange(streams.run_stream(run.id))]
        expected = list(range(1, (max(seqs) if seqs else 0) + 1))
        return {"run": run.id, "events_at_kill": before, "kill_to_next_event_s": round(resumed, 2) if resumed else None,
                "status": status, "events": len(seqs), "lost": len(set(expected) - set(seqs)),
                "duplicated": len(seqs) - len(set(seqs)), "stream_matches_database": stream == seqs}
    finally:
        for process in (first, second):
            stop_worker(process)


async def main(rounds: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="recovery-bench-"))
    server = RedisServer(work / "redis")
    url = f"sqlite:///{work / 'bench.db'}"
    migrate.upgrade(url)
    env = {"REDIS_URL": server.url, "DATABASE_URL": url, "DATA_DIR": str(work / "data")}
    os.environ.update(env)
    for name in ("ANTHROPIC_API_KEY", "E2B_API_KEY", "S3_BUCKET"):  # the offline co-founder, local sandbox and files
        os.environ.pop(name, None)
    db, redis = Database(url), Redis.from_url(server.url)
    try:
        results = [await one_round(db, redis, server.url, env) for _ in range(rounds)]
    finally:
        await redis.aclose()
        db.dispose()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    times = [r["kill_to_next_event_s"] for r in results if r.get("kill_to_next_event_s") is not None]
    return {"rounds": results, "kill_to_next_event_s": {"median": statistics.median(times) if times else None,
                                                        "max": max(times) if times else None},
            "lost": sum(r.get("lost", 0) for r in results), "duplicated": sum(r.get("duplicated", 0) for r in results)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    print(json.dumps(asyncio.run(main(parser.parse_args().rounds)), indent=1))
