"""Benchmark: a new idea to the running app in the preview, in the browser, with the offline co-founder.

The app in production mode and the real worker (bench/harness.py). A founder in Chromium creates a
project, describes the idea, answers the interview (at machine speed: the founder's thinking time is
not the product's), proceeds at the gate, opens the build page and presses Start; the clock stops
when the app's own page shows inside the preview frame. Two figures:

- idea -> preview loaded: from pressing "Continue" on the idea form to the app's heading in the frame
  (target < 90 s on a 2-core machine), with the time of each stage;
- Start -> first narration: from the Start click to the build's first narrated row on screen
  (target < 2 s), stamped inside the page (click handler and MutationObserver on one clock).

    python bench/journey_bench.py --rounds 3

Not a test: the figures go to docs/BENCHMARKS.md with the command that produced them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time

from harness import CHROMIUM, CHROMIUM_ARGS, Stack, stack

IDEA = "Walkies: a marketplace that connects busy dog owners with trusted local dog walkers."
ANSWER = "Owners who work long days; they book a vetted walker in two taps and get photos after the walk."
STAMP_CLICK = """
document.addEventListener('click', (e) => {
  if (e.target.closest && e.target.closest('#start-build')) window.__clicked = performance.timeOrigin + performance.now();
}, true);
"""


async def one_journey(running: Stack, browser, round_no: int) -> dict:
    _, token = running.founder(f"journey-{round_no}")
    page = await running.signed_in_page(browser, token)
    page.set_default_timeout(120_000)
    await page.add_init_script(STAMP_CLICK)
    await page.goto(f"{running.base}/dashboard")
    await page.fill("#project-name", f"Walkies {round_no}")
    await page.click("#create-project")
    await page.wait_for_selector("#next-step-button:has-text('Describe the idea')")
    await page.click("#next-step-button")
    await page.wait_for_selector("#idea")
    await page.fill("#idea", IDEA)
    await page.fill("#audience", "Dog owners in cities")
    marks = {"idea": time.monotonic()}
    await page.click("#idea-submit")

    await page.wait_for_url(re.compile(r"/interview$"))
    while True:
        await page.wait_for_selector("#question-text, #interview-done")
        if await page.locator("#interview-done").count():
            break
        question = await page.inner_text("#question-text")
        await page.fill("#answer", ANSWER)
        await page.click("#answer-submit")
        await page.wait_for_function("q => !document.querySelector('#question-text') || "
                                     "document.querySelector('#question-text').innerText !== q", arg=question)
    marks["interview done"] = time.monotonic()
    await page.click("#to-brief")
    await page.wait_for_selector("#decision-gate")
    marks["brief ready"] = time.monotonic()
    await page.click("#choice-proceed")
    await page.fill("#decision-reason", "Go")
    await page.click("#decide-button")
    await page.wait_for_url(re.compile(r"/plan$"))
    await page.wait_for_selector("#column-pending .plan-card")
    marks["plan ready"] = time.monotonic()

    await page.goto(page.url.replace("/plan", "/build"))
    await page.wait_for_selector("#start-build")
    await page.click("#start-build")
    marks["start"] = time.monotonic()
    await page.wait_for_selector("#activity-feed .feed-row[data-type='agent.narration']")
    try:
        await page.frame_locator("#preview-frame").locator("h1").wait_for(timeout=180_000)
    except Exception:
        await page.screenshot(path=str(running.workdir / "journey-failed.png"), full_page=True)
        print("the preview never loaded; see", running.workdir / "journey-failed.png", flush=True)
        raise
    marks["preview loaded"] = time.monotonic()
    narration_ms = await page.evaluate("""() => {
      const rows = Object.entries(window.__seen).filter(([id, at]) =>
        window.__types[id] === 'agent.narration' && at >= window.__clicked);
      return Math.min(...rows.map(([, at]) => at)) - window.__clicked;
    }""")
    await page.context.close()
    stages, previous = {}, marks["idea"]
    for name, at in list(marks.items())[1:]:
        stages[name] = round(at - previous, 1)
        previous = at
    return {"idea_to_preview_s": round(marks["preview loaded"] - marks["idea"], 1),
            "start_to_first_narration_ms": round(narration_ms), "stages_s": stages}


async def main(args: argparse.Namespace) -> dict:
    from playwright.async_api import async_playwright

    with stack(worker=True) as running:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            rounds = []
            for n in range(args.rounds):
                rounds.append(await one_journey(running, browser, n))
                print(json.dumps(rounds[-1]), flush=True)
            await browser.close()
    to_preview = [r["idea_to_preview_s"] for r in rounds]
    to_narration = [r["start_to_first_narration_ms"] for r in rounds]
    return {"rounds": len(rounds),
            "idea_to_preview_s": {"median": statistics.median(to_preview), "max": max(to_preview)},
            "start_to_first_narration_ms": {"median": statistics.median(to_narration), "max": max(to_narration)}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="journeys, one after another")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
