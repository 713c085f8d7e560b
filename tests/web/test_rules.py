"""Small rules of the web app: project names, where sign-in returns to, the backend address."""

import pytest

from cofounder_app import routes
from cofounder_app.auth import backend_base, session_token
from cofounder_app.pages.dashboard import clean_project_name


def test_project_names_are_tidied():
    assert clean_project_name("  Dog   walking\tmarketplace ") == "Dog walking marketplace"


@pytest.mark.parametrize("raw, message", [
    ("", "Give your project a name"), ("   ", "Give your project a name"),
    ("x", "at least 2 characters"), ("y" * 81, "under 80 characters"),
])
def test_bad_project_names_get_clear_messages(raw, message):
    with pytest.raises(ValueError, match=message):
        clean_project_name(raw)


def test_html_in_a_name_is_kept_as_text():
    assert clean_project_name("<script>alert(1)</script>") == "<script>alert(1)</script>"


@pytest.mark.parametrize("path, expected", [
    ("/projects/3", "/projects/3"), ("", "/dashboard"), (None, "/dashboard"),
    ("https://evil.example", "/dashboard"), ("//evil.example/x", "/dashboard"), ("/sign-in", "/dashboard"),
    ("/api/auth/sign-out", "/dashboard"),
])
def test_sign_in_only_returns_to_local_pages(path, expected):
    assert routes.safe_next(path) == expected


def test_sign_in_links_carry_where_to_return():
    assert routes.sign_in("/projects/3") == "/sign-in?next=/projects/3"
    assert routes.sign_in("/dashboard") == "/sign-in"


def test_backend_base_is_relative_when_one_port_serves_everything():
    assert backend_base(page_origin="http://localhost:3000", backend_host="localhost:3000") == ""
    assert backend_base(page_origin="http://127.0.0.1:3001", backend_host="127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert backend_base(page_origin="https://app.example", backend_host="api.example") == "https://api.example"


def test_session_token_is_read_from_the_cookie_header():
    assert session_token("a=1; cofounder_session=tok-123; b=2") == "tok-123"
    assert session_token("") == "" and session_token("garbage;;=") == ""


def test_the_feed_shows_what_a_founder_needs_and_skips_the_rest():
    from agent import events as ev
    from agent.streams import StreamEvent
    from cofounder_app.components.feed import feed_row

    def row(event, seq=1):
        return feed_row(StreamEvent(run_id=7, seq=seq, type=event.type, payload=ev.to_payload(event), at=1.0))

    shown = row(ev.QuestionAsked(key="problem", question="What hurts?", number=1))
    assert shown["summary"] == "Asked question 1: What hurts?" and shown["id"] == "event-7-1"
    assert row(ev.StepProgress(step="Writing: Problem", done=1, total=8, quiet=True)) is None
    assert row(ev.UsageRecorded(model="offline")) is None
    assert feed_row(StreamEvent(run_id=7, seq=2, type="agent.teleported", payload={}, at=1.0)) is None


def test_the_feed_keeps_every_row_in_order_and_moves_the_long_list_rarely():
    from cofounder_app.components.feed import NEWEST, NEWEST_KEPT, add_rows

    newest, older, moves, dropped_at = [], [], 0, None
    for n in range(1, 301):
        newest, moved, dropped = add_rows(newest, older, [n], 200)
        moves += moved is not None
        older = older if moved is None else moved
        if dropped and dropped_at is None:
            dropped_at = n
        shown = newest + older
        assert shown == list(range(n, n - len(shown), -1))  # every row once, newest first
        assert min(n, 200) <= len(shown) <= 200 + NEWEST - NEWEST_KEPT and len(newest) <= NEWEST
    assert moves == 300 // (NEWEST - NEWEST_KEPT) - 1  # the long list changed once per 30 rows
    assert dropped_at is not None and 200 < dropped_at <= 200 + NEWEST  # rows fell out of the window past it
    newest, older, dropped = add_rows([], [], list(range(1, 451)), 200)  # a page's first read: one batch
    assert newest + older == list(range(450, 250, -1)) and dropped
