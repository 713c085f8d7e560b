"""The product's own routes: redirects stay on the product's origin, a state-changing request from any
page but the product's is refused, file routes answer 404 (never 500) for any key, and refusals and
downloads are in the audit log."""

from __future__ import annotations

import time
import uuid
from urllib.parse import quote
from datetime import timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from agent import heartbeat, store
from agent.accounts import hash_token, new_session_token
from agent.models import AuditEntry
from cofounder_app import deps
from cofounder_app.api import build_api, safe_redirect
from cofounder_app.auth import COOKIE_NAME, NONCE_COOKIE, issue_ticket
from cofounder_app.headers import OriginCheck, SecurityHeaders

OURS = "http://127.0.0.1:3000"


@pytest.fixture
async def client():
    app = OriginCheck(SecurityHeaders(build_api()), allowed=deps.allowed_origins)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as c:
        yield c


def founder_with_file() -> tuple[int, int, str]:
    """(user id, project id, session token) of a founder whose project has one stored file."""
    token, token_hash = new_session_token()
    with deps.db().session() as s:
        user = store.create_user(s, email=f"routes-{uuid.uuid4().hex[:10]}@example.com", password_hash="x")
        store.create_auth_session(s, user_id=user.id, token_hash=token_hash, lifetime=timedelta(hours=1))
        project, _ = store.create_project(s, owner_id=user.id, name="Walkies")
    return user.id, project.id, token


def audit_actions(**where) -> list[AuditEntry]:
    with deps.db().session() as s:
        rows = s.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(200)).all()
    return [r for r in rows if all(r.detail.get(k) == v for k, v in where.items())]


@pytest.mark.parametrize("target, expected", [
    ("http://evil.example/dashboard", "/dashboard"),
    ("//evil.example/x", "/x"),  # the same path, here
    ("https://127.0.0.1:3000@evil.example/", "/"),
    ("/\\evil.example", "/dashboard"),
    ("javascript:alert(1)", "/dashboard"),
    (OURS + "/projects/4", OURS + "/projects/4"),
    ("/projects/4?tab=build", "/projects/4?tab=build"),
])
def test_a_redirect_never_leaves_the_product(target, expected):
    assert safe_redirect(target) == expected


async def test_sign_in_and_sign_out_never_send_the_founder_elsewhere(client, redis):
    user_id, _, _ = founder_with_file()
    ticket, nonce = await issue_ticket(redis, user_id=user_id, next_url="https://evil.example/phish")
    client.cookies.set(NONCE_COOKIE, nonce)
    signed = await client.get(f"/api/auth/complete?ticket={ticket}", headers={"referer": "https://evil.example/"})
    client.cookies.delete(NONCE_COOKIE)
    assert signed.status_code == 303 and signed.headers["location"] == "/phish"
    expired = await client.get("/api/auth/complete?ticket=nope", headers={"origin": "https://evil.example"})
    assert expired.headers["location"] == "/sign-in?error=expired"
    out = await client.post("/api/auth/sign-out", headers={"origin": OURS, "referer": "https://evil.example/"})
    assert out.headers["location"] == OURS + "/sign-in?signed_out=1"


async def test_a_post_from_another_page_is_refused(client):
    _, _, token = founder_with_file()
    client.cookies.set(COOKIE_NAME, token)
    for origin in ("http://abcdefghijklmnopqrstuvwxyz.localhost:3000", "https://evil.example", "null"):
        refused = await client.post("/api/auth/sign-out", headers={"origin": origin})
        assert refused.status_code == 403 and "not AI Co-Founder" in refused.text
    assert (await client.post("/api/auth/sign-out")).status_code == 403  # neither Origin nor Referer
    with deps.db().session() as s:  # the founder is still signed in
        assert store.user_for_token_hash(s, token_hash=hash_token(token))
    assert (await client.post("/api/auth/sign-out", headers={"origin": OURS})).status_code == 303


async def test_file_routes_answer_404_for_any_key_and_audit_what_they_refuse(client):
    user_id, project_id, token = founder_with_file()
    await deps.storage().put(f"projects/{project_id}/screenshots/home.png", b"\x89PNG" + b"0" * 100)
    client.cookies.set(COOKIE_NAME, token)
    ok = await client.get(f"/api/projects/{project_id}/files/projects/{project_id}/screenshots/home.png?download=1")
    assert ok.status_code == 200 and "attachment" in ok.headers["content-disposition"]
    for key in (f"projects/{project_id}/../1/x", f"projects/{project_id}//x", f"projects/{project_id}/a\\b",
                f"projects/{project_id}/" + "a" * 5000, "projects/999999/x", f"projects/{project_id}/%00",
                f"projects/{project_id}/screenshots"):
        assert (await client.get(f"/api/projects/{project_id}/files/{key}")).status_code == 404, key
    other_user, other_project, _ = founder_with_file()
    assert (await client.get(f"/api/projects/{other_project}/build-log")).status_code == 404
    assert audit_actions(project_id=other_project)[0].action == "project_refused"
    downloads = [r for r in audit_actions(project_id=project_id) if r.action == "download"]
    assert downloads and downloads[0].user_id == user_id and downloads[0].detail["file"] == "home.png"


@pytest.fixture
def founder():
    return founder_with_file()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300))
async def test_no_key_makes_a_file_route_fail(client, founder, key):
    _, project_id, token = founder
    client.cookies.set(COOKIE_NAME, token)
    response = await client.get(f"/api/projects/{project_id}/files/" + quote(key, safe="/"))
    assert response.status_code < 500  # a 404 (or Starlette's redirect of a bare trailing "/."), never a failure
    if response.status_code == 200:  # only ever one of the project's own files
        assert key.startswith(f"projects/{project_id}/")


async def test_health_says_whether_builds_can_run(client, redis):
    await heartbeat.beat(redis, "sandboxed-worker", now=time.time())
    await heartbeat.report_sandbox(redis, "sandboxed-worker", {"backend": "local", "available": False,
                                                               "problem": "bubblewrap (bwrap) is not installed"})
    body = (await client.get("/api/health")).json()
    assert body["sandbox"]["builds"].startswith("off") or any(
        w.get("available") for k, w in body["sandbox"]["workers"].items() if k != "sandboxed-worker")
    assert body["sandbox"]["workers"]["sandboxed-worker"]["problem"] == "bubblewrap (bwrap) is not installed"
    await heartbeat.forget(redis, "sandboxed-worker")


async def test_too_many_requests_get_429_with_retry_after_and_a_tab_that_floods_waits(redis):
    from agent.rate_limits import RateLimits
    from cofounder_app.http_limits import RateLimitedDoor

    seen = []

    async def product(scope, receive, send):
        if scope["type"] == "websocket":
            while (message := await receive())["type"] != "websocket.disconnect":
                seen.append(message["text"])
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limits = RateLimits.in_memory((("http", "3/minute"), ("tab_events", "4/second")))
    door = RateLimitedDoor(product, shared=lambda: limits, per_tab=limits)
    client = f"203.0.113.{uuid.uuid4().int % 250}"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=door, client=(client, 1234)),
                                 base_url="http://127.0.0.1:8000") as c:
        statuses = [(await c.get("/api/health")).status_code for _ in range(4)]
        refused = await c.get("/api/health")
    assert statuses == [200, 200, 200, 429] and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "again in a minute" in refused.text
    # a tab's events: all of them arrive, in order, the ones over its limit later
    messages = [{"type": "websocket.receive", "text": f"event {n}"} for n in range(10)]
    messages.append({"type": "websocket.disconnect"})

    async def receive():
        return messages.pop(0)

    async def send(_message):
        return None

    await door({"type": "websocket", "path": "/_event/", "client": (client, 1), "headers": []}, receive, send)
    assert seen == [f"event {n}" for n in range(10)]
    rows = [r for r in audit_actions(rule="tab_events") if r.action == "rate_limited" and r.detail["who"] == client]
    assert rows  # the flooding tab is in the audit log
