"""store.record: the one write path for events, through the database and a real Redis."""

from agent import events as ev
from agent import store, streams


async def test_record_writes_the_row_then_the_stream_entry(db, redis, founder):
    _, _, run = founder
    row = await store.record(db=db, redis=redis, run_id=run.id, event=ev.Narration(text="Hello"))
    entries = await redis.xrange(streams.run_stream(run.id))
    assert [e[0] for e in entries] == [f"{row.seq}-1"]
    parsed = streams.parse_entry(run.id, *entries[0])
    assert (parsed.seq, parsed.type, parsed.payload) == (row.seq, "agent.narration", {"text": "Hello"})


async def test_a_re_emitted_event_is_rejected_not_duplicated(db, redis, founder):
    _, _, run = founder
    for _ in range(3):  # as if the worker crashed after publishing and ran the step again
        await store.record(db=db, redis=redis, run_id=run.id, event=ev.Narration(text="Once"), seq=1)
    assert await redis.xlen(streams.run_stream(run.id)) == 1
    with db.session() as s:
        assert len(store.events_between(s, run_id=run.id, after_seq=0)) == 1


async def test_a_crash_between_database_and_stream_is_repaired_by_re_emitting(db, redis, founder):
    _, _, run = founder
    with db.session() as s:  # the row was written, then the worker died before XADD
        store.insert_event(s, run_id=run.id, event=ev.Narration(text="Saved"), seq=1)
    await store.record(db=db, redis=redis, run_id=run.id, event=ev.Narration(text="Saved"), seq=1)
    assert [e[0] for e in await redis.xrange(streams.run_stream(run.id))] == ["1-1"]


async def test_streams_are_capped(db, redis, founder):
    _, _, run = founder
    for i in range(250):
        await store.record(db=db, redis=redis, run_id=run.id, event=ev.Narration(text=f"{i}"), maxlen=10)
    assert await redis.xlen(streams.run_stream(run.id)) <= 150  # trimmed in whole nodes of ~100
    with db.session() as s:  # the database keeps everything
        assert len(store.events_between(s, run_id=run.id, after_seq=0)) == 250


async def test_streams_go_a_while_after_their_last_entry(db, redis, founder):
    """Redis keeps only what is live: every entry gives its stream STREAM_TTL more; the database keeps it all."""
    _, project, run = founder
    await streams.announce_run(redis, project_id=project.id, run_id=run.id)
    await store.record(db=db, redis=redis, run_id=run.id, event=ev.Narration(text="First"))
    await redis.expire(streams.run_stream(run.id), 60)  # as if the first entry were nearly a week old
    await store.record(db=db, redis=redis, run_id=run.id, event=ev.Narration(text="Second"))
    assert streams.STREAM_TTL - 5 < await redis.ttl(streams.run_stream(run.id)) <= streams.STREAM_TTL
    assert 0 < await redis.ttl(streams.project_runs_stream(project.id)) <= streams.STREAM_TTL
    await store.record(db=db, redis=redis, run_id=run.id, event=ev.Narration(text="Second"), seq=2)
    assert await redis.xlen(streams.run_stream(run.id)) == 2  # a re-emission is still refused, not stored
