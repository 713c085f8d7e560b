"""Benchmark: a new idea to the running app in the preview, in the browser, with the offline co-founder.

The app in production mode and the real worker (bench/harness.py). A founder in Chromium creates a
project, describes the idea, answers the interview (at machine speed: the founder's thinking time is
not the product's), proceeds at the gate, opens the build page and presses Start; the clock stops
when the app's own page shows inside the preview frame. Two figures:

- idea -> preview loaded: from pressing "Continue" on the idea form to the app's heading in the frame
  (target < 90 s on a 2-core machine), with the time of each stage;
- Start -> first narration: from the Start click to the build's first narrated row on screen
  (target < 2 s), stamped inside the page (click handler and MutationObserver on one clock).

A page that waits STALL_S for what the founder should see next is a stall: the round stops there,
the page is reloaded once to tell a page that missed its moment (the reload shows it) from work that
never finished (it doesn't), and the next round begins. Stalls are counted in the summary.

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
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

IDEA = "Walkies: a marketplace that connects busy dog owners with trusted local dog walkers."
ANSWER = "Owners who work long days; they book a vetted walker in two taps and get photos after the walk."
STALL_S = 120
STAMP_CLICK = """
document.addEventListener('click', (e) => {
  if (e.target.closest && e.target.closest('#start-build')) window.__clicked = performance.timeOrigin + performance.now();
}, true);
"""


class Stalled(Exception):
    """The page waited STALL_S for what the founder should see next."""

    def __init__(self, stage: str, selector: str):
        super().__init__(f"stalled before {stage!r}: {selector} not shown in {STALL_S} s")
        self.stage, self.selector = stage, selector


async def shown(page, selector: str, stage: str, timeout_s: float = STALL_S) -> None:
    try:
        await page.wait_for_selector(selector, timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        raise Stalled(stage, selector) from None


async def journey(running: Stack, page, round_no: int) -> dict:
    await page.goto(f"{running.base}/dashboard")
    await page.fill("#project-name", f"Walkies {round_no}")
    await page.click("#create-project")
    await shown(page, "#next-step-button:has-text('Describe the idea')", "project created")
    await page.click("#next-step-button")
    await shown(page, "#idea", "idea form")
    await page.fill("#idea", IDEA)
    await page.fill("#audience", "Dog owners in cities")
    marks = {"idea": time.monotonic()}
    await page.click("#idea-submit")

    await page.wait_for_url(re.compile(r"/interview$"))
    while True:
        await shown(page, "#question-text, #interview-done", "interview done")
        if await page.locator("#interview-done").count():
            break
        question = await page.inner_text("#question-text")
        await page.fill("#answer", ANSWER)
        await page.click("#answer-submit")
        try:
            await page.wait_for_function("q => !document.querySelector('#question-text') || "
                                         "document.querySelector('#question-text').innerText !== q", arg=question)
        except PlaywrightTimeout:
            raise Stalled("next question", "#question-text, #interview-done") from None
    marks["interview done"] = time.monotonic()
    await page.click("#to-brief")
    await shown(page, "#decision-gate", "brief ready")
    marks["brief ready"] = time.monotonic()
    await page.click("#choice-proceed")
    await page.fill("#decision-reason", "Go")
    await page.click("#decide-button")
    await page.wait_for_url(re.compile(r"/plan$"))
    await shown(page, "#column-pending .plan-card", "plan ready")
    marks["plan ready"] = time.monotonic()

    await page.goto(page.url.replace("/plan", "/build"))
    await shown(page, "#start-build", "build page")
    await page.click("#start-build")
    marks["start"] = time.monotonic()
    await shown(page, "#activity-feed .feed-row[data-type='agent.narration']", "first narration")
    try:
        await page.frame_locator("#preview-frame").locator("h1").wait_for(timeout=180_000)
    except Exception:
        raise Stalled("preview loaded", "#preview-frame h1") from None
    marks["preview loaded"] = time.monotonic()
    narration_ms = await page.evaluate("""() => {
      const rows = Object.entries(window.__seen).filter(([id, at]) =>
        window.__types[id] === 'agent.narration' && at >= window.__clicked);
      return Math.min(...rows.map(([, at]) => at)) - window.__clicked;
    }""")
    stages, previous = {}, marks["idea"]
    for name, at in list(marks.items())[1:]:
        stages[name] = round(at - previous, 1)
        previous = at
    return {"idea_to_preview_s": round(marks["preview loaded"] - marks["idea"], 1),
            "start_to_first_narration_ms": round(narration_ms), "stages_s": stages}


async def one_journey(running: Stack, browser, round_no: int) -> dict:
    _, token = running.founder(f"journey-{round_no}")
    page = await running.signed_in_page(browser, token)
    page.set_default_timeout(STALL_S * 1000)
    await page.add_init_script(STAMP_CLICK)
    try:
        return await journey(running, page, round_no)
    except Stalled as stall:
        shot = running.workdir / f"journey-stalled-{round_no}.png"
        await page.screenshot(path=str(shot), full_page=True)
        print(f"round {round_no}: {stall}; see {shot}", flush=True)
        await page.reload()
        try:
            if stall.stage == "preview loaded":
                await page.frame_locator("#preview-frame").locator("h1").wait_for(timeout=30_000)
            else:
                await page.wait_for_selector(stall.selector, timeout=30_000)
            after_reload = True
        except PlaywrightTimeout:
            after_reload = False
        return {"stalled": stall.stage, "shown_after_reload": after_reload}
    finally:
        await page.context.close()


async def main(args: argparse.Namespace) -> dict:
    with stack(worker=True) as running:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            rounds = []
            for n in range(args.rounds):
                rounds.append(await one_journey(running, browser, n))
                print(json.dumps(rounds[-1]), flush=True)
            await browser.close()
    done = [r for r in rounds if "stalled" not in r]
    summary = {"rounds": len(rounds), "stalls": len(rounds) - len(done),
               "stalled_at": [r["stalled"] for r in rounds if "stalled" in r]}
    if done:
        to_preview = [r["idea_to_preview_s"] for r in done]
        to_narration = [r["start_to_first_narration_ms"] for r in done]
        summary["idea_to_preview_s"] = {"median": round(statistics.median(to_preview), 1), "max": max(to_preview)}
        summary["start_to_first_narration_ms"] = {"median": round(statistics.median(to_narration)),
                                                  "max": max(to_narration)}
        for stage in done[0]["stages_s"]:
            median = statistics.median(r["stages_s"][stage] for r in done)
            summary.setdefault("stage_median_s", {})[stage] = round(median, 2)
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="journeys, one after another")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
