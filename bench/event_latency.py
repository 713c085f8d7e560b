"""Benchmark: worker event -> browser DOM latency through the real event path.

It starts its own redis-server and SQLite database and the app in production mode (`reflex run --env
prod`, one port; see bench/harness.py), signs founders in and opens their pages in Chromium tabs. A
MutationObserver in each tab stamps the moment each event's feed row appears; the latency is that
stamp minus the XADD time kept in the stream entry (same machine clock).

Two sources of events:
- synthetic (default): `store.record` (the worker's own write path: DB row, then XADD) writes
  narrations for many runs at once, watched on the projects' overview pages;
      python bench/event_latency.py --runs 10 --tabs 4 --events 50 --interval 0.1
  `--page build` watches the same narrations on build pages (a build under way, nothing else running).
- real builds (`--builds`): the real arq worker runs N offline builds at once (the offline co-founder
  writes the app in the local sandbox, runs its tests, starts it, takes screenshots and writes the
  guides), watched on the projects' build pages; every event of every watched build is measured.
      python bench/event_latency.py --builds --runs 10 --tabs 4

A flooding tab (`--flood N`): beside the watching tabs, a client speaks Reflex's websocket protocol
the way a script in a hostile tab could, and sends N events a second (a harmless handler, as fast as
the server takes them); with the per-tab rate limit (RATE_LIMITS tab_events, 30 a second) its events
wait their turn, so the other tabs' latency stays where it was. Compare with `--flood 0`, and with the
limit lifted (`RATE_LIMITS=tab_events=100000/second`).
      python bench/event_latency.py --page build --runs 4 --tabs 4 --flood 2000

Prints p50/p95/p99/max in milliseconds and any event that never arrived; `--timeline FILE` also writes
every measured event's stamps and the size of the websocket frame that carried it, to see when the
slow ones happen. Not a test: the figures
go to docs/BENCHMARKS.md with the command that produced them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import threading
import time

from harness import Stack, percentile, stack


async def stream_times(redis, run_ids, kinds: dict[str, str] | None = None) -> dict[str, float]:
    """Row id -> the XADD time (ms) of every event of these runs that makes a feed row (the cost
    ledger, for one, does not), from the Redis streams; `kinds` gets each one's event type."""
    from agent.streams import parse_entry, run_stream
    from cofounder_app.components.feed import feed_row

    xadd_at: dict[str, float] = {}
    for run_id in run_ids:
        for entry_id, fields in await redis.xrange(run_stream(run_id)):
            item = parse_entry(run_id, entry_id, fields)
            if feed_row(item) is not None:
                xadd_at[f"event-{run_id}-{item.seq}"] = item.at * 1000
                if kinds is not None:
                    kinds[f"event-{run_id}-{item.seq}"] = item.type
    return xadd_at


class StreamWatcher(threading.Thread):
    """Stamps when each event of the watched runs is readable in Redis (a plain XREAD client in a
    thread of this process, at normal priority): the stamp in the entry is taken by the worker just
    before its XADD, so the difference is how long the worker itself took to publish it. Only events
    published after their run was watched are stamped."""

    def __init__(self, redis_url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.seen, self.stop = redis_url, {}, threading.Event()
        self.watching: dict[int, float] = {}  # run id -> when watching began (ms)

    def watch(self, run_id: int) -> None:
        self.watching[run_id] = time.time() * 1000

    def run(self) -> None:
        from redis import Redis

        from agent.streams import parse_entry, run_stream

        client, cursors = Redis.from_url(self.url), {}
        while not self.stop.is_set():
            for run_id in list(self.watching):
                cursors.setdefault(run_stream(run_id), "0-0")
            if not cursors:
                time.sleep(0.05)
                continue
            for stream, entries in client.xread(cursors, block=500) or []:
                now = time.time() * 1000
                run_id = int(stream.decode().split(":")[1])
                for entry_id, fields in entries:
                    cursors[stream.decode()] = entry_id.decode()
                    item = parse_entry(run_id, entry_id, fields)
                    if item.at * 1000 >= self.watching[run_id]:
                        self.seen.setdefault(f"event-{run_id}-{item.seq}", now)
        client.close()


async def measure(pages, xadd_at: dict[str, float], *, wait_s: float = 15,
                  in_redis: dict[str, float] | None = None, kinds: dict[str, str] | None = None) -> tuple[list[float], list[str], dict, list[dict]]:
    """Each event's stream -> row-on-screen latency, the events that never showed, and the same
    latency split at the websocket frame (server: stream -> frame; browser: frame -> row) and, for
    real builds, at the moment the entry was readable in Redis (publish: worker stamp -> Redis).
    The timeline has every measured event with its stamps (ms since the first XADD) and the size
    of the websocket frame that carried it."""
    latencies, missing, timeline = [], [], []
    origin = min(xadd_at.values(), default=0)
    split: dict[str, list[float]] = {"server": [], "browser": [], "publish": [], "web": []}
    deadline = time.monotonic() + wait_s
    for tab, (page, run_id) in enumerate(pages):
        expected = [key for key in xadd_at if key.startswith(f"event-{run_id}-")]
        seen = {}
        while time.monotonic() < deadline:
            seen = await page.evaluate("window.__seen")
            if all(e in seen for e in expected):
                break
            await asyncio.sleep(0.2)
        arrived = await page.evaluate("window.__arrived")
        frames = await page.evaluate("window.__frames")
        for event_id in expected:
            if event_id in seen:
                latencies.append(seen[event_id] - xadd_at[event_id])
                if event_id in arrived:
                    split["server"].append(arrived[event_id] - xadd_at[event_id])
                    split["browser"].append(seen[event_id] - arrived[event_id])
                if in_redis and event_id in in_redis:
                    split["publish"].append(in_redis[event_id] - xadd_at[event_id])
                    split["web"].append(seen[event_id] - in_redis[event_id])
                stamps = {"xadd": xadd_at[event_id], "redis": (in_redis or {}).get(event_id),
                          "frame": arrived.get(event_id), "row": seen[event_id]}
                timeline.append({"tab": tab, "event": event_id, "type": (kinds or {}).get(event_id, ""),
                                 "frame_bytes": frames.get(event_id),
                                 **{k: None if v is None else round(v - origin, 1) for k, v in stamps.items()}})
            else:
                missing.append(event_id)
    return latencies, missing, split, timeline


def planned_project(running: Stack, user_id: int, name: str) -> int:
    """A project as a finished journey leaves it (brief, decision, plan), ready to build."""
    from agent import brief as brief_rules
    from agent import interview as iv
    from agent import journey_store as js
    from agent import plan as plan_rules
    from agent import store
    from agent.db import Database

    db = Database(running.database_url)
    with db.session() as s:
        project, _ = store.create_project(s, owner_id=user_id, name=name)
        content = brief_rules.draft_offline(iv.facts(name, "Dog owners meet trusted local walkers nearby.",
                                                     "Owners"), [])
        js.save_version(s, project_id=project.id, kind="brief", content=content, author="offline co-founder")
        js.record_decision(s, project_id=project.id, user_id=user_id, choice="proceed", reason="Go")
        js.replace_plan(s, project_id=project.id,
                        phases=plan_rules.normalise(plan_rules.phases_offline(content), "claude-sonnet-4-5"))
        store.update_project(s, project_id=project.id, status="planned")
    db.dispose()
    return project.id


async def flood(running: Stack, rate: int, stop: asyncio.Event) -> dict:
    """A hostile tab's client: Reflex's event websocket (engine.io 4 and socket.io spoken by hand),
    `rate` events a second of a cheap handler (the build page's verbose toggle) until `stop`;
    counts what it sent and what the server answered."""
    import uuid

    import websockets

    from cofounder_app.pages.build_state import BuildState

    url = running.base.replace("http", "ws") + f"/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}"
    counts = {"sent": 0, "answered": 0}
    name = BuildState.get_full_name() + ".toggle_verbose"
    async with websockets.connect(url, additional_headers={"Origin": running.base}, max_size=None) as socket:
        await socket.recv()  # engine.io open
        await socket.send("40/_event,")  # socket.io connect to Reflex's namespace

        async def listen() -> None:
            async for message in socket:
                if message == "2":
                    await socket.send("3")  # pong
                elif message.startswith("42/_event,"):
                    counts["answered"] += 1

        async def send() -> None:
            while True:
                due = int((time.monotonic() - started) * rate) - counts["sent"]
                for _ in range(max(0, min(due, 200))):
                    event = {"name": name, "payload": {"value": counts["sent"] % 2 == 0},
                             "router_data": {"pathname": "/dashboard", "query": {}}}
                    await socket.send("42/_event," + json.dumps(["event", event]))  # waits when the server does
                    counts["sent"] += 1
                await asyncio.sleep(0.005)

        started = time.monotonic()
        tasks = [asyncio.create_task(listen()), asyncio.create_task(send())]
        await stop.wait()
        for task in tasks:
            task.cancel()
        elapsed = time.monotonic() - started
    return counts | {"seconds": round(elapsed, 1)}


async def synthetic(running: Stack, browser, redis, db, args) -> tuple[list, float, list]:
    from agent import events as ev
    from agent import store

    runs, pages = [], []
    for i in range(args.runs):
        user_id, token = running.founder(f"bench-{i}")
        if args.page == "build":  # a build under way (nothing queued: the narrations are the only events)
            project_id = planned_project(running, user_id, f"Bench project {i}")
            with db.session() as s:
                run = store.create_run(s, project_id=project_id, kind="build")
                store.update_project(s, project_id=project_id, status="building")
            runs.append((project_id, run.id, token))
            continue
        with db.session() as s:
            project, run = store.create_project(s, owner_id=user_id, name=f"Bench project {i}")
            store.update_project(s, project_id=project.id, status="ready")
        runs.append((project.id, run.id, token))
    for tab in range(args.tabs):
        project_id, run_id, token = runs[tab % args.runs]
        page = await running.signed_in_page(browser, token)
        await page.goto(f"{running.base}/projects/{project_id}" + ("/build" if args.page == "build" else ""))
        await page.wait_for_selector("#project-title:has-text('Bench project')", timeout=60_000)
        pages.append((page, run_id))
    await asyncio.sleep(2)  # every tab's listener is blocked on XREAD

    async def emitter(run_id: int) -> None:
        for n in range(args.events):
            await store.record(db=db, redis=redis, run_id=run_id, event=ev.Narration(text=f"Step {n + 1}"))
            await asyncio.sleep(args.interval)

    stop = asyncio.Event()
    flooding = asyncio.create_task(flood(running, args.flood, stop)) if args.flood else None
    if flooding:
        await asyncio.sleep(3)  # the flood is under way before the first measured event
    started = time.monotonic()
    await asyncio.gather(*(emitter(run_id) for _, run_id, _ in runs))
    elapsed = time.monotonic() - started
    if flooding:
        stop.set()
        args.flood_counts = await flooding
    return pages, elapsed, [run_id for _, run_id, _ in runs]


async def builds(running: Stack, browser, redis, db, args) -> tuple[list, float, list]:
    from agent import jobs, store
    from agent.build_control import BuildControls
    from agent.models import Project

    projects = []
    for i in range(args.runs):
        user_id, token = running.founder(f"build-{i}")
        projects.append((planned_project(running, user_id, f"Walkies {i}"), token))
    pages = []
    for tab in range(args.tabs):
        project_id, token = projects[tab % args.runs]
        page = await running.signed_in_page(browser, token)
        await page.goto(f"{running.base}/projects/{project_id}/build")
        await page.wait_for_selector("#start-build", timeout=60_000)
        pages.append((page, project_id))
    await asyncio.sleep(2)
    pool = await jobs.create_queue(running.redis_url)

    async def enqueue(job: str, run_id: int, job_id: str) -> None:
        await jobs.enqueue(pool, job, run_id, job_id)

    controls = BuildControls(db=db, redis=redis, enqueue=enqueue)
    started = time.monotonic()
    run_of = {}
    args.watcher.start()
    for project_id, _ in projects:
        with db.session() as s:
            project = s.get(Project, project_id)
        run_of[project_id] = await controls.start(project)
        args.watcher.watch(run_of[project_id])
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        with db.session() as s:
            finished = [store.get_run(s, run_id=r).status for r in run_of.values()]
        if all(status not in ("queued", "running") for status in finished):
            break
        await asyncio.sleep(2)
    elapsed = time.monotonic() - started
    print(f"builds finished in {elapsed:.0f} s: {finished}", flush=True)
    await pool.aclose()
    args.watcher.stop.set()
    return [(page, run_of[project_id]) for page, project_id in pages], elapsed, list(run_of.values())


async def main(args: argparse.Namespace) -> dict:
    from playwright.async_api import async_playwright
    from redis.asyncio import Redis

    from agent.db import Database
    from harness import CHROMIUM, CHROMIUM_ARGS

    with stack(worker=args.builds) as running:
        args.watcher = StreamWatcher(running.redis_url)
        db, redis = Database(running.database_url), Redis.from_url(running.redis_url)
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                source = builds if args.builds else synthetic
                pages, emit_seconds, run_ids = await source(running, browser, redis, db, args)
                kinds: dict[str, str] = {}
                xadd_at = await stream_times(redis, run_ids, kinds)
                latencies, missing, split, timeline = await measure(pages, xadd_at, in_redis=args.watcher.seen,
                                                                    kinds=kinds)
                if args.timeline:
                    with open(args.timeline, "w") as out:
                        json.dump(sorted(timeline, key=lambda e: e["xadd"]), out, indent=0)
                await browser.close()
        finally:
            await redis.aclose()
            db.dispose()
    return {
        "source": "offline builds" if args.builds else f"synthetic narrations ({args.page} page)",
        "runs": args.runs, "tabs": args.tabs, "events_emitted": len(xadd_at), "events_measured": len(latencies),
        "missing": len(missing), "emit_seconds": round(emit_seconds, 2),
        "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        **({"flood": args.flood_counts} if getattr(args, "flood_counts", None) else {}),
        **{f"{part}_p{q}_ms": round(percentile(values, q), 1) for part, values in split.items() if values
           for q in (50, 95)},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builds", action="store_true", help="real offline builds run by the real worker")
    parser.add_argument("--runs", type=int, default=10, help="runs at the same time")
    parser.add_argument("--tabs", type=int, default=4, help="browser tabs watching (tab i watches run i mod runs)")
    parser.add_argument("--events", type=int, default=50, help="synthetic: events per run")
    parser.add_argument("--interval", type=float, default=0.1, help="synthetic: seconds between a run's events")
    parser.add_argument("--page", choices=("overview", "build"), default="overview",
                        help="synthetic: the page the tabs watch")
    parser.add_argument("--timeout", type=float, default=900, help="builds: how long to wait for them to finish")
    parser.add_argument("--timeline", help="write every measured event's stamps and frame size to this JSON file")
    parser.add_argument("--flood", type=int, default=0, help="synthetic: a hostile client sends this many events a second")
    outcome = asyncio.run(main(parser.parse_args()))
    print(json.dumps(outcome, indent=2))
