"""Rate limits at the door, as ASGI middleware: the product's HTTP routes per client address (429
with Retry-After), and each tab's websocket events (a flooding tab's events wait their turn, so the
web process keeps serving everyone else). The rules are in agent/rate_limits.py."""

from __future__ import annotations

import asyncio
import math

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.rate_limits import RateLimits, message
from cofounder_app import audit

EVENT_PATH = "/_event"


class RateLimitedDoor:
    def __init__(self, app: ASGIApp, *, shared, per_tab: RateLimits):
        self.app = app
        self.shared = shared  # () -> this loop's Redis-backed RateLimits (every web worker counts together)
        self.per_tab = per_tab  # in memory: a tab's websocket lives in one process

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = await self.shared().hit("http", client)
            if wait:
                await audit.refused("rate_limited", key=f"http:{client}", rule="http", who=client)
                await _too_many(send, wait)
                return
        if scope["type"] == "websocket" and scope["path"].startswith(EVENT_PATH):
            receive = self._paced(scope, receive)
        await self.app(scope, receive, send)

    def _paced(self, scope: Scope, receive: Receive) -> Receive:
        tab, client = f"{id(scope)}", (scope.get("client") or ("unknown", 0))[0]

        async def paced() -> Message:
            message_ = await receive()
            if message_["type"] == "websocket.receive":
                wait = await self.per_tab.hit("tab_events", tab)
                if wait:
                    await audit.refused("rate_limited", key=f"tab_events:{client}", rule="tab_events", who=client)
                    while wait:  # the tab waits for its turn; others are not kept waiting by it
                        await asyncio.sleep(min(wait, 1.0))
                        wait = await self.per_tab.hit("tab_events", tab)
            return message_

        return paced


async def _too_many(send: Send, wait: float) -> None:
    body = message("http", wait).encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", str(math.ceil(wait)).encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
