"""The agent scenario suite as a benchmark: every trajectory in tests/support/agent_scenarios.py
(test-fix cycles, a question, a cut write, a refusal, 429, an overload, a stall, compaction, a crashing
app, absolute links, a model that stops to ask) played `--rounds` times through the real SDK, the fake
Messages API, a real build slice, a local sandbox, migrated SQLite and a private redis-server. Prints
the pass rate and, per scenario, the model calls and the cost (priced from the fake API's usage).

    python bench/agent_scenarios.py --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis.asyncio import Redis  # noqa: E402

from agent import store  # noqa: E402
from agent.db import Database  # noqa: E402
from tests.agent_core.conftest import planned_project  # noqa: E402
from tests.support import migrate  # noqa: E402
from tests.support.agent_scenarios import SCENARIOS, holds, play  # noqa: E402
from tests.support.servers import RedisServer  # noqa: E402


async def bench(rounds: int, work: Path) -> dict:
    url = f"sqlite:///{work / 'bench.db'}"
    migrate.upgrade(url)
    db = Database(url)
    rows = []
    (work / "redis").mkdir()
    server = RedisServer(work / "redis")
    try:
        redis = Redis.from_url(server.url)
        for scenario in SCENARIOS:
            passed, costs, calls, seconds = 0, [], [], []
            for n in range(rounds):
                with db.session() as s:
                    user = store.create_user(s, email=f"bench-{time.time_ns()}@example.com", password_hash="x")
                project = planned_project(db, user)
                started = time.monotonic()
                result = await play(scenario, db=db, redis=redis, project=project, tmp_path=work / f"{len(rows)}-{n}")
                seconds.append(time.monotonic() - started)
                passed += holds(scenario, result)
                costs.append(result["cost_micros"])
                calls.append(result["calls"])
            rows.append({"scenario": scenario.name, "passed": f"{passed}/{rounds}", "ends": scenario.ends,
                         "model_calls": max(calls), "cost_usd": round(sum(costs) / len(costs) / 1e6, 4),
                         "seconds": round(sum(seconds) / len(seconds), 2)})
        await redis.aclose()
    finally:
        server.stop()
    db.dispose()
    total = sum(int(r["passed"].split("/")[0]) for r in rows)
    return {"rounds": rounds, "pass_rate": f"{total}/{rounds * len(rows)}", "scenarios": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="agent-scenarios-"))
    try:
        print(json.dumps(asyncio.run(bench(args.rounds, work)), indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
