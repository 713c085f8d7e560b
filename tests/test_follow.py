"""agent.follow: every event exactly once, in order, from the database and a real Redis."""

import asyncio

from agent import events as ev
from agent import store, streams
from agent.follow import Cursor, follow


class Reader:
    """Collects what `follow` yields, in a task, until told to stop."""

    def __init__(self, db, redis, project_id, cursor):
        self.items = []
        self.wanted = True

        async def still_wanted():
            return self.wanted

        async def run():
            async for batch in follow(redis=redis, db=db, project_id=project_id, cursor=cursor,
                                      still_wanted=still_wanted, block_ms=100):
                self.items.extend(batch)

        self.task = asyncio.create_task(run())

    def seen(self):
        return [(e.run_id, e.seq) for e in self.items]

    async def wait_for(self, count, timeout=5.0):
        for _ in range(int(timeout / 0.02)):
            if len(self.items) >= count:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"saw {self.seen()}, wanted {count} events")

    async def stop(self):
        self.wanted = False
        await asyncio.wait_for(self.task, timeout=3)


async def say(db, redis, run_id, text, seq=None):
    return await store.record(db=db, redis=redis, run_id=run_id, event=ev.Narration(text=text), seq=seq)


async def test_catches_up_from_the_database_then_follows_live(db, redis, founder):
    _, project, run = founder
    for text in ("one", "two"):
        await say(db, redis, run.id, text)
    reader = Reader(db, redis, project.id, Cursor(runs={run.id: 0}))
    await reader.wait_for(2)
    await say(db, redis, run.id, "three")
    await reader.wait_for(3)
    await reader.stop()
    assert reader.seen() == [(run.id, 1), (run.id, 2), (run.id, 3)]
    assert [e.payload["text"] for e in reader.items] == ["one", "two", "three"]


async def test_resuming_from_a_cursor_repeats_nothing(db, redis, founder):
    _, project, run = founder
    for i in range(5):
        await say(db, redis, run.id, f"e{i}")
    cursor = Cursor(runs={run.id: 3})  # a reloaded tab that had seen 1..3
    reader = Reader(db, redis, project.id, cursor)
    await reader.wait_for(2)
    await say(db, redis, run.id, "e5")
    await reader.wait_for(3)
    await reader.stop()
    assert reader.seen() == [(run.id, 4), (run.id, 5), (run.id, 6)]
    assert cursor.runs[run.id] == 6


async def test_a_new_run_is_followed_from_its_announcement(db, redis, founder):
    _, project, run = founder
    reader = Reader(db, redis, project.id, Cursor(runs={run.id: 0}))
    with db.session() as s:
        build = store.create_run(s, project_id=project.id, kind="build")
    await streams.announce_run(redis, project_id=project.id, run_id=build.id)
    await say(db, redis, build.id, "building")
    await reader.wait_for(1)
    await reader.stop()
    assert reader.seen() == [(build.id, 1)]


async def test_a_gap_in_the_stream_is_filled_from_the_database(db, redis, founder):
    _, project, run = founder
    for i in range(1, 6):
        await say(db, redis, run.id, f"e{i}")
    await redis.xdel(streams.run_stream(run.id), "3-1", "4-1")  # trimmed away
    reader = Reader(db, redis, project.id, Cursor(runs={run.id: 2}))
    # the database catch-up comes first, so make it see nothing new: only the stream knows about 5
    await reader.wait_for(3)
    await reader.stop()
    assert reader.seen() == [(run.id, 3), (run.id, 4), (run.id, 5)]


async def test_a_lost_stream_is_backfilled_while_following(db, redis, founder):
    _, project, run = founder
    await say(db, redis, run.id, "e1")
    reader = Reader(db, redis, project.id, Cursor(runs={run.id: 0}))
    await reader.wait_for(1)
    with db.session() as s:  # recorded, but Redis lost them (restart without persistence)
        store.insert_event(s, run_id=run.id, event=ev.Narration(text="e2"))
        store.insert_event(s, run_id=run.id, event=ev.Narration(text="e3"))
    await redis.delete(streams.run_stream(run.id))
    await say(db, redis, run.id, "e4")
    await reader.wait_for(4)
    await reader.stop()
    assert reader.seen() == [(run.id, i) for i in range(1, 5)]


async def test_stops_when_the_reader_is_gone(db, redis, founder):
    _, project, run = founder
    reader = Reader(db, redis, project.id, Cursor(runs={run.id: 0}))
    await asyncio.sleep(0.15)
    reader.wanted = False
    await asyncio.wait_for(reader.task, timeout=2)
    assert reader.task.done()


async def test_leftovers_of_an_earlier_database_are_never_shown(db, redis, founder, unique):
    """Ids start again when the database is reset but Redis is kept: old streams must not leak."""
    _, project, _ = founder
    with db.session() as s:
        other_user = store.create_user(s, email=f"other-{unique}@example.com", password_hash="x")
        other_project, foreign_run = store.create_project(s, owner_id=other_user.id, name="Someone else's")
        fresh = store.create_run(s, project_id=project.id, kind="interview")
    # what an earlier database left in Redis under the same ids
    for seq in (1, 2, 3, 9):
        await redis.xadd(streams.run_stream(fresh.id), {"type": "agent.narration", "payload": '{"text": "stale"}',
                                                        "at": "0"}, id=f"{seq}-1")
    await redis.xadd(streams.project_runs_stream(project.id), {"run_id": str(foreign_run.id)})
    await store.record(db=db, redis=redis, run_id=foreign_run.id, event=ev.Narration(text="not yours"))

    reader = Reader(db, redis, project.id, Cursor(runs={}))
    await streams.announce_run(redis, project_id=project.id, run_id=fresh.id)  # clears the leftover stream
    await say(db, redis, fresh.id, "fresh")
    await reader.wait_for(1)
    await asyncio.sleep(0.3)
    await reader.stop()
    assert [(e.run_id, e.payload["text"]) for e in reader.items] == [(fresh.id, "fresh")]


async def test_what_claude_is_writing_comes_a_few_times_a_second_and_is_never_stored(db, redis, founder):
    from cofounder_app.components.feed import typing_of

    _, project, run = founder
    now = {"t": 0.0}
    typing = streams.Typing(redis, run.id, every=0.3, clock=lambda: now["t"])
    reader = Reader(db, redis, project.id, Cursor(runs={run.id: 0}))
    await asyncio.sleep(0.2)  # following from now on
    for n, chunk in enumerate(["I'll ", "build ", "the ", "form"]):  # 0.1 s apart: sent at 0 s and at 0.3 s
        now["t"] = n * 0.1
        await typing("text", chunk)
    await reader.wait_for(2)
    now["t"] = 1.0
    await typing("text", " next.")
    await reader.wait_for(3)
    await typing.end()
    await reader.wait_for(4)
    await say(db, redis, run.id, "Built the form.")
    await reader.wait_for(5)
    await reader.stop()
    typed = [e.payload["text"] for e in reader.items if e.type == streams.TYPING]
    assert typed == ["I'll", "I'll build the form", "I'll build the form next.", ""]  # coalesced, then cleared
    assert [e.seq for e in reader.items if e.type != streams.TYPING] == [1]  # only the real event has a seq
    with db.session() as s:
        assert [e.type for e in store.events_between(s, run_id=run.id, after_seq=0)] == [ev.Narration.type]
    assert typing_of(reader.items[2:3]) == "I'll build the form next." and typing_of(reader.items) == ""
    assert typing_of([]) is None


async def test_a_tool_call_says_what_it_is_doing_while_its_arguments_stream(redis):
    from agent import tools

    typing = streams.Typing(redis, 424242, label=tools.doing_label)

    async def shown():
        entries = await redis.xrevrange(streams.typing_stream(424242), count=1)
        text = {(k.decode() if isinstance(k, bytes) else k): v for k, v in entries[0][1].items()}["text"]
        return (text.decode() if isinstance(text, bytes) else text), len(entries)

    await typing("text", "I'll write the booking page.")
    assert (await shown())[0] == "I'll write the booking page."
    await typing("tool", "write_file")  # at once, whatever the coalescing: a long write takes a while
    assert (await shown())[0] == "I'll write the booking page.\nWriting a file…"
    await typing("tool_input", '{"pa')
    await typing("tool_input", 'th": "app/templates/book.html", "content": "<h1')
    assert (await shown())[0] == "I'll write the booking page.\nWriting app/templates/book.html…"
    before = await redis.xinfo_stream(streams.typing_stream(424242))
    await typing("tool_input", '>Book a walk</h1>"}')  # the rest of a long file: nothing new to say
    assert (await redis.xinfo_stream(streams.typing_stream(424242)))["last-generated-id"] == before["last-generated-id"]
    await typing.end()
    assert (await shown())[0] == ""


async def test_an_event_the_stream_lost_with_nothing_after_it_still_arrives(db, redis, founder):
    """Redis lost the last event (a restart): no later event reveals the gap, the periodic look in
    the database finds it."""
    _, project, run = founder
    await say(db, redis, run.id, "one")
    reader = Reader(db, redis, project.id, Cursor(runs={run.id: 0}))
    await reader.wait_for(1)
    with db.session() as s:  # recorded in the database, never XADDed
        store.insert_event(s, run_id=run.id, event=ev.Narration(text="the last one"))
    await reader.wait_for(2, timeout=5)  # block_ms 100 in this reader: a look every half second
    await reader.stop()
    assert [e.payload["text"] for e in reader.items] == ["one", "the last one"]
