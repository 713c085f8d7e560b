"""Test environment: a private redis-server and a migrated SQLite database for the whole session.

They are started in `pytest_configure`, before any test module imports the app, so the settings
every module reads (REDIS_URL, DATABASE_URL, DATA_DIR) point at them. Fixtures add PostgreSQL
when a server is reachable, so the SQL layer is tested on both databases.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.support import migrate
from tests.support.servers import RedisServer, ScratchPostgres, postgres_admin_url

pytest_plugins = ["tests.support.browser"]  # the browser fixtures, shared by tests/e2e and tests/security

_session: dict = {}


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    workdir = Path(tempfile.mkdtemp(prefix="cofounder-test-"))
    server = RedisServer(workdir / "redis")
    database_url = f"sqlite:///{workdir / 'app.db'}"
    os.environ.update(
        REDIS_URL=server.url,
        DATABASE_URL=database_url,
        DATA_DIR=str(workdir / "data"),
        APP_URL="http://127.0.0.1:3000",
        WORKER_POLL_DELAY="0.05",
        # the product's worker yields the CPU to everything (nice 19, see agent/priority.py); the suite's
        # worker takes an equal share, so a build under test is not starved by whatever else the machine
        # runs (test_priority.py checks the weights themselves)
        WORKER_NICE="0",
        # every browser test comes from 127.0.0.1: the per-address rules would count the whole suite
        RATE_LIMITS="sign_up=10000/hour,sign_in=10000/hour,password_reset=10000/hour,http=100000/minute",
    )
    for name in ("ANTHROPIC_API_KEY", "E2B_API_KEY", "S3_BUCKET", "STRIPE_SECRET_KEY"):
        os.environ.pop(name, None)
    migrate.upgrade(database_url)
    _session.update(workdir=workdir, redis=server, database_url=database_url)


def pytest_unconfigure(config: pytest.Config) -> None:
    if "redis" in _session:
        _session["redis"].stop()
        unmount_below(_session["workdir"])  # the workspaces' quota file systems the worker mounted
        sweep_cgroups()  # and the sandboxes' cgroups nothing runs in any more
        shutil.rmtree(_session["workdir"], ignore_errors=True)


def sweep_cgroups() -> None:
    from agent.services.sandbox_limits import find_cgroups

    if (layout := find_cgroups()) is not None:
        layout.sweep(idle_seconds=0)  # the session's own are done; another's are busy or made again


def unmount_below(folder: Path) -> None:
    from agent.services.sandbox_limits import unmount_quota

    with open("/proc/mounts") as mounts:
        points = [line.split()[1] for line in mounts if line.split()[1].startswith(f"{folder}/")]
    for point in points:
        unmount_quota(Path(point))


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _session["redis"].url


@pytest.fixture
async def redis(redis_url):
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request) -> str:
    """A migrated database: the session's SQLite file, and a scratch PostgreSQL database."""
    if request.param == "sqlite":
        yield _session["database_url"]
        return
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL is not reachable (set TEST_POSTGRES_URL or run one on 127.0.0.1:5432)")
    scratch = ScratchPostgres(admin)
    migrate.upgrade(scratch.url)
    scratch.offset_ids("runs", "projects", start=1_000_000)  # run streams in the shared Redis never collide
    yield scratch.url
    scratch.drop()


@pytest.fixture
def db(database_url):
    from agent.db import Database

    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def founder(db, unique):
    """A founder account with a project and its (queued) setup run."""
    from agent import store

    with db.session() as s:
        user = store.create_user(s, email=f"founder-{unique}@example.com", password_hash="x")
        project, run = store.create_project(s, owner_id=user.id, name=f"Project {unique}")
    return user, project, run
