"""The session cookie and the one-time sign-in tickets that hand a verified sign-in to the browser.

The sign-in form is checked by a Reflex handler (clear errors in place); on success it stores a
ticket in Redis for 60 seconds, gives the browser a one-time nonce cookie and sends it to
`/api/auth/complete?ticket=...`, a Starlette route that redeems the ticket once (with the nonce),
creates the session row (only the token's hash is stored) and sets the HttpOnly, SameSite=Lax cookie. Page states read the cookie from the
websocket's request headers; JavaScript never sees it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from http.cookies import CookieError, SimpleCookie

from redis.asyncio import Redis

COOKIE_NAME = "cofounder_session"
# A one-time nonce the sign-in page puts in the browser next to the ticket: a ticket is only
# redeemed by the browser that asked for it, so nobody can sign a victim into another account.
NONCE_COOKIE = "cofounder_signin"
TICKET_SECONDS = 60


def session_token(cookie_header: str) -> str:
    """The session token from a Cookie header, or "" when there is none."""
    if not cookie_header:
        return ""
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return ""
    morsel = jar.get(COOKIE_NAME)
    return morsel.value if morsel else ""


def _ticket_key(ticket: str) -> str:
    return f"auth:ticket:{_digest(ticket)}"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def issue_ticket(redis: Redis, *, user_id: int, next_url: str) -> tuple[str, str]:
    """A (ticket, nonce) pair: the ticket goes in the URL, the nonce in the browser's cookie."""
    ticket, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
    payload = json.dumps({"user_id": user_id, "next": next_url, "nonce": _digest(nonce)})
    await redis.set(_ticket_key(ticket), payload, ex=TICKET_SECONDS)
    return ticket, nonce


async def redeem_ticket(redis: Redis, ticket: str, nonce: str) -> tuple[int, str] | None:
    """(user_id, next_url) for a live ticket presented with its nonce; the ticket is used up."""
    if not ticket or len(ticket) > 100:
        return None
    raw = await redis.getdel(_ticket_key(ticket))
    if raw is None:
        return None
    data = json.loads(raw)
    if not nonce or not secrets.compare_digest(_digest(nonce), data["nonce"]):
        return None
    return int(data["user_id"]), str(data["next"])


def backend_base(*, page_origin: str, backend_host: str) -> str:
    """Where the browser reaches the backend: "" when it serves the pages too (production),
    otherwise the backend's own origin (development, where the pages come from another port)."""
    if not backend_host or page_origin.endswith(f"//{backend_host}"):
        return ""
    scheme = "https" if page_origin.startswith("https:") else "http"
    return f"{scheme}://{backend_host}"
