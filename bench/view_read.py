"""Benchmark: what one re-read of the build page's view costs as a build grows, reading every event
of the run (as before `agent/build_fold.py`) against folding only the events since the last re-read.

Each tab on a build page re-reads the view at most every 0.5 s while events arrive, in a thread of
the web process; this is the CPU one such re-read takes. A step of the build here is what a step
of a Claude build records: a model call (usage), a tool result and about 1 KB of command log.

    python bench/view_read.py --steps 100 1000 3000
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent import build_view, store  # noqa: E402
from agent import events as ev  # noqa: E402
from agent.build_fold import FoldCache  # noqa: E402
from agent.db import Database  # noqa: E402
from tests.agent_core.conftest import planned_project  # noqa: E402
from tests.support import migrate  # noqa: E402

NEW_STEPS = 3  # steps recorded between two re-reads of a tab (a busy build: about 6 a second)


def step_events(n: int) -> list[ev.Event]:
    return [ev.UsageRecorded(model="claude-sonnet-4-5", input_tokens=5, output_tokens=230, cache_read_tokens=40_000,
                             cache_write_tokens=700, cost_micros=18_000, saved_micros=100_000, phase=1 + n // 100),
            ev.ToolUsed(tool="bash", label=f"Ran “python3 -m pytest tests/test_{n}.py”: 12 passed", ok=True,
                        detail="12 passed"),
            ev.LogOutput(command=f"python3 -m pytest tests/test_{n}.py", text="tests/test_x.py::test_case PASSED\n" * 30,
                         status="exit code 0"),
            ev.Narration(text=f"Step {n}: the tests pass.")]


def timed(work, rounds: int) -> float:
    """Median milliseconds of `work()` over `rounds`."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(db: Database, user, steps: int) -> dict:
    project = planned_project(db, user, name=f"Bench {steps}")
    with db.session() as s:
        run = store.create_run(s, project_id=project.id, kind="build")
        for n in range(steps):
            for event in step_events(n):
                store.insert_event(s, run_id=run.id, event=event)
    folds, done = FoldCache(), [steps]

    def record_more() -> None:
        with db.session() as s:
            for event in [e for n in range(done[0], done[0] + NEW_STEPS) for e in step_events(n)]:
                store.insert_event(s, run_id=run.id, event=event)
        done[0] += NEW_STEPS

    def read(cache) -> None:
        with db.session() as s:
            build_view.read(s, project_id=project.id, user_id=user.id, folds=cache)

    full = timed(lambda: read(None), 7)
    read(folds)  # the tab's first read folds everything once
    folded = []
    for _ in range(15):
        record_more()
        folded.append(timed(lambda: read(folds), 1))
    return {"steps": steps, "view_events": steps * 3, "full_read_ms": round(full, 2),
            "folded_read_ms": round(statistics.median(folded), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[100, 1000, 3000])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="view-read-bench-"))
    try:
        url = f"sqlite:///{work / 'bench.db'}"
        migrate.upgrade(url)
        db = Database(url)
        with db.session() as s:
            user = store.create_user(s, email="bench@example.com", password_hash="x")
        print(json.dumps([measure(db, user, steps) for steps in args.steps], indent=1))
        db.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
