"""Benchmark: what Claude is writing -> the typing row on the founder's build page.

The worker's `streams.Typing` (the model's on_delta, coalesced to an update every 0.3 s) publishes a
turn's text as it streams; this plays a turn of `--words` words arriving every `--interval` seconds for
each of `--runs` builds at once, watched on their build pages in Chromium (the app in production
mode, its own redis-server and SQLite: bench/harness.py). Each update carries the moment it was sent;
a MutationObserver stamps when the row shows it. Prints p50/p95/max in milliseconds and the updates
per second a tab received.

    python bench/typing_latency.py --runs 4 --words 120 --interval 0.05
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from harness import CHROMIUM, CHROMIUM_ARGS, percentile, stack

WATCH = """() => { window.__typed = []; new MutationObserver(() => {
  const row = document.querySelector('#feed-typing .typing-text'); if (!row) return;
  const sent = row.textContent.match(/@(\\d+\\.\\d+)$/); if (sent) window.__typed.push([parseFloat(sent[1]), performance.timeOrigin + performance.now()]);
}).observe(document.body, {childList: true, subtree: true, characterData: true}); }"""


async def main(args) -> dict:
    from playwright.async_api import async_playwright
    from redis.asyncio import Redis

    from agent import store, streams
    from agent.db import Database
    from event_latency import planned_project

    with stack(worker=False) as running:
        db, redis = Database(running.database_url), Redis.from_url(running.redis_url)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages, runs = [], []
            for n in range(args.runs):
                user_id, token = running.founder(f"typing{n}")
                project_id = planned_project(running, user_id, f"Typing {n}")
                with db.session() as s:
                    runs.append(store.create_run(s, project_id=project_id, kind="build").id)
                page = await running.signed_in_page(browser, token)
                await page.goto(f"{running.base}/projects/{project_id}/build")
                await page.wait_for_selector("#agent-card")
                await page.wait_for_timeout(1500)  # the listener follows the new run
                await page.evaluate(WATCH)
                pages.append(page)

            async def turn(run_id: int) -> None:
                typing = streams.Typing(redis, run_id)
                for n in range(args.words):
                    typing.text = typing.text.rsplit(" @", 1)[0]  # the stamp of the last update goes
                    await typing("text", f" word{n} @{time.time() * 1000:.3f}")
                    await asyncio.sleep(args.interval)
                await typing.end()

            started = time.monotonic()
            await asyncio.gather(*(turn(r) for r in runs))
            seconds = time.monotonic() - started
            await asyncio.sleep(2)
            seen = [await page.evaluate("window.__typed") for page in pages]
            await browser.close()
        await redis.aclose()
        db.dispose()
    first = [{} for _ in seen]  # the first time each update showed (later mutations re-render the same text)
    for tab, shown_at in zip(seen, first):
        for sent, shown in tab:
            shown_at.setdefault(sent, shown)
    latencies = [shown - sent for tab in first for sent, shown in tab.items()]
    if args.dump:
        print(sorted(round(x) for x in latencies))
    return {"runs": args.runs, "words": args.words, "interval_s": args.interval, "turn_seconds": round(seconds, 1),
            "updates_per_tab_per_s": round(sum(len(t) for t in first) / len(first) / seconds, 2),
            "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "max_ms": round(max(latencies), 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--words", type=int, default=120)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--dump", action="store_true", help="print every latency")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
