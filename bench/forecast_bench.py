"""Cost forecast vs actual per build phase, and spend after the daily cap, on the REAL build path
(`build_job.build_slice` in 25-step slices with checkpoints, the real loop and tools, a LocalSandbox,
migrated SQLite, a private redis-server), driven by a scripted replay model.

    python bench/forecast_bench.py --seeds 1 2 3                    # forecast vs actual, per phase
    python bench/forecast_bench.py --seeds 1 --steps 10 56 112     # other base step counts S M L
    python bench/forecast_bench.py --seeds 1 2 3 --spread 0         # every phase takes the calls expected
    python bench/forecast_bench.py --cap                            # spend after the daily cap

Forecast: Walkies (M M M M S S) on "partner" renewing in 2 days ($30 a day), read from `plan_phases`;
cap: small allowances (`budget.TIERS` patched here, clock at noon UTC), a stray job, the cron.

Usage is billed as the Anthropic API bills what `agent/services/claude.py` sends (cache breakpoints on
system, last tool and the LAST conversation block): tokens = len(json.dumps)/4 of the system prompt,
tool specs and each message; cache_read = the whole previous request when it is a prefix of this one
(else system + tools); cache_write = the rest (the growth); input_tokens = 0 (nothing follows the last
breakpoint); output = narration text + tool call JSON, /4.

Each phase: plan start, steps cycling write_file (40-80 lines), bash (30-200 lines of test output,
truncated by the loop), edit_file, read_file, then plan complete; steps = CALLS[effort] (the calls the
forecast expects) x uniform(1 - spread, 1 + spread), random.Random(seed), --spread 0.25 by default.
The forecast (`agent/plan.py` `forecasts`) prices each phase where it sits: every call reads the
conversation so far and grows it by GROWTH tokens until the loop compacts it at COMPACT_AT (so the
replay model plays its script by calls, not by turns left). Its constants were measured here; the
calls per effort (S 10, M 56; L = 2 M, not measured) are an assumption only real builds test.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import col, select

from agent import budget, pacing, spend, store
from agent import events as ev
from agent import journey_store as js
from agent.build_control import BuildControls
from agent.build_job import BuildDeps, build_slice
from agent.columns import utcnow
from agent.models import Plan, RunEvent, Subscription, UsageEntry
from agent.plan import CALLS
from agent.pricing import cost_micros
from agent.services.llm import TextBlock, ToolUse, Turn, Usage
from agent.services.confinement import UNCONFINED
from agent.services.local_sandbox import LocalSandbox
from agent.services.storage import LocalStorage
from bench.loop_bench import persistence
from tests.agent_core.conftest import Queue, planned_project

MODEL = "claude-sonnet-4-5"
BASE_STEPS = CALLS  # the calls the forecast expects per effort (agent/plan.py); see the docstring
SPREAD = [0.25]  # set from --spread
CAP_CASES = {"few_calls": 50_000, "about_30_calls": 250_000, "breaker_less_than_one_call": 5_000}  # allowances, micros
FOUNDERS, IMPORT = itertools.count(1), "from app.db import Item, session"
TOKEN_KINDS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens")


def tok(piece) -> int:
    return len(piece if isinstance(piece, str) else json.dumps(piece, default=str)) // 4


def usd(micros) -> float:
    return round(micros / 1e6, 4)


def module(n: int, m: int, lines: int) -> str:
    views = [f"def view_{m}_{i}(request, limit={i + 10}):\n    items = session.query(Item).filter(Item.owner_id =="
             f' request.user.id).limit(limit)\n    return render(request, "page_{m}_{i}.html", {{"items": list(items),'
             f' "page": {i}}})\n' for i in range(lines // 4 + 1)]
    text = f'"""Phase {n}, module {m}: the handlers of this feature."""\n{IMPORT}\n\n'
    return "\n".join((text + "\n".join(views)).splitlines()[:lines]) + "\n"


def script(efforts: list[str], base: dict[str, int], seed: int) -> tuple[list[tuple], list[int]]:
    """The turns of the build, each (narration, tool, input), and the step count of each phase."""
    rng, turns, counts = random.Random(seed), [], []
    for n, effort in enumerate(efforts, start=1):
        counts.append(max(2, round(base[effort] * rng.uniform(1 - SPREAD[0], 1 + SPREAD[0]))))
        turns.append((f"Starting phase {n}.", "plan", {"action": "start", "phase": n}))
        for k in range(counts[-1]):
            m, path = k // 4, f"app/p{n}/m{k // 4}.py"
            if k % 4 == 0:
                content = module(n, m, rng.randint(40, 80))
                turns.append((f"Writing {path}.", "write_file", {"path": path, "content": content}))
            elif k % 4 == 1:
                lines = rng.randint(30, 200)
                turns.append(("Running the tests.", "bash", {"command": (
                    f'for i in $(seq 1 {lines}); do echo "tests/test_p{n}_m{m}.py::test_case_$i PASSED '
                    f'[$((i * 100 / {lines}))%]"; done; echo "==== {lines} passed in 0.{k}s ===="')}))
            elif k % 4 == 2:
                turns.append((f"Tightening {path}.", "edit_file",
                              {"path": path, "old": IMPORT, "new": IMPORT + ", validate"}))
            else:
                turns.append((f"Checking {path}.", "read_file", {"path": path}))
        turns.append((f"Phase {n} is done.", "plan", {"action": "complete", "phase": n}))
    return turns, counts


class ReplayModel:
    """Plays the script by the number of assistant turns; usage as the module docstring says."""

    label, model, offline = "replay", MODEL, False

    def __init__(self, turns):
        self.turns, self.log, self.previous, self.played = turns, [], None, 0

    def for_model(self, model):
        self.model = model
        return self

    async def turn(self, *, system, messages, tools=(), tool_choice=None, max_tokens=4096, on_delta=None):
        head, dumped = (system, json.dumps(list(tools))), [json.dumps(m, default=str) for m in messages]
        sizes = [tok(head[0]), tok(head[1])] + [tok(d) for d in dumped]
        total, read = sum(sizes), 0
        if self.previous is not None and self.previous[0] == head:
            old = self.previous[1]
            read = sum(sizes[:2 + len(old)]) if dumped[:len(old)] == old else sum(sizes[:2])
        self.previous = (head, dumped)
        played, self.played = self.played, self.played + 1  # by calls, not turns: compaction drops turns
        text, call = "The MVP is built and every phase is done.", None
        if played < len(self.turns):
            text, name, args = self.turns[played]
            call = ToolUse(id=f"toolu_{played:05d}", name=name, input=args)
        output = tok(text) + (tok({"name": call.name, "input": call.input}) if call else 0)
        usage = Usage(input_tokens=0, output_tokens=output, cache_write_tokens=total - read, cache_read_tokens=read)
        self.log.append({"tokens": total, "cost": cost_micros(self.model, usage)})
        return Turn(content=(TextBlock(text),) + ((call,) if call else ()), usage=usage, model=self.model,
                    stop_reason="tool_use" if call else "end_turn")


class Bench:
    """One database, one redis-server and one temporary folder for every build of this process."""

    async def __aenter__(self):
        self.work, self.server, self.db, self.redis, *_ = await persistence()
        self.sandboxes: list[LocalSandbox] = []
        return self

    async def __aexit__(self, *_):
        await asyncio.gather(*(box.close() for box in self.sandboxes))
        await self.redis.aclose()
        self.db.dispose()
        self.server.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    async def build(self, *, base, seed, now, monthly=None, renew_days=2):
        """A founder on "partner" (`monthly` its budget if given), a planned project, a run, its deps."""
        if monthly is not None:
            budget.TIERS["partner"] = budget.Tier("partner", "Partner", monthly, MODEL, 2, 9_900)
        with self.db.session() as s:
            user = store.create_user(s, email=f"founder-{next(FOUNDERS)}@example.com", password_hash="x")
            if s.get(Plan, "partner") is None:
                s.add(Plan(key="partner", name="Partner", monthly_budget_micros=60_000_000, model=MODEL))
            s.add(Subscription(user_id=user.id, plan_key="partner", renews_at=now + timedelta(days=renew_days)))
            s.commit()
        project = planned_project(self.db, user)
        phases = await self.db.run(lambda s: [p.effort for p in js.plan_phases(s, project_id=project.id)])
        turns, counts = script(phases, base, seed)
        model, queue = ReplayModel(turns), Queue()

        async def open_sandbox(workspace, _sandbox_id):  # a new sandbox object each slice, as in the worker
            self.sandboxes.append(LocalSandbox(workspace, confinement=UNCONFINED))
            return self.sandboxes[-1]

        deps = BuildDeps(db=self.db, redis=self.redis, storage=LocalStorage(self.work / "files"), llm=model,
                         capture=lambda *_: asyncio.sleep(0, b""), enqueue=queue, open_sandbox=open_sandbox,
                         workspaces_root=self.work / "ws", worker_id="bench", clock=lambda: now)
        run_id = await BuildControls(db=self.db, redis=self.redis, enqueue=queue).start(project)
        return user, project, model, deps, run_id, counts

    def rows(self, model, run_id):
        with self.db.session() as s:
            return list(s.exec(select(model).where(model.run_id == run_id).order_by(col(model.id))))


async def until_stopped(deps, run_id) -> tuple[str, int]:
    slices = 1  # build_slice again after each hand-over, as the queue would, until the run stops
    while (status := await build_slice(deps, run_id)) == "continued":
        slices += 1
    return status, slices


async def forecast_run(bench: Bench, base, seed, now) -> dict:
    started = time.perf_counter()
    _, project, model, deps, run_id, counts = await bench.build(base=base, seed=seed, now=now)
    status, slices = await until_stopped(deps, run_id)
    rows = await bench.db.run(lambda s: js.plan_phases(s, project_id=project.id))
    events = bench.rows(RunEvent, run_id)
    usage = [e.payload for e in events if e.type == ev.UsageRecorded.type]
    failed = sum(1 for e in events if e.type == ev.ToolUsed.type and not e.payload["ok"])
    starts = [i for i, (_, name, args) in enumerate(model.turns) if name == "plan" and args["action"] == "start"]
    phases = []
    for n, (row, steps) in enumerate(zip(rows, counts), start=1):
        booked = [u for u in usage if u["phase"] == n]
        phases.append({"phase": n, "title": row.title[:40], "effort": row.effort, "steps": steps,
                       "calls": len(booked), "context_tokens_at_start": model.log[starts[n - 1]]["tokens"],
                       "forecast_usd": usd(row.cost_forecast_micros), "actual_usd": usd(row.cost_actual_micros),
                       "error_pct": round(100 * (row.cost_actual_micros - row.cost_forecast_micros)
                                          / row.cost_forecast_micros, 1),
                       "tokens": {k: sum(u[k] for u in booked) for k in TOKEN_KINDS}})
    ledger, booked = bench.rows(UsageEntry, run_id), sum(r.cost_actual_micros for r in rows)
    worst = max(abs(p["error_pct"]) for p in phases)
    return {"seed": seed, "status": status, "slices": slices, "failed_tool_calls": failed, "phases": phases,
            "totals": {"forecast_usd": usd(sum(r.cost_forecast_micros for r in rows)), "actual_usd": usd(booked),
                       "ledger_usd": usd(sum(e.cost_micros for e in ledger)),
                       "before_phase_1_usd": usd(sum(e.cost_micros for e in ledger) - booked),
                       "model_calls_log": len(model.log), "model_calls_ledger": len(ledger),
                       "last_request_tokens": model.log[-1]["tokens"]},
            "max_abs_error_pct": worst, "all_within_30pct": worst <= 30,
            "seconds": round(time.perf_counter() - started, 1)}


def summary(runs: list[dict]) -> dict:
    by_effort = {}
    for effort in sorted({p["effort"] for r in runs for p in r["phases"]}):
        phases = [p for r in runs for p in r["phases"] if p["effort"] == effort]
        by_effort[effort] = {
            "phases": len(phases), "mean_steps": round(sum(p["steps"] for p in phases) / len(phases), 1),
            "mean_forecast_usd": round(sum(p["forecast_usd"] for p in phases) / len(phases), 4),
            "mean_actual_usd": round(sum(p["actual_usd"] for p in phases) / len(phases), 4),
            "mean_tokens_measured": {k: round(sum(p["tokens"][k] for p in phases) / len(phases)) for k in TOKEN_KINDS}}
    return {"seeds": [r["seed"] for r in runs], "max_abs_error_pct": max(r["max_abs_error_pct"] for r in runs),
            "all_phases_within_30pct": all(r["all_within_30pct"] for r in runs),
            "build_actual_over_forecast": round(sum(r["totals"]["actual_usd"] for r in runs)
                                                / sum(r["totals"]["forecast_usd"] for r in runs), 3),
            "error_pct_by_phase": {p["phase"]: [r["phases"][p["phase"] - 1]["error_pct"] for r in runs]
                                   for p in runs[0]["phases"]},
            "by_effort": by_effort}


def crossing(costs: list[int], allowance: int) -> int:
    """How many calls it took to reach the allowance (len(costs) when it was never reached)."""
    return next((i + 1 for i, spent in enumerate(itertools.accumulate(costs)) if spent >= allowance), len(costs))


async def cap_case(bench: Bench, name, allowance, base, now) -> dict:
    user, _, model, deps, run_id, _ = await bench.build(base=base, seed=1, monthly=allowance * 10, renew_days=10,
                                                        now=now)
    status, slices = await until_stopped(deps, run_id)
    calls_at_stop = len(model.log)
    again = await build_slice(deps, run_id)  # a duplicate or stray job before the reset
    woken = await pacing.wake_due(deps)  # the wake cron before the reset: must wake nothing
    day = await bench.db.run(lambda s: spend.today(s, user_id=user.id, now=now))
    ledger = bench.rows(UsageEntry, run_id)
    costs, own = [e.cost_micros for e in ledger], [r["cost"] for r in model.log]
    crossed, crossed_log = crossing(costs, day.allowance_micros), crossing(own, day.allowance_micros)
    after, after_log, over = costs[crossed:], own[crossed_log:], sum(costs[:crossed]) - day.allowance_micros
    woken_at_reset = await pacing.wake_due(deps, now=budget.next_reset(now) + timedelta(minutes=1))
    return {"case": name, "allowance_usd": usd(day.allowance_micros), "status": status, "slices": slices,
            "spent_at_stop_usd": usd(day.spent_micros), "model_calls_log": len(model.log),
            "model_calls_ledger": len(ledger), "crossing_call": crossed,
            "crossing_call_cost_usd": usd(costs[crossed - 1]), "overshoot_usd": usd(over),
            "overshoot_pct": round(100 * over / day.allowance_micros, 1),
            "calls_after_allowance_spent": {"ledger": len(after), "log": len(after_log)},
            "usd_after_allowance_spent": {"ledger": usd(sum(after)), "log": usd(sum(after_log))},
            "stray_job_status": again, "model_calls_by_stray_job": len(model.log) - calls_at_stop,
            "woken_before_reset": woken, "woken_after_reset": woken_at_reset == [run_id]}


async def main_async(args) -> dict:
    base = dict(zip("SML", args.steps)) if args.steps else BASE_STEPS
    SPREAD[0] = args.spread
    now = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    async with Bench() as bench:
        if args.cap:
            cases = [await cap_case(bench, *case, base, now) for case in CAP_CASES.items()]
            return {"mode": "cap", "model": MODEL, "breaker_margin": budget.BREAKER_MARGIN, "cases": cases}
        runs = [await forecast_run(bench, base, seed, now) for seed in args.seeds]
    return {"mode": "forecast", "base_steps": base, "spread": args.spread, "runs": runs, "summary": summary(runs)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--steps", type=int, nargs=3, metavar=("S", "M", "L"), help="base step counts per effort")
    parser.add_argument("--spread", type=float, default=0.25, help="how far a phase's calls stray (0.25: +-25%%)")
    parser.add_argument("--cap", action="store_true", help="spend after the daily cap instead of the forecast")
    tempfile.tempdir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # costs only: no fsyncs on the shared disk
    os.environ.setdefault("DATA_DIR", data := tempfile.mkdtemp(prefix="forecast-bench-data-"))
    try:
        print(json.dumps(asyncio.run(main_async(parser.parse_args())), indent=1))
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
