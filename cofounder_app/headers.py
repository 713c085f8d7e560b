"""Security headers on every HTTP response the app serves (pages, API and static files).

The CSP keeps scripts, styles and connections on the app's own origin (plus its websocket), lets
the build page frame the founder's running app (the preview iframe), and lets only the app itself
frame its pages.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",  # the compiled React app uses inline bootstrapping
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "frame-src 'self' http: https:",  # the preview of the founder's app (its own origin: see preview_proxy)
    "frame-ancestors 'self'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
])

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """ASGI middleware: adds the headers above unless a route already set its own."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False):
        self.app = app
        self.extra = dict(SECURITY_HEADERS)
        if hsts:
            self.extra["strict-transport-security"] = "max-age=31536000; includeSubDomains"
        self._encoded = [(k.encode(), v.encode()) for k, v in self.extra.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in self._encoded if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGNED_ROUTES = ("/api/webhooks/",)  # requests from outside services, each checked by its signature


def request_origin(headers: dict[bytes, bytes]) -> str:
    """The page origin a browser request came from (Origin, else Referer's origin), or ""."""
    for name in (b"origin", b"referer"):
        parts = urlsplit(headers.get(name, b"").decode("latin-1"))
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return ""


class OriginCheck:
    """ASGI middleware: a state-changing request (any method but GET, HEAD and OPTIONS) and the event
    websocket are refused unless they come from one of the product's own pages. Browsers share cookies
    across ports and between a site's hosts, so a page from elsewhere (a founder's preview, say) could
    otherwise act with the founder's cookie."""

    def __init__(self, app: ASGIApp, *, allowed):
        self.app = app
        self.allowed = allowed  # () -> the product's origins, read per request (tests add one at run time)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self._refused(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            body = b"This request came from a page that is not AI Co-Founder's, so it was refused."
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    def _refused(self, scope: Scope) -> bool:
        headers = dict(scope.get("headers") or [])
        if scope["type"] == "websocket":
            origin = headers.get(b"origin", b"").decode("latin-1")
            return bool(origin) and origin not in self.allowed()  # browsers always send it on a handshake
        if scope["method"] in SAFE_METHODS or scope["path"].startswith(SIGNED_ROUTES):
            return False
        return request_origin(headers) not in self.allowed()
