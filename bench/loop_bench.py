"""Benchmarks of the agent loop, with scripted models (no network, no model time):

  overhead   loop overhead per iteration: the loop itself, recording each event (database row and
             Redis XADD) and saving the checkpoint, with a zero-latency model and an instant tool
  cache      prompt caching, on the requests the real loop sends during a scripted 60-step build in a
             real sandbox: the share of each request's input that repeats the previous request
             (from iteration 3), and the run's cost against a naive loop that neither caches nor
             truncates, both priced with the same table
  concurrent runs per worker process: N builds at once in one event loop (model latency simulated,
             real commands in real sandboxes), the event loop's lag, and memory per run

    python bench/loop_bench.py overhead --iterations 200
    python bench/loop_bench.py cache --steps 60
    python bench/loop_bench.py concurrent --runs 20 --steps 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent import build, guards, tools  # noqa: E402
from agent.loop import LoopLimits, LoopState, run_loop  # noqa: E402
from agent.pricing import cost_micros  # noqa: E402
from agent.services.llm import TextBlock, ToolUse, Turn, Usage  # noqa: E402
from agent.services.confinement import UNCONFINED  # noqa: E402
from agent.services.local_sandbox import LocalSandbox  # noqa: E402

MODEL = "claude-sonnet-4-5"


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class ScriptedModel:
    """Plays `steps` turns of one tool call each, then ends; optional simulated latency."""

    label, model, offline = "scripted", MODEL, False

    def __init__(self, calls, latency=0.0):
        self.calls, self.latency, self.requests = calls, latency, []

    async def turn(self, *, system, messages, tools=(), tool_choice=None, max_tokens=4096, on_delta=None):
        self.requests.append(len(messages))
        if self.latency:
            await asyncio.sleep(self.latency)
        played = sum(1 for m in messages if m["role"] == "assistant")
        if played >= len(self.calls):
            return Turn(content=(TextBlock("Done."),), stop_reason="end_turn", model=MODEL, usage=Usage(1, 1))
        name, args = self.calls[played]
        return Turn(content=(ToolUse(id=f"t{played}", name=name, input=args),), stop_reason="tool_use", model=MODEL,
                    usage=Usage(input_tokens=10, output_tokens=10))


async def persistence():
    """A real database and Redis, as the worker uses them."""
    from redis.asyncio import Redis

    from agent import run_store, store
    from agent.db import Database
    from tests.support import migrate
    from tests.support.servers import RedisServer

    work = Path(tempfile.mkdtemp(prefix="loop-bench-"))
    server = RedisServer(work / "redis")
    url = f"sqlite:///{work / 'bench.db'}"
    migrate.upgrade(url)
    db, redis = Database(url), Redis.from_url(server.url)
    with db.session() as s:
        user = store.create_user(s, email="bench@example.com", password_hash="x")
        project, _ = store.create_project(s, owner_id=user.id, name="Bench")
    return work, server, db, redis, project, store, run_store


def context_for(sandbox, emit):
    async def nothing(*_):
        return "Phase"

    return tools.ToolContext(sandbox=sandbox, emit=emit, save_doc=nothing, save_screenshot=nothing,
                             capture=nothing, move_phase=nothing)


async def bench_overhead(args) -> dict:
    work, server, db, redis, project, store, run_store = await persistence()
    with db.session() as s:
        run = store.create_run(s, project_id=project.id, kind="build")
    timings: list[float] = []
    state = LoopState(messages=[build.FIRST_MESSAGE])
    calls = [("narrate", {"text": f"I'm on step {i}."}) for i in range(args.iterations)]
    mark = [time.perf_counter()]

    async def emit(event):
        seq = state.next_seq
        state.next_seq += 1
        await store.record(db=db, redis=redis, run_id=run.id, event=event, seq=seq)

    async def save(current):
        await db.run(lambda s: run_store.save_checkpoint(s, run_id=run.id, step=current.step, data=current.to_json()))
        now = time.perf_counter()
        timings.append((now - mark[0]) * 1000)
        mark[0] = now

    async def never():
        return False

    async def on_turn(turn):
        return None

    sandbox = LocalSandbox(work / "ws", confinement=UNCONFINED)
    await run_loop(llm=ScriptedModel(calls), system=build.RULES, context=context_for(sandbox, emit), state=state,
                   emit=emit, save=save, should_pause=never, on_turn=on_turn,
                   limits=LoopLimits(slice_steps=10**6, slice_seconds=10**6))
    await redis.aclose()
    db.dispose()
    server.stop()
    return {"iterations": len(timings), "p50_ms": round(pct(timings, 50), 2), "p95_ms": round(pct(timings, 95), 2),
            "p99_ms": round(pct(timings, 99), 2), "mean_ms": round(statistics.fmean(timings), 2),
            "note": "each iteration: 2 events (narration, tool used) recorded in SQLite + Redis, and a "
            "checkpoint of the growing conversation saved"}


def _build_calls(steps: int) -> list[tuple[str, dict]]:
    """The tool calls of a realistic build: small writes, medium reads, and long test logs every tenth step."""
    calls: list[tuple[str, dict]] = []
    for i in range(steps):
        if i % 10 == 9:  # a verbose test run: about 25k tokens of output
            calls.append(("bash", {"command": "python3 -c \"[print(f'test_{n} ... ok ({n * 3} ms) ' + 'x' * 60) "
                                              "for n in range(1500)]\""}))
        elif i % 3 == 0:  # reading a module back: about 1k tokens
            calls.append(("read_file", {"path": f"app/module_{max(i - 1, 1)}.py"}))
        else:
            calls.append(("write_file", {"path": f"app/module_{i}.py",
                                         "content": "".join(f"    line {n}: value = compute({n})\n"
                                                            for n in range(120))}))
    return calls


def _blocks(system: str, tool_specs, messages) -> list[str]:
    """A request as the ordered pieces a prompt cache matches on: system, tools, then each message block."""
    pieces = [system, json.dumps(list(tool_specs), sort_keys=True)]
    for message in messages:
        content = message["content"]
        for block in ([{"type": "text", "text": content}] if isinstance(content, str) else content):
            pieces.append(message["role"] + json.dumps(block, sort_keys=True, default=str))
    return pieces


class RecordingModel(ScriptedModel):
    """The scripted model, keeping every request it is sent as cacheable pieces."""

    def __init__(self, calls):
        super().__init__(calls)
        self.sent: list[list[str]] = []

    async def turn(self, *, system, messages, tools=(), tool_choice=None, max_tokens=4096, on_delta=None):
        self.sent.append(_blocks(system, tools, messages))
        return await super().turn(system=system, messages=messages, tools=tools)


async def _requests(steps: int, *, truncate: bool) -> list[list[str]]:
    """Run the real loop on the scripted build in a real sandbox; return the requests it sent."""
    work = Path(tempfile.mkdtemp(prefix="loop-bench-cache-"))
    model = RecordingModel(_build_calls(steps))
    state = LoopState(messages=[build.FIRST_MESSAGE])

    async def emit(_event):
        return None

    async def save(_state):
        return None

    async def never():
        return False

    sandbox = LocalSandbox(work / "ws", confinement=UNCONFINED)
    original = guards.truncate_result
    if not truncate:
        guards.truncate_result = lambda text, **_: text
    try:
        system = build.RULES + "\n\n" + "Brief, interview answers and plan. " * 350  # ~3k tokens of context
        await run_loop(llm=model, system=system, context=context_for(sandbox, emit), state=state, emit=emit,
                       save=save, should_pause=never, on_turn=emit,
                       limits=LoopLimits(slice_steps=10**6, slice_seconds=10**6))
    finally:
        guards.truncate_result = original
        await sandbox.close()
    return model.sent


def _tokens(pieces: list[str]) -> int:
    return sum(guards.estimate_tokens(p) for p in pieces)


def _shared_prefix(previous: list[str], current: list[str]) -> int:
    shared = 0
    for a, b in zip(previous, current):
        if a != b:
            break
        shared += 1
    return shared


async def bench_cache(args) -> dict:
    """The real loop's requests: how much of each repeats the previous one, and what the run costs
    with caching (cache_control on the last block, so the whole previous request is read from cache)
    against a naive loop that sends everything uncached and does not truncate long results."""
    ours = await _requests(args.steps, truncate=True)
    naive = await _requests(args.steps, truncate=False)
    output = Usage(input_tokens=0, output_tokens=60)  # a tool call's worth of output per request
    shares, cost_ours, cost_naive = [], 0, 0
    for i, request in enumerate(ours):
        total = _tokens(request)
        cached = _tokens(request[:_shared_prefix(ours[i - 1], request)]) if i else 0
        if i >= 2:
            shares.append(cached / total)
        cost_ours += cost_micros(MODEL, Usage(input_tokens=0, cache_read_tokens=cached,
                                              cache_write_tokens=total - cached, output_tokens=output.output_tokens))
    for request in naive:
        cost_naive += cost_micros(MODEL, Usage(input_tokens=_tokens(request), output_tokens=output.output_tokens))
    below = [(i + 3, round(share, 3)) for i, share in enumerate(shares) if share < 0.9]  # (request number, share)
    return {"steps": args.steps, "requests": len(ours),
            "cacheable_share_from_iteration_3": {"mean": round(statistics.fmean(shares), 3),
                                                 "median": round(statistics.median(shares), 3),
                                                 "min": round(min(shares), 3),
                                                 "requests_below_90pct": below,
                                                 "all_at_least_90pct_from_request": (below[-1][0] + 1) if below else 3},
            "last_request_tokens": {"ours": _tokens(ours[-1]), "naive": _tokens(naive[-1])},
            "cost_ours_usd": round(cost_ours / 1e6, 3), "cost_naive_usd": round(cost_naive / 1e6, 3),
            "ours_vs_naive": round(cost_ours / cost_naive, 3), "model": MODEL}


async def bench_concurrent(args) -> dict:
    work, server, db, redis, project, store, run_store = await persistence()
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker():
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - before - 0.01) * 1000)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    async def one(index):
        with db.session() as s:
            run = store.create_run(s, project_id=project.id, kind="build")
        state = LoopState(messages=[build.FIRST_MESSAGE])
        calls = [("bash", {"command": f"echo step {i} of run {index}"}) if i % 2 else
                 ("write_file", {"path": f"src/f{i}.py", "content": "x = 1\n" * 50}) for i in range(args.steps)]

        async def emit(event):
            seq = state.next_seq
            state.next_seq += 1
            await store.record(db=db, redis=redis, run_id=run.id, event=event, seq=seq)

        async def save(current):
            await db.run(lambda s: run_store.save_checkpoint(s, run_id=run.id, step=current.step, data=current.to_json()))

        async def never():
            return False

        async def on_turn(turn):
            return None

        sandbox = LocalSandbox(work / f"ws{index}")
        await run_loop(llm=ScriptedModel(calls, latency=args.latency), system=build.RULES,
                       context=context_for(sandbox, emit), state=state, emit=emit, save=save, should_pause=never,
                       on_turn=on_turn, limits=LoopLimits(slice_steps=10**6, slice_seconds=10**6))

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(args.runs)))
    elapsed = time.perf_counter() - started
    stop.set()
    await tick
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    await redis.aclose()
    db.dispose()
    server.stop()
    return {"runs": args.runs, "steps_each": args.steps, "model_latency_s": args.latency,
            "seconds": round(elapsed, 1), "loop_lag_p50_ms": round(pct(lags, 50), 1),
            "loop_lag_p99_ms": round(pct(lags, 99), 1), "loop_lag_max_ms": round(max(lags), 1),
            "peak_rss_growth_mb_per_run": round((rss_after - rss_before) / args.runs, 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="which", required=True)
    sub.add_parser("overhead").add_argument("--iterations", type=int, default=200)
    sub.add_parser("cache").add_argument("--steps", type=int, default=60)
    concurrent = sub.add_parser("concurrent")
    concurrent.add_argument("--runs", type=int, default=20)
    concurrent.add_argument("--steps", type=int, default=30)
    concurrent.add_argument("--latency", type=float, default=0.5)
    args = parser.parse_args()
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="loop-bench-data-"))
    bench = {"overhead": bench_overhead, "cache": bench_cache, "concurrent": bench_concurrent}[args.which]
    result = asyncio.run(bench(args))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
