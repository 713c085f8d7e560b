"""What the browser benchmarks share: their own redis-server and SQLite database, the app in
production mode (`reflex run --env prod`, one port), optionally the real arq worker, founders with a
session cookie, and Chromium contexts carrying it. Not a test helper: benchmarks only."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import migrate  # noqa: E402
from tests.support.servers import RedisServer, free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

# Stamps, in each tab, the moment each feed row first appears (ms since the epoch, this machine's clock).
OBSERVER = """
window.__seen = {};
window.__types = {};
new MutationObserver((mutations) => {
  const now = performance.timeOrigin + performance.now();
  for (const m of mutations) for (const node of m.addedNodes) {
    if (node.nodeType !== 1) continue;
    const rows = node.classList && node.classList.contains('feed-row') ? [node] : node.querySelectorAll?.('.feed-row') || [];
    for (const row of rows) if (!(row.id in window.__seen)) {
      window.__seen[row.id] = now;
      window.__types[row.id] = row.getAttribute('data-type') || '';
    }
  }
}).observe(document, {childList: true, subtree: true});
// ... and the moment the websocket frame carrying each row arrived, to split the latency into the
// server's part (stream -> frame) and the browser's (frame -> row on screen).
window.__arrived = {};
window.__frames = {};  // the size of that frame
const NativeSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new NativeSocket(...args);
  socket.addEventListener('message', (message) => {
    if (typeof message.data !== 'string') return;
    const now = performance.timeOrigin + performance.now();
    for (const match of message.data.matchAll(/"id":"(event-\d+-\d+)"/g)) {
      if (!(match[1] in window.__arrived)) {
        window.__arrived[match[1]] = now;
        window.__frames[match[1]] = message.data.length;
      }
    }
  });
  return socket;
};
window.WebSocket.prototype = NativeSocket.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@dataclass
class Stack:
    base: str  # where the browser opens pages
    redis_url: str
    database_url: str
    workdir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def founder(self, name: str) -> tuple[int, str]:
        """A founder account and a session token for its cookie."""
        from agent import store
        from agent.accounts import new_session_token
        from agent.db import Database

        db = Database(self.database_url)
        token, token_hash = new_session_token()
        with db.session() as s:
            user = store.create_user(s, email=f"{name}-{time.time_ns()}@example.com", password_hash="x")
            store.create_auth_session(s, user_id=user.id, token_hash=token_hash, lifetime=timedelta(hours=2))
        db.dispose()
        return user.id, token

    async def signed_in_page(self, browser, token: str):
        from cofounder_app.auth import COOKIE_NAME

        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        await context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": self.base, "httpOnly": True,
                                    "sameSite": "Lax"}])
        page = await context.new_page()
        await page.add_init_script(OBSERVER)
        return page


@contextmanager
def stack(*, worker: bool):
    """Redis, a migrated SQLite database, the app in production mode and (when asked) the worker."""
    workdir = Path(tempfile.mkdtemp(prefix="cofounder-bench-"))
    redis_server = RedisServer(workdir / "redis")
    port = free_port()
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "REDIS_URL": redis_server.url, "DATABASE_URL": database_url, "DATA_DIR": str(workdir),
           "APP_URL": f"http://127.0.0.1:{port}", "REFLEX_USE_NPM": "1", "REFLEX_TELEMETRY_ENABLED": "false"}
    env.pop("ANTHROPIC_API_KEY", None)  # the offline co-founder: the figures must not depend on a network
    os.environ.update({k: env[k] for k in ("REDIS_URL", "DATABASE_URL", "DATA_DIR", "APP_URL")})
    migrate.upgrade(database_url)
    running = Stack(base=f"http://127.0.0.1:{port}", redis_url=redis_server.url, database_url=database_url,
                    workdir=workdir)
    cmd = ["reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port), "--loglevel", "warning"]
    running.processes.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=(workdir / "app.log").open("w"),
                                              stderr=subprocess.STDOUT, start_new_session=True))
    if worker:
        running.processes.append(subprocess.Popen([sys.executable, "-m", "arq", "agent.worker.WorkerSettings"],
                                                  cwd=ROOT, env=env, stdout=(workdir / "worker.log").open("w"),
                                                  stderr=subprocess.STDOUT, start_new_session=True))
    try:
        print(f"building and starting the app in production mode on {running.base} ...", flush=True)
        wait_http(running.base + "/api/health", timeout=600)
        yield running
    finally:
        for process in running.processes:
            try:
                os.killpg(process.pid, 15)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        redis_server.stop()
