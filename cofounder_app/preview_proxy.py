"""The preview of the founder's running app through an authenticated reverse proxy: HTTP and websockets.

With the local sandbox the app runs on the worker's machine, so the browser reaches it through
`/preview/{project}/...` here, which works when the founder's browser is on another machine; E2B
previews use the sandbox's public host instead. Only the project's owner gets through (the session
cookie, checked on every request and on every websocket handshake); anyone else gets a 404, or a
refused handshake. The upstream app is told its public prefix in `X-Forwarded-Prefix`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx
import websockets
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from agent import build_control
from agent import events as ev
from cofounder_app import deps
from cofounder_app.auth import COOKIE_NAME, NONCE_COOKIE
from cofounder_app.build_api import NOT_FOUND, owned_project

PREVIEW_PREFIX = "/preview"
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
               "proxy-authenticate", "host", "content-length", "content-encoding", "cookie"}
POLICY_VIOLATION, TRY_AGAIN_LATER = 1008, 1013  # websocket close codes: not yours / the app is asleep
_client: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None
def client() -> httpx.AsyncClient:
    """One HTTP client for the process (the proxy and the liveness probe): a new client per request
    would rebuild its TLS context each time, which was a fifth of the web app's CPU on a busy build page."""
    global _client
    loop = asyncio.get_running_loop()
    if _client is None or _client[0] is not loop:  # its pooled connections belong to one event loop
        _client = (loop, httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=2.0), follow_redirects=False))
    return _client[1]


_probes: dict[int, tuple[float, int, str]] = {}  # project id -> (when, preview event id, answer) of the last probe


def preview_path(project_id: int) -> str:
    return f"{PREVIEW_PREFIX}/{project_id}/"


def is_local_url(url: str) -> bool:
    return urlsplit(url).hostname in ("127.0.0.1", "localhost")


def _frame_ancestors() -> str:
    origins = deps.settings.allowed_origins
    if any(is_local_url(o) for o in origins):  # local use: the pages may come from another port
        origins = [*origins, "http://127.0.0.1:*", "http://localhost:*"]
    return "frame-ancestors 'self' " + " ".join(origins)


def asleep_page() -> HTMLResponse:
    return HTMLResponse("<!doctype html><meta charset='utf-8'><title>Your app is asleep</title>"
                        "<body style='font-family:system-ui;padding:2rem;color:#444'><h2>Your app is asleep</h2>"
                        "<p>Go back to the build page and press <b>Wake up</b> to start it again.</p></body>",
                        status_code=503, headers={"x-preview": "asleep"})


async def preview_target(project_id: int) -> str | None:
    started = await deps.db().run(lambda s: build_control.latest_event(s, project_id=project_id,
                                                                       type_name=ev.PreviewReady.type))
    url = started.payload.get("url", "") if started else ""
    return url if url and is_local_url(url) else None


def app_cookies(cookie_header: str) -> str:
    """The browser's cookies minus ours: the app gets its own cookies, never the founder's session."""
    ours = (COOKIE_NAME, NONCE_COOKIE)
    kept = [c.strip() for c in cookie_header.split(";") if c.strip() and c.split("=", 1)[0].strip() not in ours]
    return "; ".join(kept)


def scoped_cookie(set_cookie: str, prefix: str) -> str | None:
    """An app's Set-Cookie, confined to its preview path (and this host); None for a cookie named like ours."""
    name = set_cookie.split("=", 1)[0].strip()
    if name in (COOKIE_NAME, NONCE_COOKIE):
        return None
    value, *attributes = [part.strip() for part in set_cookie.split(";")]
    kept, path = [], "/"
    for attribute in attributes:
        key = attribute.split("=", 1)[0].strip().lower()
        if key == "path":
            path = attribute.split("=", 1)[1].strip() or "/" if "=" in attribute else "/"
        elif key != "domain":
            kept.append(attribute)
    return "; ".join([value, f"Path={prefix}{path if path.startswith('/') else '/' + path}", *kept])


async def preview(request: Request) -> Response:
    project = await owned_project(request)
    if project is None:
        return NOT_FOUND
    target = await preview_target(project.id)
    if target is None:
        return asleep_page()
    prefix = preview_path(project.id).rstrip("/")
    path = "/" + request.path_params.get("path", "")
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
    headers["x-forwarded-prefix"] = prefix
    if cookies := app_cookies(request.headers.get("cookie", "")):
        headers["cookie"] = cookies
    try:
        upstream = await client().request(request.method, target.rstrip("/") + path,
                                         params=request.query_params, headers=headers, content=await request.body())
    except httpx.HTTPError:
        return asleep_page()
    # our frame-ancestors replaces the app's (and browsers ignore X-Frame-Options beside it), so the
    # owner's build page may always frame the app; other sites still may not
    dropped = HOP_HEADERS | {"set-cookie", "x-frame-options", "content-security-policy"}
    out = {k: v for k, v in upstream.headers.items() if k.lower() not in dropped}
    location = out.get("location", "")
    if location.startswith("/") and not location.startswith(prefix + "/"):
        out["location"] = prefix + location
    out["content-security-policy"] = _frame_ancestors()
    out["cache-control"] = "no-store"
    response = Response(upstream.content, status_code=upstream.status_code, headers=out)
    for cookie in upstream.headers.get_list("set-cookie"):
        if scoped := scoped_cookie(cookie, prefix):
            response.headers.append("set-cookie", scoped)
    return response


async def preview_socket(socket: WebSocket) -> None:
    """Relays a websocket between the founder's browser and their running app, both ways, until either
    side closes. The handshake is refused (before it is accepted) for anyone but the owner."""
    project = await owned_project(socket)
    if project is None:
        await socket.close(code=POLICY_VIOLATION)
        return
    target = await preview_target(project.id)
    if target is None:
        await socket.close(code=TRY_AGAIN_LATER)
        return
    prefix = preview_path(project.id).rstrip("/")
    url = "ws" + target.rstrip("/")[len("http"):] + "/" + socket.path_params.get("path", "")
    if socket.url.query:
        url += "?" + socket.url.query
    try:
        headers = {"x-forwarded-prefix": prefix, "cookie": app_cookies(socket.headers.get("cookie", ""))}
        upstream = await websockets.connect(url, additional_headers={k: v for k, v in headers.items() if v},
                                            subprotocols=socket.scope.get("subprotocols") or None,
                                            open_timeout=5, max_size=16 * 2**20)
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


def frame_refused(headers: Mapping[str, str], our_origins: list[str]) -> bool:
    """Whether a page with these response headers refuses to be shown in a frame of our pages.
    CSP `frame-ancestors` wins over `X-Frame-Options` when both are present, as in browsers."""
    for directive in headers.get("content-security-policy", "").split(";"):
        name, _, value = directive.strip().partition(" ")
        if name.lower() == "frame-ancestors":
            sources = value.split()
            allowed = {"*", "http:", "https:", *(o.rstrip("/") for o in our_origins)}
            return not any(source.rstrip("/") in allowed for source in sources)
    return headers.get("x-frame-options", "").strip().lower() in ("deny", "sameorigin")


async def preview_alive(project_id: int, *, max_age: float = 0.0) -> str:
    """ "live", "asleep" (started once, not answering now), "refused" (running, but it will not be shown
    in a frame: E2B apps are framed directly, so their own headers decide) or "" (never started).
    An answer about the same start of the app younger than `max_age` seconds is reused."""
    started = await deps.db().run(lambda s: build_control.latest_event(s, project_id=project_id,
                                                                       type_name=ev.PreviewReady.type))
    if started is None:
        return ""
    url = started.payload.get("url", "")
    probed_at, probed_event, state = _probes.get(project_id, (0.0, 0, ""))
    if probed_event == started.id and time.monotonic() - probed_at < max_age:
        return state
    state = await _probe(url)
    if state == "asleep":  # never remembered: a sleeping app is asked again next time (starting, or woken)
        _probes.pop(project_id, None)
    else:
        _probes[project_id] = (time.monotonic(), started.id, state)
    return state


async def _probe(url: str) -> str:
    try:
        response = await asyncio.wait_for(client().get(url, timeout=1.5), timeout=2.0)
    except Exception:
        return "asleep"
    if not is_local_url(url) and frame_refused(response.headers, deps.settings.allowed_origins):
        return "refused"  # through our own proxy the frame is always allowed (see `preview`)
    return "live"


ROUTES = [
    Route(PREVIEW_PREFIX + "/{project_id}/{path:path}", preview,
          methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
    WebSocketRoute(PREVIEW_PREFIX + "/{project_id}/{path:path}", preview_socket),
]
