"""The SQL layer, on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest

from agent import events as ev
from agent import store
from agent.models import utcnow


def test_a_second_account_with_the_same_email_is_refused(db, unique):
    with db.session() as s:
        store.create_user(s, email=f"{unique}@example.com", password_hash="h")
        with pytest.raises(store.EmailTaken):
            store.create_user(s, email=f"{unique}@example.com", password_hash="h2")
        assert store.find_user_by_email(s, email=f"{unique}@example.com").password_hash == "h"


def test_sessions_find_their_user_until_they_expire_or_end(db, founder, unique):
    user, _, _ = founder
    with db.session() as s:
        store.create_auth_session(s, user_id=user.id, token_hash=f"live-{unique}", lifetime=timedelta(days=1))
        store.create_auth_session(s, user_id=user.id, token_hash=f"old-{unique}", lifetime=timedelta(seconds=-1))
        assert store.user_for_token_hash(s, token_hash=f"live-{unique}").id == user.id
        assert store.user_for_token_hash(s, token_hash=f"old-{unique}") is None
        assert store.delete_auth_session(s, token_hash=f"live-{unique}") == user.id
        assert store.user_for_token_hash(s, token_hash=f"live-{unique}") is None
        assert store.delete_auth_session(s, token_hash="never-existed") is None


def test_only_the_owner_sees_a_project(db, founder, unique):
    user, project, run = founder
    with db.session() as s:
        other = store.create_user(s, email=f"other-{unique}@example.com", password_hash="h")
        assert store.owned_project(s, owner_id=user.id, project_id=project.id).name == project.name
        assert store.owned_project(s, owner_id=other.id, project_id=project.id) is None
        assert store.list_projects(s, owner_id=other.id) == []
        assert [p.id for p in store.list_projects(s, owner_id=user.id)] == [project.id]
        assert [r.kind for r in store.project_runs(s, project_id=project.id)] == ["setup"]
        assert run.status == "queued"


def test_newest_projects_come_first(db, founder):
    user, first, _ = founder
    with db.session() as s:
        second, _ = store.create_project(s, owner_id=user.id, name="Second")
        assert [p.id for p in store.list_projects(s, owner_id=user.id)] == [second.id, first.id]


def test_a_run_lease_is_held_until_it_expires(db, founder):
    _, _, run = founder
    with db.session() as s:
        assert store.claim_run(s, run_id=run.id, owner="w1", lease=timedelta(minutes=1))
        assert not store.claim_run(s, run_id=run.id, owner="w2", lease=timedelta(minutes=1))
        assert store.claim_run(s, run_id=run.id, owner="w1", lease=timedelta(minutes=1))  # renewal
        later = utcnow() + timedelta(minutes=2)
        assert store.claim_run(s, run_id=run.id, owner="w2", lease=timedelta(minutes=1), now=later)
        claimed = store.get_run(s, run_id=run.id)
        assert (claimed.status, claimed.lease_owner) == ("running", "w2") and claimed.started_at is not None
        store.finish_run(s, run_id=run.id, status="succeeded")
        assert not store.claim_run(s, run_id=run.id, owner="w3", lease=timedelta(minutes=1), now=later)


def test_event_seqs_are_consecutive_and_explicit_ones_are_not_duplicated(db, founder):
    _, _, run = founder
    with db.session() as s:
        a = store.insert_event(s, run_id=run.id, event=ev.Narration(text="one"))
        b = store.insert_event(s, run_id=run.id, event=ev.Narration(text="two"))
        assert (a.seq, b.seq) == (1, 2)
        c = store.insert_event(s, run_id=run.id, event=ev.Narration(text="five"), seq=5)
        again = store.insert_event(s, run_id=run.id, event=ev.Narration(text="five, re-emitted"), seq=5)
        assert again.id == c.id and again.payload == {"text": "five"}
        assert store.insert_event(s, run_id=run.id, event=ev.Narration(text="six")).seq == 6
        assert [e.seq for e in store.events_between(s, run_id=run.id, after_seq=1)] == [2, 5, 6]
        assert [e.seq for e in store.events_between(s, run_id=run.id, after_seq=0, before_seq=6, newest=2)] == [2, 5]
        assert store.get_run(s, run_id=run.id).last_seq == 6


def test_times_come_back_in_utc(db, founder):
    user, project, _ = founder
    with db.session() as s:
        loaded = store.owned_project(s, owner_id=user.id, project_id=project.id)
        assert loaded.created_at.tzinfo is not None and loaded.created_at.utcoffset() == timedelta(0)


def test_older_events_page_in_across_runs(db, founder):
    user, project, first = founder
    with db.session() as s:
        second = store.create_run(s, project_id=project.id, kind="build")
        for i in range(1, 8):  # interleaved across the two runs: pages follow the order they happened in
            store.insert_event(s, run_id=(first if i % 2 else second).id, event=ev.Narration(text=f"e{i}"))
        ids = [first.id, second.id]
        newest = store.latest_events(s, run_ids=ids, limit=3)
        assert [e.payload["text"] for e in newest] == ["e5", "e6", "e7"]
        oldest_shown = (newest[0].run_id, newest[0].seq)
        page = store.latest_events(s, run_ids=ids, limit=3, before=oldest_shown)
        assert [e.payload["text"] for e in page] == ["e2", "e3", "e4"]
        last = store.latest_events(s, run_ids=ids, limit=3, before=(page[0].run_id, page[0].seq))
        assert [e.payload["text"] for e in last] == ["e1"]
        only_second = store.latest_events(s, run_ids=[second.id], limit=3, before=oldest_shown)
        assert [e.payload["text"] for e in only_second] == ["e2", "e4"]
