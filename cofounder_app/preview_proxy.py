"""The preview of the founder's running app: served from an origin that is not the product's.

Every preview lives at `{token}.<preview host>` (PREVIEW_ORIGIN, by default `{token}.localhost` on
the app's own port, which browsers resolve to this machine): a host of its own per token, so the
agent-written page cannot read the product's pages, call its routes as the founder (its cookies are
host-only and SameSite=Lax, and this is another site) or open another project's preview, and the
app's absolute links work since nothing lives under a path prefix. `PreviewHosts` sends every
request for such a host here before the product sees it.

A request is let through when its token is live (agent/preview_tokens.py); it goes to the app's
address from its latest `preview.ready` (a socket in the sandboxes' folder, or E2B's https host)
through agent/services/app_http.py, HTTP and websockets. The product's own cookies are stripped; the
app's cookies are rewritten for a framed, cross-site preview (SameSite=None; Secure; Partitioned);
only the product's pages may frame it.
"""

from __future__ import annotations

import asyncio
import re
import time
from urllib.parse import urlsplit

import httpx
import websockets
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from agent import build_control, idle_apps, preview_tokens
from agent import events as ev
from agent.services import app_http
from cofounder_app import audit, deps
from cofounder_app.auth import COOKIE_NAME, NONCE_COOKIE

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
               "proxy-authenticate", "host", "content-length", "content-encoding", "cookie"}
POLICY_VIOLATION, TRY_AGAIN_LATER = 1008, 1013  # websocket close codes: not yours / the app is asleep
_probes: dict[int, tuple[float, int, str]] = {}  # project id -> (when, preview event id, answer) of the last probe


def host_pattern() -> re.Pattern[str]:
    """Host names that are previews; group "token" is the token."""
    template = deps.settings.preview_origin
    host = urlsplit(template.replace("{token}", "TOKEN")).hostname if template else "TOKEN.localhost"
    return re.compile("^" + re.escape(host).replace("TOKEN", "(?P<token>[a-z2-7]{26})") + "$")


def preview_origin(token: str, backend_host: str) -> str:
    """Where the browser opens the preview of `token`: PREVIEW_ORIGIN, else `{token}.localhost` on the
    port the browser reaches this app at (local use only: settings refuse it for a public APP_URL)."""
    if deps.settings.preview_origin:
        return deps.settings.preview_origin.replace("{token}", token)
    port = backend_host.rsplit(":", 1)[1] if ":" in backend_host.rsplit("]", 1)[-1] else ""
    return f"http://{token}.localhost{':' + port if port else ''}"


def _token(scope: Scope) -> str:
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    match = host_pattern().match(hostname)
    return match.group("token") if match else ""


class PreviewHosts:
    """ASGI middleware, outermost: requests for a preview host go to the preview, never the product."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and _is_preview_host(scope):
            if scope["type"] == "http":
                response = await preview(Request(scope, receive))
                await response(scope, receive, send)
            else:
                await preview_socket(WebSocket(scope, receive, send))
            return
        await self.app(scope, receive, send)


def _is_preview_host(scope: Scope) -> bool:
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return bool(host_pattern().match(hostname)) or (not deps.settings.preview_origin
                                                    and hostname.endswith(".localhost"))


def _page(title: str, body: str, status: int, kind: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><meta charset='utf-8'><title>{title}</title>"
                        "<body style='font-family:system-ui;padding:2rem;color:#444'>"
                        f"<h2>{title}</h2><p>{body}</p></body>", status_code=status,
                        headers={"x-preview": kind, "cache-control": "no-store", **_frame_headers()})


def asleep_page() -> HTMLResponse:
    return _page("Your app is asleep", "Go back to the build page and press <b>Wake up</b> to start it again.",
                 503, "asleep")


def expired_page() -> HTMLResponse:
    return _page("This preview link has expired",
                 "Open your app again from its build page: each link works for a while and only for you.",
                 404, "expired")


def _frame_headers() -> dict[str, str]:
    """Only the product's own pages may frame a preview."""
    return {"content-security-policy": "frame-ancestors " + " ".join(deps.allowed_origins()),
            "referrer-policy": "same-origin"}  # the token is the host: never sent to other sites


async def _project_for(scope: Scope) -> int | None:
    token = _token(scope)
    project_id = await preview_tokens.resolve(deps.redis(), token, seconds=deps.settings.preview_token_seconds)
    if project_id is None:
        await audit.refused("preview_refused", key=token[:8] or "no-token", reason="no live preview token")
    else:
        await idle_apps.visited(deps.redis(), project_id)  # someone is looking: the app is not idle
    return project_id


async def preview_target(project_id: int) -> str | None:
    """The app's address, if its latest start left one this process may connect to."""
    started = await deps.db().run(lambda s: build_control.latest_event(s, project_id=project_id,
                                                                       type_name=ev.PreviewReady.type))
    address = started.payload.get("url", "") if started else ""
    return address if address and app_http.allowed(address, deps.settings.sockets_dir) else None


def app_cookies(cookie_header: str) -> str:
    """The browser's cookies minus ours: the app gets its own cookies, never the founder's session."""
    ours = (COOKIE_NAME, NONCE_COOKIE)
    kept = [c.strip() for c in cookie_header.split(";") if c.strip() and c.split("=", 1)[0].strip() not in ours]
    return "; ".join(kept)


def preview_cookie(set_cookie: str) -> str | None:
    """An app's Set-Cookie as it must be in a framed preview on another site: host-only, and
    SameSite=None; Secure; Partitioned (a cookie of the framed site, kept apart per top-level site).
    None for a cookie named like ours."""
    name = set_cookie.split("=", 1)[0].strip()
    if name in (COOKIE_NAME, NONCE_COOKIE):
        return None
    value, *attributes = [part.strip() for part in set_cookie.split(";")]
    kept = [a for a in attributes if a and a.split("=", 1)[0].strip().lower()
            not in ("domain", "samesite", "secure", "partitioned")]
    return "; ".join([value, *kept, "SameSite=None", "Secure", "Partitioned"])


def _upstream_headers(headers, host: str, target: str) -> dict[str, str]:
    out = {k: v for k, v in headers.items() if k.lower() not in HOP_HEADERS}
    if app_http.is_unix(target):
        out["host"] = host  # the app sees the preview's own host, so the absolute links it makes work
    else:  # E2B's edge routes on its own host name; the app can read ours here
        out["x-forwarded-host"] = host
    if cookies := app_cookies(headers.get("cookie", "")):
        out["cookie"] = cookies
    return out


async def preview(request: Request) -> Response:
    project_id = await _project_for(request.scope)
    if project_id is None:
        return expired_page()
    target = await preview_target(project_id)
    if target is None:
        return asleep_page()
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        upstream = await app_http.shared(target).request(
            request.method, path, content=await request.body(),
            headers=_upstream_headers(request.headers, request.headers.get("host", ""), target))
    except httpx.HTTPError:
        return asleep_page()
    dropped = HOP_HEADERS | {"set-cookie", "x-frame-options", "content-security-policy", "referrer-policy"}
    out = {k: v for k, v in upstream.headers.items() if k.lower() not in dropped}
    out.update(_frame_headers(), **{"cache-control": "no-store"})
    response = Response(upstream.content, status_code=upstream.status_code, headers=out)
    for cookie in upstream.headers.get_list("set-cookie"):
        if rewritten := preview_cookie(cookie):
            response.headers.append("set-cookie", rewritten)
    return response


async def preview_socket(socket: WebSocket) -> None:
    """Relays a websocket between the browser and the app, both ways, until either side closes; the
    handshake is refused (before it is accepted) without a live token or when the app is asleep."""
    project_id = await _project_for(socket.scope)
    if project_id is None:
        await socket.close(code=POLICY_VIOLATION)
        return
    target = await preview_target(project_id)
    if target is None:
        await socket.close(code=TRY_AGAIN_LATER)
        return
    path = socket.url.path + (f"?{socket.url.query}" if socket.url.query else "")
    headers = _upstream_headers(socket.headers, socket.headers.get("host", ""), target)
    headers = {k: v for k, v in headers.items() if not k.lower().startswith("sec-websocket") and k.lower() != "host"}
    try:
        upstream = await app_http.websocket(target, path, headers=headers,
                                            subprotocols=socket.scope.get("subprotocols") or None)
    except (OSError, TimeoutError, websockets.WebSocketException):
        await socket.close(code=TRY_AGAIN_LATER)
        return
    async with upstream:
        await socket.accept(subprotocol=upstream.subprotocol)
        await _relay(socket, upstream)


async def _relay(socket: WebSocket, upstream) -> None:
    async def browser_to_app() -> None:
        try:
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = message.get("bytes")
                await upstream.send(data if data is not None else message.get("text", ""))
        except (WebSocketDisconnect, websockets.ConnectionClosed):
            return

    async def app_to_browser() -> None:
        try:
            async for data in upstream:
                if isinstance(data, bytes):
                    await socket.send_bytes(data)
                else:
                    await socket.send_text(data)
        except (WebSocketDisconnect, websockets.ConnectionClosed, RuntimeError):
            return

    tasks = [asyncio.create_task(browser_to_app()), asyncio.create_task(app_to_browser())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await upstream.close()
    try:
        await socket.close(code=upstream.close_code or 1000)
    except RuntimeError:  # the browser already went away
        pass


async def preview_alive(project_id: int, *, max_age: float = 0.0) -> str:
    """ "live", "asleep" (started once, not answering now) or "" (never started). An answer about the
    same start of the app younger than `max_age` seconds is reused."""
    started = await deps.db().run(lambda s: build_control.latest_event(s, project_id=project_id,
                                                                       type_name=ev.PreviewReady.type))
    if started is None:
        return ""
    probed_at, probed_event, state = _probes.get(project_id, (0.0, 0, ""))
    if probed_event == started.id and time.monotonic() - probed_at < max_age:
        return state
    address = started.payload.get("url", "")
    state = await _probe(address) if app_http.allowed(address, deps.settings.sockets_dir) else "asleep"
    if state == "asleep":  # never remembered: a sleeping app is asked again next time (starting, or woken)
        _probes.pop(project_id, None)
    else:
        _probes[project_id] = (time.monotonic(), started.id, state)
    return state


async def _probe(address: str) -> str:
    try:
        await asyncio.wait_for(app_http.shared(address).get("/", timeout=1.5), timeout=2.0)
    except Exception:
        return "asleep"
    return "live"
