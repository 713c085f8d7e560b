"""Security headers on every HTTP response the app serves (pages, API and static files).

The CSP keeps scripts, styles and connections on the app's own origin (plus its websocket), lets
the build page frame the founder's running app (the preview iframe), and lets only the app itself
frame its pages.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",  # the compiled React app uses inline bootstrapping
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "frame-src 'self' http: https:",  # the preview of the founder's app
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
