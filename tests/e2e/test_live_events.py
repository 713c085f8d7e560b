"""The live event path in the browser: worker -> DB + Redis -> Reflex state -> page."""

import os
import time

import pytest
from playwright.sync_api import expect

from agent import events as ev
from agent import store
from agent.db import Database


@pytest.fixture
def project_of():
    db = Database(os.environ["DATABASE_URL"])

    def make(founder, name="Live test"):
        with db.session() as s:
            project, run = store.create_project(s, owner_id=founder.id, name=name)
            store.update_project(s, project_id=project.id, status="ready")
        return project, run

    yield make
    db.dispose()


def open_project(context, live_app, project):
    page = context.new_page()
    page.goto(f"{live_app.url}/projects/{project.id}")
    page.wait_for_selector(f"#project-title:has-text('{project.name}')")
    page.wait_for_timeout(500)  # the listener starts right after the page loads
    return page


def row_ids(page):
    return page.eval_on_selector_all(".feed-row", "rows => rows.map(r => r.id)")


def wait_rows(page, count, timeout=15_000):
    page.wait_for_function(f"document.querySelectorAll('.feed-row').length >= {count}", timeout=timeout)


def test_events_appear_live_without_a_refresh(live_app, signed_in, make_founder, project_of, emit):
    founder = make_founder()
    project, run = project_of(founder)
    page = open_project(signed_in(founder), live_app, project)
    page.evaluate("window.__loaded_at = performance.timeOrigin")  # survives only if there is no reload
    emit(run.id, ["Sketching the sign-up page", "Writing the first test"])
    wait_rows(page, 2)
    assert page.locator(".feed-summary").all_inner_texts() == ["Writing the first test", "Sketching the sign-up page"]
    emit(run.id, ["Starting the app"])
    wait_rows(page, 3)
    assert page.locator(".feed-summary").first.inner_text() == "Starting the app"
    assert page.evaluate("window.__loaded_at") is not None


def test_a_reload_mid_stream_shows_every_event_once(live_app, signed_in, make_founder, project_of, emit):
    founder = make_founder()
    project, run = project_of(founder)
    page = open_project(signed_in(founder), live_app, project)
    emit(run.id, [f"step {i}" for i in range(1, 6)])
    wait_rows(page, 5)
    page.reload()
    emit(run.id, [f"step {i}" for i in range(6, 9)])  # while the page is coming back
    page.wait_for_selector(f"#project-title:has-text('{project.name}')")
    emit(run.id, [f"step {i}" for i in range(9, 11)])
    wait_rows(page, 10)
    page.wait_for_timeout(1000)  # anything duplicated would have arrived by now
    ids = row_ids(page)
    assert sorted(ids) == sorted(f"event-{run.id}-{seq}" for seq in range(1, 11))
    assert len(ids) == len(set(ids)) == 10


def test_a_long_live_stream_keeps_every_row_in_order(live_app, signed_in, make_founder, project_of, emit):
    """Live rows go to a short list first and move to the long one in groups: across several moves,
    every row shows once, newest first."""
    founder = make_founder()
    project, run = project_of(founder)
    page = open_project(signed_in(founder), live_app, project)
    for start in range(1, 101, 25):
        emit(run.id, [f"step {i}" for i in range(start, start + 25)])
        wait_rows(page, start + 24)
    page.wait_for_timeout(500)
    assert row_ids(page) == [f"event-{run.id}-{seq}" for seq in range(100, 0, -1)]
    assert page.locator(".feed-summary").first.inner_text() == "step 100"


def test_two_tabs_both_get_every_event(live_app, signed_in, make_founder, project_of, emit):
    founder = make_founder()
    project, run = project_of(founder)
    context = signed_in(founder)
    first, second = open_project(context, live_app, project), open_project(context, live_app, project)
    emit(run.id, [f"event {i}" for i in range(6)])
    for page in (first, second):
        wait_rows(page, 6)
        assert len(row_ids(page)) == 6


def test_another_founder_gets_nothing_of_the_project(live_app, signed_in, make_founder, project_of, emit):
    owner, intruder = make_founder(), make_founder()
    project, run = project_of(owner, name="Secret plan")
    page = signed_in(intruder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}")
    page.wait_for_selector("#project-not-found")
    emit(run.id, ["A private step"])
    page.wait_for_timeout(1500)
    assert page.locator(".feed-row").count() == 0
    assert "Secret plan" not in page.content()
    page.goto(f"{live_app.url}/dashboard")
    page.wait_for_selector("#projects-empty")
    page.goto(f"{live_app.url}/projects/not-a-number")
    page.wait_for_selector("#project-not-found")


def blocked_readers(redis_url):
    import redis

    clients = redis.Redis.from_url(redis_url).client_list()
    return sum(1 for c in clients if c.get("cmd") == "xread")


def test_a_closed_tab_stops_its_listener(live_app, signed_in, make_founder, project_of, redis_url):
    founder = make_founder()
    project, _ = project_of(founder)
    before = blocked_readers(redis_url)
    page = open_project(signed_in(founder), live_app, project)
    page.wait_for_timeout(1000)
    assert blocked_readers(redis_url) == before + 1  # one listener for the tab, blocked on XREAD
    page.close()
    for _ in range(50):  # cancelled on disconnect, or at the latest after one idle read
        if blocked_readers(redis_url) == before:
            break
        time.sleep(0.1)
    assert blocked_readers(redis_url) == before


def test_older_activity_pages_in_from_the_database(live_app, signed_in, make_founder, project_of):
    founder = make_founder()
    project, run = project_of(founder)
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        for i in range(1, 451):
            store.insert_event(s, run_id=run.id, event=ev.Narration(text=f"step {i}"))
    db.dispose()
    page = open_project(signed_in(founder), live_app, project)
    wait_rows(page, 200)
    summaries = page.locator(".feed-summary")
    assert summaries.count() == 200  # the state holds a window, not the whole history
    assert summaries.first.inner_text() == "step 450" and summaries.last.inner_text() == "step 251"
    page.click("#feed-older")
    wait_rows(page, 400)
    assert summaries.nth(399).inner_text() == "step 51"
    page.click("#feed-older")
    wait_rows(page, 450)
    assert summaries.last.inner_text() == "step 1"
    expect(page.locator("#feed-older")).to_have_count(0)  # nothing further back
    ids = row_ids(page)
    assert len(ids) == len(set(ids)) == 450


def test_claudes_words_show_as_it_writes_them_and_go_when_its_turn_is_over(live_app, signed_in, make_founder,
                                                                          project_of, emit):
    """The worker's typing updates (streams.Typing, a few a second) reach the open page as one row
    above the feed, and the next recorded event takes its place."""
    from redis.asyncio import Redis

    from agent import streams
    from tests.support.browser import _run

    founder = make_founder()
    project, run = project_of(founder)
    page = open_project(signed_in(founder), live_app, project)

    written = {"text": ""}

    async def type_out(words):  # one turn, streamed in parts; each part on its own event loop here
        redis = Redis.from_url(os.environ["REDIS_URL"])
        typing = streams.Typing(redis, run.id, every=0.0)
        typing.text = written["text"]
        for word in words:
            await typing("tool_input", '{"path": "app/')  # a tool call's arguments are not words to show
            await typing("text", ("" if not typing.text else " ") + word)
        written["text"] = typing.text
        await redis.aclose()

    _run(type_out(["I'll", "build", "the", "booking", "form", "next,"]))
    expect(page.locator("#feed-typing")).to_have_text("I'll build the booking form next,")
    _run(type_out(["then", "<b>its</b>", "tests."]))  # the same turn goes on; markup stays text
    expect(page.locator("#feed-typing")).to_contain_text("next, then <b>its</b> tests.")
    assert page.locator("#feed-typing b").count() == 0
    emit(run.id, ["I built the booking form."])  # the turn ended: its words are an event now
    expect(page.locator("#feed-typing")).to_have_count(0)
    expect(page.locator(".feed-summary").first).to_have_text("I built the booking form.")
