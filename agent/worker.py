"""The arq worker: its settings, the composition root (startup), the jobs and the heartbeat.

Start it with `arq agent.worker.WorkerSettings`. This module never imports Reflex or the web app;
everything a job needs is built once in `startup` and reaches the job through `ctx`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from arq import cron, func
from arq.connections import RedisSettings

from agent import heartbeat, idle_apps, jobs, outages, password_reset
from agent.config import Settings
from agent.db import Database
from agent.founder_safe import register_secrets
from agent.build_control import WAKE_PREVIEW
from agent.build_job import BuildDeps, build_slice
from agent.reconciler import reconcile
from agent.pacing import wake_due
from agent.priority import yield_cpu
from agent.preview_job import stop_app, wake_preview
from agent.journey_jobs import JourneyDeps, draft_brief, draft_plan, interview_step
from agent.loop import LoopLimits
from agent.models import utcnow
from agent.offline import OfflineCoFounder
from agent.offline_builder import OfflineBuilder
from agent.services.screenshots import ChromiumScreenshots
from agent.project_setup import set_up_project
from agent.services.llm import LLM
from agent.services.adapters import email_sender, sandbox_opener, sandbox_state
from agent.services.storage import build_storage

settings = Settings.from_env()
log = logging.getLogger("agent.worker")


class QuietCron(logging.Filter):
    """arq logs each job at info level; the reconciler runs every 5 s, so its routine runs would be most
    of the log. Its warnings and errors still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return record.levelno > logging.INFO or not ("cron:reconcile_builds" in message
                                                     or "cron:stop_idle_apps" in message)


async def startup(ctx: dict) -> None:
    logging.getLogger("arq.worker").addFilter(QuietCron())
    outages.outlast_outages(ctx["redis"])  # arq's polling, the jobs and the heartbeat wait Redis out
    yield_cpu(settings.worker_nice)  # builds inherit it: a founder's page stays live beside ten builds
    register_secrets(settings.secret_values())  # redacted wherever they would be shown or stored
    ctx["settings"] = settings
    ctx["db"] = Database(settings.database_url)
    ctx["storage"] = build_storage(settings)
    ctx["worker_id"] = f"{socket.gethostname()}:{os.getpid()}"
    ctx["llm"] = build_llm(settings)
    ctx["builder"] = OfflineBuilder() if settings.llm_backend == "offline" else ctx["llm"]
    ctx["screenshots"] = ChromiumScreenshots()
    ctx["email"] = email_sender(settings)
    settings.workspaces_dir.mkdir(parents=True, exist_ok=True)
    ctx["sandbox"] = sandbox_state(settings)  # probed once: without confinement, builds refuse to start
    ctx["heartbeat"] = asyncio.create_task(heartbeat.beat_forever(ctx["redis"], ctx["worker_id"],
                                                                  sandbox=ctx["sandbox"].describe()))
    log.info("worker %s ready (database %s, %s)", ctx["worker_id"], settings.database_url.split(":", 1)[0],
             ctx["llm"].label)
    if not settings.redis_has_password:
        log.warning("REDIS_URL has no password: anything that reaches this Redis can queue work for the worker; "
                    "give Redis a password (make run's own Redis has one)")


def build_llm(config: Settings) -> LLM:
    if config.llm_backend == "anthropic":
        from agent.services.claude import AnthropicLLM

        return AnthropicLLM.from_settings(config)
    return OfflineCoFounder()


def _journey(ctx: dict) -> JourneyDeps:
    async def enqueue(job: str, run_id: int) -> None:
        await jobs.enqueue(ctx["redis"], job, run_id)

    return JourneyDeps(db=ctx["db"], redis=ctx["redis"], llm=ctx["llm"], enqueue=enqueue, worker_id=ctx["worker_id"],
                       forecast_model=settings.anthropic_model, maxlen=settings.event_stream_maxlen)


async def shutdown(ctx: dict) -> None:
    task = ctx.get("heartbeat")
    if task:
        task.cancel()
    if "redis" in ctx and "worker_id" in ctx:
        await heartbeat.forget(ctx["redis"], ctx["worker_id"])
    if close_all := getattr(ctx.get("open_sandbox"), "close_all", None):
        await close_all()  # the app servers this worker started stop with it
    if "screenshots" in ctx:
        await ctx["screenshots"].close()
    if "db" in ctx:
        ctx["db"].dispose()


async def setup_project(ctx: dict, run_id: int) -> str:
    return await set_up_project(
        db=ctx["db"],
        redis=ctx["redis"],
        storage=ctx["storage"],
        workspaces_root=settings.workspaces_dir,
        run_id=run_id,
        worker_id=ctx["worker_id"],
        maxlen=settings.event_stream_maxlen,
    )


def _build(ctx: dict) -> BuildDeps:
    if "open_sandbox" not in ctx:
        ctx["open_sandbox"] = sandbox_opener(settings, ctx["sandbox"])

    async def enqueue(job: str, run_id: int, job_id: str) -> None:
        await jobs.enqueue(ctx["redis"], job, run_id, job_id)

    async def waiting_jobs() -> set[str]:
        return await jobs.waiting(ctx["redis"])

    return BuildDeps(db=ctx["db"], redis=ctx["redis"], storage=ctx["storage"], llm=ctx["builder"],
                     capture=ctx["screenshots"].capture, enqueue=enqueue, workspaces_root=settings.workspaces_dir,
                     worker_id=ctx["worker_id"], maxlen=settings.event_stream_maxlen,
                     open_sandbox=ctx["open_sandbox"], clock=worker_clock(settings),
                     app_host="0.0.0.0" if settings.sandbox == "e2b" else "127.0.0.1", waiting_jobs=waiting_jobs,
                     limits=LoopLimits(max_tool_calls=settings.max_tool_calls, slice_steps=settings.slice_steps,
                                       slice_seconds=settings.slice_seconds))


def worker_clock(config: Settings) -> Callable[[], datetime]:
    """"Now" for the budget and the wake cron: the real time, moved on by CLOCK_OFFSET_SECONDS when
    set (a test or a demo of the daily reset without waiting for midnight)."""
    if not config.clock_offset_seconds:
        return utcnow
    offset = timedelta(seconds=config.clock_offset_seconds)
    return lambda: utcnow() + offset


async def build_slice_job(ctx: dict, run_id: int) -> str:
    return await build_slice(_build(ctx), run_id)


async def wake_preview_job(ctx: dict, run_id: int) -> str:
    return await wake_preview(_build(ctx), run_id)


async def stop_app_job(ctx: dict, run_id: int) -> str:
    return await stop_app(_build(ctx), run_id)


async def reconcile_builds(ctx: dict) -> None:
    """Every 2 seconds: builds whose worker died or whose job was lost are queued again, and sleeping
    builds whose allowance has reset wake up."""
    deps = _build(ctx)
    restarted = await reconcile(deps)
    if restarted:
        log.info("re-enqueued stalled builds %s", restarted)
    woken = await wake_due(deps)
    if woken:
        log.info("woke sleeping builds %s", woken)


async def stop_idle_apps(ctx: dict) -> None:
    """Every minute: apps nobody has looked at for PREVIEW_IDLE_MINUTES stop (they wake on request)."""
    sandboxes = getattr(_build(ctx).open_sandbox, "sandboxes", {})
    stopped = await idle_apps.stop_idle(sandboxes=sandboxes, redis=ctx["redis"], db=ctx["db"],
                                        idle_seconds=settings.preview_idle_seconds)
    if stopped:
        log.info("stopped the idle apps of projects %s", stopped)


async def password_reset_email_job(ctx: dict, email: str) -> str:
    sent = await password_reset.send(db=ctx["db"], email_sender=ctx["email"], email=email, app_url=settings.app_url,
                                     lifetime=timedelta(seconds=settings.password_reset_seconds))
    return "sent" if sent else "no account"


async def interview_step_job(ctx: dict, run_id: int) -> str:
    return await interview_step(_journey(ctx), run_id)


async def draft_brief_job(ctx: dict, run_id: int) -> str:
    return await draft_brief(_journey(ctx), run_id)


async def draft_plan_job(ctx: dict, run_id: int) -> str:
    return await draft_plan(_journey(ctx), run_id)


def queue_settings(url: str) -> RedisSettings:
    """arq's connection, waiting up to STARTUP_WAIT seconds for a Redis that is not up yet (then the
    process exits and its supervisor starts it again); once started, outages are waited out."""
    found = RedisSettings.from_dsn(url)
    found.conn_retries, found.conn_retry_delay = STARTUP_WAIT, 1
    return found


STARTUP_WAIT = 120


class WorkerSettings:
    functions = [
        func(setup_project, name=jobs.SETUP_PROJECT),
        func(interview_step_job, name=jobs.INTERVIEW_STEP),
        func(draft_brief_job, name=jobs.DRAFT_BRIEF),
        func(draft_plan_job, name=jobs.DRAFT_PLAN),
        func(build_slice_job, name=jobs.BUILD_SLICE),
        func(wake_preview_job, name=WAKE_PREVIEW),
        func(stop_app_job, name=jobs.STOP_APP),
        func(password_reset_email_job, name=password_reset.JOB),
    ]
    cron_jobs = [cron(reconcile_builds, second=set(range(0, 60, 2)), run_at_startup=True, unique=True),
                 cron(stop_idle_apps, second=30, unique=True)]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = queue_settings(settings.redis_url)
    job_serializer = jobs.serialize  # JSON, never pickle (agent/jobs.py)
    job_deserializer = jobs.deserialize
    poll_delay = settings.worker_poll_delay
    max_jobs = settings.worker_max_jobs
    job_timeout = 600
    keep_result = 0  # outcomes live in the database; a kept result would block a same-id job later
