"""Browser fixtures shared by every suite that drives the real app (tests/e2e, tests/security): the
app (Reflex AppHarness) and the real worker, driven by Playwright in Debian's Chromium. One app and
one worker for the whole session; a fresh browser context per test. Loaded as a plugin by the root
conftest, so there is one app however many folders use it.

Without Chromium the tests are skipped with a loud reason, except under CI=true where they fail.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.workers import start_worker, stop_worker

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
BROWSER_FIXTURES = {"browser", "live_app"}
# One patience for every browser wait (page actions and `expect` alike): enough for a loaded 2-core
# machine, where a page's first render can take seconds; Playwright's own `expect` default is 5 s.
BROWSER_TIMEOUT_MS = 20_000


def uses_browser(item: pytest.Item) -> bool:
    return bool(BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    # Browser tests last: Playwright's sync API keeps an event loop running in the main thread
    # for the rest of the session, which async tests cannot share.
    items.sort(key=uses_browser)
    browser_items = [item for item in items if uses_browser(item)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if Path(CHROMIUM).exists() or not browser_items:
        return
    reason = f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing (make test installs it with apt when run as root)"
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(reason.replace("SKIPPED", "CANNOT RUN") + "; CI=true requires them")
    print(f"\n\n!!! {reason} !!!\n", file=sys.stderr)
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class LiveApp:
    url: str  # where the browser opens pages
    harness: object
    worker: subprocess.Popen

    @contextmanager
    def other_worker(self, **env: str):
        """The session's worker swapped, for one test, for one started with `env` added (a worker on
        the Claude adapter, say); the session's comes back afterwards. The swap waits until no build is
        queued or running, so no other test's build reaches the other worker."""
        wait_quiet()
        stop_worker(self.worker)
        other = start_worker(**env)
        try:
            yield other
        finally:
            stop_worker(other)
            self.worker = start_worker()


def wait_quiet(seconds: float = 60) -> None:
    from sqlmodel import col, select

    from agent.db import Database
    from agent.models import Run

    db = Database(os.environ["DATABASE_URL"])
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            with db.session() as s:
                if s.exec(select(Run.id).where(col(Run.status).in_(("queued", "running")))).first() is None:
                    return
            time.sleep(0.5)
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def live_app(redis_url):
    from reflex.testing import AppHarness

    live = None
    worker = start_worker()
    try:
        with AppHarness.create(root=ROOT) as harness:
            # Pages and backend must share a host name so the SameSite=Lax cookie reaches the websocket;
            # the harness backend listens on 127.0.0.1, so the browser uses that name for pages too.
            url = harness.frontend_url.rstrip("/").replace("localhost", "127.0.0.1")
            # The harness picks a random page port; let that origin open the websocket and post.
            from cofounder_app import deps

            harness.app_instance.sio.eio.cors_allowed_origins.append(url)
            deps.EXTRA_ORIGINS.append(url)
            live = LiveApp(url=url, harness=harness, worker=worker)
            yield live
    finally:
        stop_worker(live.worker if live else worker)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from playwright.sync_api import expect

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_context(browser):
    contexts = []

    def make(**kwargs):
        ctx = browser.new_context(**{"viewport": {"width": 1280, "height": 860}, **kwargs})
        ctx.set_default_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


def _run(coro):
    # Playwright's sync API keeps an event loop busy in this thread: run ours in another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass
class Founder:
    id: int
    email: str
    password: str
    token: str


@pytest.fixture
def make_founder():
    """A founder account created directly in the database, with a ready sign-in token."""
    from agent import store
    from agent.accounts import hash_password, new_session_token
    from agent.db import Database

    db = Database(os.environ["DATABASE_URL"])

    def make(password: str = "correct horse battery 7") -> Founder:
        email = f"founder-{uuid.uuid4().hex[:8]}@example.com"
        token, token_hash = new_session_token()
        with db.session() as s:
            user = store.create_user(s, email=email, password_hash=hash_password(password))
            store.create_auth_session(s, user_id=user.id, token_hash=token_hash, lifetime=timedelta(days=1))
        return Founder(id=user.id, email=email, password=password, token=token)

    yield make
    db.dispose()


@pytest.fixture
def signed_in(new_context, live_app):
    """A browser context carrying the founder's session cookie, exactly as the sign-in route sets it."""
    from cofounder_app.auth import COOKIE_NAME

    def make(founder: Founder):
        ctx = new_context()
        ctx.add_cookies([{"name": COOKIE_NAME, "value": founder.token, "url": live_app.url,
                          "httpOnly": True, "sameSite": "Lax"}])
        return ctx

    return make


@pytest.fixture
def emit():
    """Record events for a run exactly as the worker does (store.record: DB row, then XADD)."""
    from redis.asyncio import Redis

    from agent import events as ev
    from agent import store
    from agent.db import Database

    def send(run_id: int, texts: list[str]) -> None:
        async def go():
            db = Database(os.environ["DATABASE_URL"])
            redis = Redis.from_url(os.environ["REDIS_URL"])
            for text in texts:
                await store.record(db=db, redis=redis, run_id=run_id, event=ev.Narration(text=text))
            await redis.aclose()
            db.dispose()

        _run(go())

    return send


def wait_hydrated(page, selector: str) -> None:
    page.wait_for_selector(selector, state="visible")


@pytest.fixture
def planned_project():
    """A project as a finished journey leaves it: a brief, a strategy graph and a plan."""
    from agent import brief as brief_rules
    from agent import interview as iv
    from agent import journey_store as js
    from agent import plan as plan_rules
    from agent import store
    from agent.db import Database

    db = Database(os.environ["DATABASE_URL"])

    def make(founder):
        with db.session() as s:
            project, _ = store.create_project(s, owner_id=founder.id, name="Walkies")
            idea = iv.facts("Walkies", "A marketplace connecting dog owners with <script>walkers</script>.", "Owners")
            content = brief_rules.draft_offline(idea, [])
            js.save_version(s, project_id=project.id, kind="brief", content=content, author="offline co-founder")
            js.record_decision(s, project_id=project.id, user_id=founder.id, choice="proceed", reason="Go")
            js.refresh_strategy(s, project_id=project.id)
            js.replace_plan(s, project_id=project.id,
                            phases=plan_rules.normalise(plan_rules.phases_offline(content), "claude-sonnet-4-5"))
            store.update_project(s, project_id=project.id, status="planned")
        return project

    yield make
    db.dispose()
