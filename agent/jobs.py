"""How work reaches the worker: job names, the job queue and one enqueue helper.

A job id derived from the job and the run makes a double click or a retried request enqueue one
job, not two. Jobs and their results are JSON, never pickle: arq's default unpickles whatever sits
in `arq:job:*`, so anything able to write to Redis would run code in the worker. A payload that is
not JSON is refused by arq ("deserializing job failed") before anything of it runs.
"""

from __future__ import annotations

import json
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import default_queue_name

SETUP_PROJECT = "setup_project"
INTERVIEW_STEP = "interview_step"
DRAFT_BRIEF = "draft_brief"
DRAFT_PLAN = "draft_plan"
BUILD_SLICE = "build_slice"
STOP_APP = "stop_app"

# what kind of run each job works on
JOB_FOR_KIND = {"setup": SETUP_PROJECT, "interview": INTERVIEW_STEP, "brief": DRAFT_BRIEF, "narrow": DRAFT_BRIEF,
                "plan": DRAFT_PLAN, "build": BUILD_SLICE}


def run_job_id(job: str, run_id: int) -> str:
    """A run's job id; a continuation's adds what it continues from ("-step-12", "-wake-...")."""
    return f"{job}-run-{run_id}"


async def enqueue(pool: ArqRedis, job: str, run_id: int, job_id: str = "") -> None:
    await pool.enqueue_job(job, run_id, _job_id=job_id or run_job_id(job, run_id))


async def waiting(pool: ArqRedis) -> set[str]:
    """The ids of the jobs in the queue (waiting, deferred or being run)."""
    return {j.decode() if isinstance(j, bytes) else j for j in await pool.zrange(default_queue_name, 0, -1)}


async def enqueue_setup(pool: ArqRedis, *, run_id: int) -> None:
    await enqueue(pool, SETUP_PROJECT, run_id)


def serialize(value: dict[str, Any]) -> bytes:
    """A job or a job result as JSON; what JSON cannot hold (an exception in a failed result) as text."""
    return json.dumps(value, default=repr, separators=(",", ":")).encode()


def deserialize(data: bytes) -> dict[str, Any]:
    value = json.loads(data)  # a pickle (or anything else) raises here, so arq refuses the job unrun
    if not isinstance(value, dict):
        raise ValueError("a job is a JSON object")
    return value


SERIALIZERS = {"job_serializer": serialize, "job_deserializer": deserialize}


async def create_queue(redis_url: str) -> ArqRedis:
    """An arq pool speaking the worker's JSON job format."""
    return await create_pool(RedisSettings.from_dsn(redis_url), **SERIALIZERS)
