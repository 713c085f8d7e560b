"""The database is waited out (issue 15): a write that meets a SQLite lock held past the busy timeout
(another writer's long transaction) is tried again until the lock goes, and the build's events keep
their seqs without a hole; an error that is not transient still fails at once."""

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from agent import events as ev
from agent import store
from agent.build_control import BuildControls
from agent.build_job import build_slice
from agent.db import Database
from tests.agent_core.conftest import Queue
from tests.agent_core.test_loop import Scripted
from tests.reliability.conftest import deps_for


@pytest.fixture
def sqlite_db(tmp_path):
    from tests.support import migrate

    url = f"sqlite:///{tmp_path / 'locked.db'}"
    migrate.upgrade(url)
    db = Database(url)
    yield db, tmp_path / "locked.db"
    db.dispose()


def hold_the_lock(path, seconds, held):
    """Another writer: an exclusive transaction kept open for `seconds`."""
    connection = sqlite3.connect(path, timeout=1, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    held.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


async def test_a_lock_held_past_the_busy_timeout_is_waited_out(sqlite_db):
    db, path = sqlite_db
    with db.session() as s:
        user = store.create_user(s, email="locked@example.com", password_hash="x")
        project, run = store.create_project(s, owner_id=user.id, name="Locked")
    held = threading.Event()
    writer = threading.Thread(target=hold_the_lock, args=(path, 11.5, held))  # the busy timeout is 10 s
    writer.start()
    held.wait(5)
    # the lock outlasts the busy timeout: the first try fails with "database is locked", a later one works
    row = await db.run(lambda s: store.insert_event(s, run_id=run.id, event=ev.Narration(text="after the lock")))
    writer.join()
    assert row is not None
    with db.session() as s:
        seqs = [e.seq for e in store.events_between(s, run_id=run.id, after_seq=0)]
    assert seqs == list(range(1, len(seqs) + 1))


async def test_an_error_that_is_not_transient_fails_at_once(sqlite_db):
    db, _ = sqlite_db
    tries = []

    def broken(s):
        tries.append(1)
        return s.execute(sa.text("SELECT * FROM no_such_table"))

    with pytest.raises(sa.exc.OperationalError, match="no such table"):
        await db.run(broken)
    assert len(tries) == 1


async def test_postgres_connections_killed_under_a_build_are_waited_out(db, database_url, redis, planned, tmp_path):
    """`pg_terminate_backend` on every connection of the build's database, every 100 ms while a slice
    runs (idle ones and ones in the middle of a transaction): each write is tried again on a fresh
    connection, the build reaches its end, and its events keep contiguous seqs."""
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    _, project = planned
    killer = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    stop, killed = threading.Event(), []

    def kill_connections():
        while not stop.is_set():
            with killer.connect() as connection:
                found = connection.execute(sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
            killed.append(found)
            stop.wait(0.1)

    model = Scripted([[("bash", {"command": f"echo step {n}"})] for n in range(12)]
                     + [[("ask_founder", {"question": "Go on?"})]])
    queue = Queue()
    run_id = await BuildControls(db=db, redis=redis, enqueue=queue).start(project)
    thread = threading.Thread(target=kill_connections)
    thread.start()
    try:
        status = await build_slice(deps_for(db, redis, model, tmp_path, queue), run_id)
    finally:
        stop.set()
        thread.join()
        killer.dispose()
    assert status == "needs_input" and sum(killed) > 0
    with db.session() as s:
        rows = store.events_between(s, run_id=run_id, after_seq=0, newest=1000)
    seqs = [r.seq for r in rows]
    assert seqs == list(range(1, len(seqs) + 1)) and not any(r.type == ev.RunFailed.type for r in rows)
    assert len(model.requests) == 13  # every step once: none repeated, none lost
