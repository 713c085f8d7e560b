"""The SQL engine and sessions, for SQLite (default) and PostgreSQL alike.

SQLite is opened in WAL mode with a busy timeout so the web app and the worker can write at the
same time; PostgreSQL connections are checked before use so a restarted server costs one retry.
`Database.run` waits out what is temporary: a write that met a lock held past the busy timeout, or a
connection the server dropped (a restart, `pg_terminate_backend`), is tried again in a fresh session
with backoff for up to RETRY_SECONDS, so "database is locked" never reaches a founder or fails a build.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, create_engine

T = TypeVar("T")
log = logging.getLogger(__name__)
RETRY_SECONDS = 20.0  # how long a transient database problem is waited out (beyond the busy timeout)
_TRANSIENT = ("database is locked", "database is busy", "server closed the connection", "terminating connection",
              "connection refused", "could not connect", "connection has been closed", "connection reset",
              "the database system is starting up", "the database system is shutting down")


def transient(exc: BaseException) -> bool:
    """A database error that a moment's wait may cure (a lock, a dropped or refused connection)."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    return bool(exc.connection_invalidated) or any(text in str(exc).lower() for text in _TRANSIENT)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Opens short sessions on one engine; `run` moves blocking work off the event loop."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    async def run(self, work: Callable[[Session], T], *, retry_for: float = RETRY_SECONDS) -> T:
        """Run `work(session)` in a thread with its own session; commit is up to `work`. A transient
        failure rolls its transaction back, so `work` is tried again whole in a new session."""

        def _in_thread() -> T:
            with self.session() as session:
                return work(session)

        deadline, delay = time.monotonic() + retry_for, 0.2
        while True:
            try:
                return await asyncio.to_thread(_in_thread)
            except sa.exc.DBAPIError as exc:
                if not transient(exc) or time.monotonic() + delay > deadline:
                    raise
                log.warning("database busy or away (%s); trying again in %.1f s", str(exc).splitlines()[0][:120],
                            delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 3.0)

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
