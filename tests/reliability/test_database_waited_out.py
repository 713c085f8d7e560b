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
from agent.db import Database


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
