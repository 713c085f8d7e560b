"""Benchmark: offline builds in the real worker while production's faults are injected, one fault per row.

Each row starts its own redis-server, migrated SQLite database and data folder, starts the real arq
worker (the local sandbox, the offline co-founder, Chromium screenshots) and runs `--builds` builds one
after another, injecting the row's fault into each once it has recorded `AT_EVENTS` events:

    duplicate-job        the run's slice enqueued a second time under another job id
    flush-at-hand-over   FLUSHALL the moment a slice has handed over (its continuation job is lost)
    redis-down-2s/8s/30s redis-server stopped, started again empty that many seconds later
    sqlite-locked-12s/20s another writer holds an exclusive lock on the database that long
    storage-503          object storage (the S3 adapter, boto3) answering 503 to everything, all build long
    storage-silent       object storage that accepts connections and never answers, all build long
    workspace-deleted    the project's workspace deleted after phase 1 is done (mid-slice)
    sigterm              SIGTERM to the worker running the build, a second worker already up
    kill-9               SIGKILL to the worker's process group, a new worker started at once

Reported per row: builds finished / stuck / failed, events lost and duplicated (the database's seqs
against 1..N), ledger rows against model calls (UsageRecorded events), and the seconds from the end of
the fault to the run's next event. Model faults (429, 529, stalls, "prompt is too long", spend limits)
are measured against the real Claude adapter in bench/agent_scenarios.py.

    python bench/faults_bench.py --builds 2 [--only redis-down-8s,kill-9]

Not a test: the table goes to docs/BENCHMARKS.md with the command that produced it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
from redis.asyncio import Redis  # noqa: E402
from sqlmodel import select  # noqa: E402

from agent import events as ev  # noqa: E402
from agent import jobs, store  # noqa: E402
from agent.db import Database  # noqa: E402
from agent.models import Project, RunEvent, UsageEntry  # noqa: E402
from agent.project_setup import workspace_path  # noqa: E402
from tests.agent_core.conftest import planned_project  # noqa: E402
from tests.support import migrate  # noqa: E402
from tests.support.servers import MotoServer, RedisServer, SilentStore, UnavailableStore  # noqa: E402
from tests.support.workers import kill_worker, start_worker, stop_worker  # noqa: E402
from recovery_bench import wait_for as until  # noqa: E402  (bench/ is on the path when run)

AT_EVENTS = 20
DONE = ("succeeded", "failed", "needs_input", "stopped", "budget_exceeded")
FAULTS = ["duplicate-job", "flush-at-hand-over", "redis-down-2s", "redis-down-8s", "redis-down-30s",
          "sqlite-locked-12s", "sqlite-locked-20s", "storage-503", "storage-silent", "workspace-deleted",
          "sigterm", "kill-9"]


class Row:
    """One fault's private stack: Redis, SQLite, a data folder, and the workers started for it."""

    def __init__(self, fault: str):
        self.fault, self.work = fault, Path(tempfile.mkdtemp(prefix=f"faults-{fault}-"))
        self.redis_server = RedisServer(self.work / "redis")
        self.db_path = self.work / "bench.db"
        self.url = f"sqlite:///{self.db_path}"
        migrate.upgrade(self.url)
        self.db = Database(self.url)
        self.env = {"REDIS_URL": self.redis_server.url, "DATABASE_URL": self.url, "DATA_DIR": str(self.work / "data"),
                    "WORKER_NICE": "0", "WORKER_POLL_DELAY": "0.05",
                    "AGENT_SLICE_STEPS": "4" if fault == "flush-at-hand-over" else "25"}
        self.store_server = None
        if fault.startswith("storage-"):
            self.store_server = UnavailableStore() if fault == "storage-503" else SilentStore()
            self.env.update(S3_BUCKET="cofounder", S3_ENDPOINT_URL=self.store_server.url, S3_ACCESS_KEY_ID="x",
                            S3_SECRET_ACCESS_KEY="y")
        self.workers = [start_worker(**self.env)]
        self.claimed: list[float | None] = []  # sigterm, kill-9: seconds until another slice held the run

    def run(self, run_id: int):
        with self.db.session() as s:
            return store.get_run(s, run_id=run_id)

    def close(self) -> None:
        for worker in self.workers:
            stop_worker(worker)
        self.db.dispose()
        self.redis_server.stop()
        if self.store_server is not None:
            self.store_server.stop()
        shutil.rmtree(self.work, ignore_errors=True)


async def taken_over(row: Row, run_id: int, owner: str, since: float) -> float | None:
    """Seconds from `since` until a slice other than `owner`'s holds the run (or had already)."""
    return await until(lambda: time.monotonic() - since if (o := row.run(run_id).lease_owner) and o != owner
                       else None, 60, every=0.01)


async def next_event(row: Row, run_id: int, since: float) -> float | None:
    before = row.run(run_id).last_seq
    return await until(lambda: time.monotonic() - since if row.run(run_id).last_seq > before else None, 120)


def lock_sqlite(path: Path, seconds: float, held: threading.Event) -> None:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    held.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


async def inject(row: Row, run_id: int, project_id: int) -> float | None:
    """The row's fault, on a build under way; returns seconds from the fault's end to the next event."""
    fault, redis_url = row.fault, row.redis_server.url
    if fault == "duplicate-job":
        pool = await jobs.create_queue(redis_url)
        await jobs.enqueue(pool, jobs.BUILD_SLICE, run_id, f"{jobs.BUILD_SLICE}-run-{run_id}-duplicate")
        await pool.aclose()
        return await next_event(row, run_id, time.monotonic())
    if fault == "flush-at-hand-over":
        client = Redis.from_url(redis_url)
        try:
            caught = await until(lambda: True if (r := row.run(run_id)).status == "running" and not r.lease_owner
                                 else None, 120, every=0.002)
            if caught:
                await client.flushall()
                return await next_event(row, run_id, time.monotonic())
            return None
        finally:
            await client.aclose()
    if fault.startswith("redis-down-"):
        row.redis_server.stop()
        await asyncio.sleep(float(fault.removeprefix("redis-down-").removesuffix("s")))
        row.redis_server.start()
        return await next_event(row, run_id, time.monotonic())
    if fault.startswith("sqlite-locked-"):
        held, seconds = threading.Event(), float(fault.removeprefix("sqlite-locked-").removesuffix("s"))
        locker = threading.Thread(target=lock_sqlite, args=(row.db_path, seconds, held))
        locker.start()
        held.wait(10)
        await asyncio.to_thread(locker.join)
        return await next_event(row, run_id, time.monotonic())
    if fault == "workspace-deleted":
        def phase_one_done():
            with row.db.session() as s:
                return True if s.exec(select(RunEvent).where(RunEvent.run_id == run_id,
                                                             RunEvent.type == ev.PhaseCompleted.type)).first() else None

        await until(phase_one_done, 120)
        with row.db.session() as s:
            project = s.get(Project, project_id)
        workspace = Path(project.workspace_dir or workspace_path(Path(row.env["DATA_DIR"]) / "workspaces", project_id))
        for child in workspace.iterdir() if workspace.exists() else []:  # the folder may be a mount point
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        return await next_event(row, run_id, time.monotonic())
    if fault == "sigterm":
        row.workers = [w for w in row.workers if w.poll() is None]
        if len(row.workers) < 2:
            row.workers.append(start_worker(**row.env))
            await asyncio.sleep(3)  # a second worker is up
        owner = await until(lambda: (o if (o := row.run(run_id).lease_owner) else None), 60, every=0.01)
        target = next(w for w in row.workers if f":{w.pid}/" in owner)  # the worker running the build
        os.killpg(target.pid, signal.SIGTERM)
        stopped_at = time.monotonic()
        claim = asyncio.create_task(taken_over(row, run_id, owner, stopped_at))
        resumed = await next_event(row, run_id, stopped_at)
        row.claimed.append(await claim)
        await asyncio.to_thread(target.wait, 30)
        return resumed
    if fault == "kill-9":
        owner = row.run(run_id).lease_owner
        kill_worker(row.workers[0])
        killed_at = time.monotonic()
        claim = asyncio.create_task(taken_over(row, run_id, owner, killed_at))
        row.workers[0] = start_worker(**row.env)
        resumed = await next_event(row, run_id, killed_at)
        row.claimed.append(await claim)
        return resumed
    if fault.startswith("storage-"):
        return None  # the store is down all build long: nothing ends
    raise ValueError(fault)


async def one_build(row: Row) -> dict:
    with row.db.session() as s:
        user = store.create_user(s, email=f"{row.fault}-{time.time_ns()}@example.com", password_hash="x")
    project = planned_project(row.db, user)
    with row.db.session() as s:
        run = store.create_run(s, project_id=project.id, kind="build")
    pool = await jobs.create_queue(row.redis_server.url)
    await jobs.enqueue(pool, jobs.BUILD_SLICE, run.id)
    await pool.aclose()
    started = time.monotonic()
    if await until(lambda: True if row.run(run.id).last_seq >= AT_EVENTS else None, 120) is None:
        return {"status": "never started"}
    recovery = await inject(row, run.id, project.id)
    status = await until(lambda: (r.status if (r := row.run(run.id)).status in DONE else None), 600, every=0.5)
    with row.db.session() as s:
        seqs = list(s.exec(select(RunEvent.seq).where(RunEvent.run_id == run.id)))
        calls = len(list(s.exec(select(RunEvent).where(RunEvent.run_id == run.id,
                                                       RunEvent.type == ev.UsageRecorded.type))))
        ledger = len(list(s.exec(select(UsageEntry).where(UsageEntry.run_id == run.id))))
        ending = s.exec(select(RunEvent).where(RunEvent.run_id == run.id, RunEvent.type.in_(
            [ev.RunFailed.type, ev.NeedsInput.type]))).first()
    expected = set(range(1, max(seqs, default=0) + 1))
    return {"status": status or "stuck", "seconds": round(time.monotonic() - started, 1),
            "recovery_s": round(recovery, 2) if recovery is not None else None, "events": len(seqs),
            "lost": len(expected - set(seqs)), "duplicated": len(seqs) - len(set(seqs)), "ledger": ledger,
            "calls": calls,
            "reason": (ending.payload.get("reason") or ending.payload.get("problem", "")) if ending else ""}


async def one_row(fault: str, builds: int) -> dict:
    row = Row(fault)
    try:
        results = [await one_build(row) for _ in range(builds)]
        alive = all(w.poll() is None for w in row.workers[-1:])
    finally:
        row.close()
    recoveries = [r["recovery_s"] for r in results if r.get("recovery_s") is not None]
    return {"fault": fault, "finished": sum(r["status"] == "succeeded" for r in results),
            "stuck": sum(r["status"] in ("stuck", "never started") for r in results),
            "failed": sum(r["status"] == "failed" for r in results),
            "lost": sum(r.get("lost", 0) for r in results), "duplicated": sum(r.get("duplicated", 0) for r in results),
            "ledger_equals_calls": all(r.get("ledger") == r.get("calls") for r in results),
            "recovery_max_s": max(recoveries) if recoveries else None, "worker_alive": alive,
            "build_seconds": [r.get("seconds") for r in results], "reasons": [r["reason"] for r in results if r.get("reason")],
            "taken_over_s": row.claimed}


async def main(builds: int, only: list[str]) -> list[dict]:
    for name in ("ANTHROPIC_API_KEY", "E2B_API_KEY", "S3_BUCKET", "S3_ENDPOINT_URL"):
        os.environ.pop(name, None)
    rows = []
    for fault in only or FAULTS:
        rows.append(await one_row(fault, builds))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| fault | finished | stuck | failed | lost | duplicated | ledger = calls | recovery (max) | worker up |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        total = r["finished"] + r["stuck"] + r["failed"]
        recovery = f"{r['recovery_max_s']:.1f} s" if r["recovery_max_s"] is not None else "(all build long)"
        lines.append(f"| {r['fault']} | {r['finished']}/{total} | {r['stuck']} | {r['failed']} | {r['lost']} | "
                     f"{r['duplicated']} | {'yes' if r['ledger_equals_calls'] else 'no'} | {recovery} | "
                     f"{'yes' if r['worker_alive'] else 'no'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builds", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated faults (default: all)")
    args = parser.parse_args()
    found = asyncio.run(main(args.builds, [f for f in args.only.split(",") if f]))
    print(json.dumps(found, indent=1))
    print(table(found))
