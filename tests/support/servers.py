"""Real servers for the tests: a private redis-server on a free port, a moto S3 server,
and a scratch PostgreSQL database when a server is reachable."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import redis

from scripts import local_redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {timeout} s")


class RedisServer:
    """A private redis-server set up exactly as `make run` sets up its own (scripts/local_redis.py):
    a password, a Unix socket, no TCP port."""

    def __init__(self, workdir: Path):
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed; run `make test`, which installs it")
        self.url, self.config = local_redis.write_config(workdir), workdir / "redis.conf"
        self.start()

    def start(self) -> None:
        """Start (or start again, empty: nothing is persisted, as after a restart) on the same socket."""
        self.process = subprocess.Popen(["redis-server", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: redis.Redis.from_url(self.url).ping(), "redis-server")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


class MotoServer:
    """A real HTTP S3-compatible endpoint (moto's server) on loopback."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import urllib.request

        _wait(lambda: urllib.request.urlopen(self.url + "/moto-api/", timeout=1), "moto server", timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def postgres_admin_url() -> str | None:
    """A URL to create scratch databases with, or None when no PostgreSQL is reachable."""
    explicit = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if explicit:
        return explicit
    with socket.socket() as s:
        s.settimeout(0.5)
        if s.connect_ex(("127.0.0.1", 5432)) != 0:
            return None
    return "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class ScratchPostgres:
    """A fresh database on the PostgreSQL server, dropped at the end."""

    def __init__(self, admin_url: str):
        import sqlalchemy as sa

        self.admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.name = f"cofounder_test_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        self.url = admin_url.rsplit("/", 1)[0] + f"/{self.name}"

    def offset_ids(self, *tables: str, start: int) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url)
        with engine.begin() as c:
            for table in tables:
                c.execute(sa.text(f"ALTER SEQUENCE {table}_id_seq RESTART WITH {start}"))
        engine.dispose()

    def drop(self) -> None:
        import sqlalchemy as sa

        with self.admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


class Served:
    """An ASGI app (uvicorn, from requirements-test.txt) on a free loopback port, in a thread; with
    `uds`, on that Unix socket instead (as a sandbox's app is reached)."""

    def __init__(self, app, host="127.0.0.1", *, uds: Path | None = None):
        import uvicorn

        self.port = free_port()
        self.uds = uds
        if uds is not None:
            uds.parent.mkdir(parents=True, exist_ok=True)
        where = {"uds": str(uds)} if uds is not None else {"host": host, "port": self.port}
        self.server = uvicorn.Server(uvicorn.Config(app, **where, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        """How a sandbox's app is addressed: `unix:<socket>`, or its loopback URL."""
        return f"unix:{self.uds}" if self.uds is not None else f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


class UnavailableStore:
    """A real HTTP endpoint for the S3 adapter to be pointed at, answering every request 503 Service
    Unavailable (object storage having a bad day) while `down`; with `behind` (a real S3 peer, moto's
    server) it passes requests through to it once `down` is set False. Counts what it was asked."""

    def __init__(self, behind: str | None = None):
        import httpx
        import uvicorn
        from starlette.applications import Starlette
        from starlette.responses import Response
        from starlette.routing import Route

        self.requests, self.down = 0, True
        hop = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}

        async def answer(request):
            self.requests += 1
            body = await request.body()  # read first, as S3 does: a PUT waiting on "100 Continue" gets its answer
            if self.down or behind is None:
                return Response(b"<Error><Code>ServiceUnavailable</Code><Message>Slow down</Message></Error>",
                                status_code=503, media_type="application/xml")
            async with httpx.AsyncClient() as client:
                upstream = await client.request(request.method, f"{behind}{request.url.path}",
                                                params=request.url.query, content=body,
                                                headers={k: v for k, v in request.headers.items() if k not in hop})
            return Response(upstream.content, status_code=upstream.status_code,
                            headers={k: v for k, v in upstream.headers.items() if k.lower() not in hop})

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        methods = ["GET", "PUT", "POST", "DELETE", "HEAD"]
        app = Starlette(routes=[Route("/{path:path}", answer, methods=methods), Route("/", answer, methods=methods)])
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        _wait(lambda: self._server.started or (_ for _ in ()).throw(OSError("not yet")), "the unavailable store")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


class SilentStore:
    """A TCP endpoint that accepts connections and never answers (a store that hangs), counting them."""

    def __init__(self):
        import socket

        self.connections, self._held, self._open = 0, [], True
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._open:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self.connections += 1
            self._held.append(connection)  # kept open, never read or answered

    def stop(self) -> None:
        self._open = False
        self._thread.join(timeout=5)
        for connection in self._held:
            connection.close()
        self._socket.close()
