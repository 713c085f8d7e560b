"""How work reaches the worker: job names and one enqueue helper over an arq pool.

A job id derived from the job and the run makes a double click or a retried request enqueue one
job, not two.
"""

from __future__ import annotations

from arq.connections import ArqRedis

SETUP_PROJECT = "setup_project"
INTERVIEW_STEP = "interview_step"
DRAFT_BRIEF = "draft_brief"
DRAFT_PLAN = "draft_plan"
BUILD_SLICE = "build_slice"

# what kind of run each job works on
JOB_FOR_KIND = {"setup": SETUP_PROJECT, "interview": INTERVIEW_STEP, "brief": DRAFT_BRIEF, "narrow": DRAFT_BRIEF,
                "plan": DRAFT_PLAN, "build": BUILD_SLICE}


async def enqueue(pool: ArqRedis, job: str, run_id: int, job_id: str = "") -> None:
    await pool.enqueue_job(job, run_id, _job_id=job_id or f"{job}-run-{run_id}")


async def enqueue_setup(pool: ArqRedis, *, run_id: int) -> None:
    await enqueue(pool, SETUP_PROJECT, run_id)
