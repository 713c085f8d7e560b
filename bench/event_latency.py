"""Benchmark: worker event -> browser DOM latency through the real event path.

It starts its own redis-server and SQLite database, runs the app in production mode (`reflex run
--env prod`, one port), signs founders in, opens their project pages in Chromium tabs, then records
events for many runs at once with `store.record` (the worker's own write path: DB row, then XADD).
A MutationObserver in each tab stamps the moment each event's row appears; the latency is that
stamp minus the XADD time kept in the stream entry (same machine clock).

    python bench/event_latency.py --runs 10 --tabs 4 --events 50 --interval 0.1

Prints p50/p95/p99/max in milliseconds and any event that never arrived. Not a test: the figures
go to docs/BENCHMARKS.md with the command that produced them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import migrate  # noqa: E402
from tests.support.servers import RedisServer, free_port  # noqa: E402

OBSERVER = """
window.__seen = {};
new MutationObserver((mutations) => {
  const now = performance.timeOrigin + performance.now();
  for (const m of mutations) for (const node of m.addedNodes) {
    if (node.nodeType !== 1) continue;
    const rows = node.classList && node.classList.contains('feed-row') ? [node] : node.querySelectorAll?.('.feed-row') || [];
    for (const row of rows) if (!(row.id in window.__seen)) window.__seen[row.id] = now;
  }
}).observe(document, {childList: true, subtree: true});
"""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def start_app(env: dict, port: int, log: Path) -> subprocess.Popen:
    cmd = ["reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port), "--loglevel", "warning"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_http(url: str, timeout: float) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


async def main(args: argparse.Namespace) -> dict:
    from playwright.async_api import async_playwright
    from redis.asyncio import Redis

    workdir = Path(tempfile.mkdtemp(prefix="cofounder-bench-"))
    redis_server = RedisServer(workdir / "redis")
    port = free_port()
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "REDIS_URL": redis_server.url, "DATABASE_URL": database_url, "DATA_DIR": str(workdir),
           "APP_URL": f"http://127.0.0.1:{port}", "REFLEX_USE_NPM": "1", "REFLEX_TELEMETRY_ENABLED": "false"}
    os.environ.update({k: env[k] for k in ("REDIS_URL", "DATABASE_URL", "DATA_DIR", "APP_URL")})
    migrate.upgrade(database_url)

    from agent import events as ev
    from agent import store
    from agent.accounts import new_session_token
    from agent.db import Database
    from cofounder_app.auth import COOKIE_NAME

    db = Database(database_url)
    redis = Redis.from_url(redis_server.url)
    app = start_app(env, port, workdir / "app.log")
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"building and starting the app in production mode on {base} ...", flush=True)
        wait_http(base + "/api/health", timeout=600)

        runs, tokens = [], []
        with db.session() as s:
            for i in range(args.runs):
                user = store.create_user(s, email=f"bench-{i}-{time.time_ns()}@example.com", password_hash="x")
                token, token_hash = new_session_token()
                store.create_auth_session(s, user_id=user.id, token_hash=token_hash, lifetime=timedelta(hours=1))
                project, run = store.create_project(s, owner_id=user.id, name=f"Bench project {i}")
                store.update_project(s, project_id=project.id, status="ready")
                runs.append((project.id, run.id))
                tokens.append(token)

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            pages = []
            for tab in range(args.tabs):
                index = tab % args.runs
                context = await browser.new_context()
                await context.add_cookies([{"name": COOKIE_NAME, "value": tokens[index], "url": base,
                                            "httpOnly": True, "sameSite": "Lax"}])
                page = await context.new_page()
                await page.add_init_script(OBSERVER)
                await page.goto(f"{base}/projects/{runs[index][0]}")
                await page.wait_for_selector("#project-title:has-text('Bench project')", timeout=60_000)
                pages.append((page, runs[index][1]))
            await asyncio.sleep(2)  # every tab's listener is blocked on XREAD

            async def emitter(run_id: int) -> None:
                for n in range(args.events):
                    await store.record(db=db, redis=redis, run_id=run_id, event=ev.Narration(text=f"Step {n + 1}"))
                    await asyncio.sleep(args.interval)

            started = time.monotonic()
            await asyncio.gather(*(emitter(run_id) for _, run_id in runs))
            emit_seconds = time.monotonic() - started

            xadd_at: dict[str, float] = {}
            for _, run_id in runs:
                for entry_id, fields in await redis.xrange(f"run:{run_id}:events"):
                    seq = int(entry_id.decode().split("-")[0])
                    xadd_at[f"event-{run_id}-{seq}"] = float(fields[b"at"]) * 1000

            latencies, missing = [], []
            deadline = time.monotonic() + 10
            for page, run_id in pages:
                expected = [f"event-{run_id}-{seq}" for seq in range(1, args.events + 1)]
                seen = {}
                while time.monotonic() < deadline:
                    seen = await page.evaluate("window.__seen")
                    if all(e in seen for e in expected):
                        break
                    await asyncio.sleep(0.2)
                for event_id in expected:
                    if event_id in seen:
                        latencies.append(seen[event_id] - xadd_at[event_id])
                    else:
                        missing.append(event_id)
            await browser.close()
    finally:
        try:
            os.killpg(app.pid, 15)
        except ProcessLookupError:
            pass
        app.wait(timeout=20)
        await redis.aclose()
        db.dispose()
        redis_server.stop()

    result = {
        "runs": args.runs, "tabs": args.tabs, "events_per_run": args.events, "interval_s": args.interval,
        "events_emitted": args.runs * args.events, "events_measured": len(latencies), "missing": len(missing),
        "emit_seconds": round(emit_seconds, 2),
        "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
    }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs emitting at the same time")
    parser.add_argument("--tabs", type=int, default=4, help="browser tabs watching (tab i watches run i mod runs)")
    parser.add_argument("--events", type=int, default=50, help="events per run")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between a run's events")
    outcome = asyncio.run(main(parser.parse_args()))
    print(json.dumps(outcome, indent=2))
