"""The app as `make run` serves it: `reflex run --env prod`, pages, API, websocket and previews on one
port. AppHarness runs the development server, where pages and API are different origins, and that
hid a bug: a same-origin `/api/...` link went to the page router and its 404 page. Built in a copy of
the repository (its own `.web`, sharing `node_modules`), so it never touches the harness's files.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def _copy_tree(target: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    web = ROOT / ".web"
    if web.is_dir():  # the harness's compiled frontend: reuse its packages, not its build
        shutil.copytree(web, target / ".web", ignore=shutil.ignore_patterns("node_modules", "build"), symlinks=True)
        if (web / "node_modules").is_dir():
            (target / ".web" / "node_modules").symlink_to(web / "node_modules")


class ProdApp:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="cofounder-prod-"))
        _copy_tree(self.dir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "APP_URL": self.base}
        self.log = self.dir / "app.log"
        self.process = subprocess.Popen(
            ["reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(self.port), "--loglevel",
             "warning"], cwd=self.dir, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the production app stopped: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.base + "/api/health", timeout=2)
                return
            except OSError:
                time.sleep(1)
        raise RuntimeError("the production app did not start within 600 s")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)
