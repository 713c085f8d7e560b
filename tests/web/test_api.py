"""The Starlette routes beside the Reflex app, called over ASGI with the real database and Redis."""

import time

import httpx
import pytest
from sqlmodel import select

from agent import heartbeat, store
from agent.accounts import hash_token
from agent.models import AuthSession
from cofounder_app import deps
from cofounder_app.api import build_api
from cofounder_app.auth import COOKIE_NAME, NONCE_COOKIE, issue_ticket
from cofounder_app.headers import SecurityHeaders


@pytest.fixture
async def client():
    app = SecurityHeaders(build_api())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as c:
        yield c


@pytest.fixture
def user(unique):
    with deps.db().session() as s:
        return store.create_user(s, email=f"api-{unique}@example.com", password_hash="x")


async def redeem(client, ticket, nonce, **headers):
    client.cookies.set(NONCE_COOKIE, nonce)
    try:
        return await client.get(f"/api/auth/complete?ticket={ticket}", headers=headers)
    finally:
        client.cookies.delete(NONCE_COOKIE)


def session_cookie(response) -> str:
    return next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE_NAME}="))


async def test_a_ticket_becomes_an_http_only_session_cookie(client, redis, user):
    ticket, nonce = await issue_ticket(redis, user_id=user.id, next_url="http://127.0.0.1:3000/dashboard")
    response = await redeem(client, ticket, nonce)
    assert response.status_code == 303 and response.headers["location"] == "http://127.0.0.1:3000/dashboard"
    cookie = session_cookie(response)
    assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here; https (APP_URL or x-forwarded-proto) adds it
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    with deps.db().session() as s:
        row = s.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).one()
        assert row.user_id == user.id
        assert s.exec(select(AuthSession).where(AuthSession.token_hash == token)).first() is None
    again = await redeem(client, ticket, nonce, referer="http://127.0.0.1:3000/sign-in")
    assert again.headers["location"] == "http://127.0.0.1:3000/sign-in?error=expired"
    assert not any(c.startswith(f"{COOKIE_NAME}=") for c in again.headers.get_list("set-cookie"))


async def test_a_ticket_only_works_in_the_browser_that_asked_for_it(client, redis, user):
    # an attacker's own ticket, opened in a victim's browser, must not sign the victim in
    ticket, _ = await issue_ticket(redis, user_id=user.id, next_url="/dashboard")
    response = await redeem(client, ticket, "a-different-nonce")
    assert "error=expired" in response.headers["location"]
    assert not any(c.startswith(f"{COOKIE_NAME}=") for c in response.headers.get_list("set-cookie"))
    ticket, _ = await issue_ticket(redis, user_id=user.id, next_url="/dashboard")
    assert "error=expired" in (await client.get(f"/api/auth/complete?ticket={ticket}")).headers["location"]


async def test_the_cookie_is_secure_behind_https(client, redis, user):
    ticket, nonce = await issue_ticket(redis, user_id=user.id, next_url="/dashboard")
    response = await redeem(client, ticket, nonce, **{"x-forwarded-proto": "https"})
    assert "Secure" in session_cookie(response)


async def test_sign_out_ends_the_session_and_clears_the_cookie(client, redis, user):
    ticket, nonce = await issue_ticket(redis, user_id=user.id, next_url="/dashboard")
    token = (await redeem(client, ticket, nonce)).cookies[COOKIE_NAME]
    client.cookies.set(COOKIE_NAME, token)
    response = await client.post("/api/auth/sign-out", headers={"origin": "http://127.0.0.1:3000"})
    assert response.status_code == 303
    assert response.headers["location"] == "http://127.0.0.1:3000/sign-in?signed_out=1"
    assert 'Max-Age=0' in response.headers["set-cookie"] or "expires=" in response.headers["set-cookie"].lower()
    with deps.db().session() as s:
        assert store.user_for_token_hash(s, token_hash=hash_token(token)) is None


async def test_sign_out_is_post_only(client):
    assert (await client.get("/api/auth/sign-out")).status_code == 405


async def test_health_reports_database_redis_and_worker(client, redis):
    await redis.delete(heartbeat.HEARTBEATS)
    body = (await client.get("/api/health")).json()
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert body["worker"]["ok"] is False and body["status"] == "degraded"
    await heartbeat.beat(redis, "test-worker", now=time.time())
    response = await client.get("/api/health")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["worker"]["id"] == "test-worker" and body["worker"]["age_seconds"] < 5
    assert body["services"] == {"llm": "offline", "sandbox": "local", "storage": "local", "billing": "local",
                                "email": "outbox"}


async def test_every_response_carries_the_security_headers(client):
    response = await client.get("/api/health")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "frame-src 'self' http: https:" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert (await client.get("/no-such-route")).headers["x-content-type-options"] == "nosniff"
