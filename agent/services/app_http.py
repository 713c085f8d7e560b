"""Talking to a founder's running app, wherever it runs: the one place that turns a sandbox's app
address into an HTTP client or a websocket.

An address is what `Sandbox.start_server` returned: `unix:<socket path>` for the local sandbox (the
app has no network; its supervisor forwards this socket to it) or an `https://` URL for E2B. The
worker (checks, screenshots) and the web app (the preview proxy) both use it; the web app accepts
only sockets in the sandboxes' own socket folder (`allowed`).
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import websockets

UNIX = "unix:"
BASE = "http://app"  # the base URL of requests over a Unix socket (the Host header is set per request)
_tls: ssl.SSLContext | None = None
_shared: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, httpx.AsyncClient]] = weakref.WeakKeyDictionary()
SHARED_MAX = 256


def tls_context() -> ssl.SSLContext:
    """One TLS context for the process: loading the CA bundle for each client took 130 ms of the event
    loop (measured), a fifth of the web app's CPU on a busy build page."""
    global _tls
    if _tls is None:
        _tls = ssl.create_default_context()
    return _tls


def is_unix(address: str) -> bool:
    return address.startswith(UNIX)


def allowed(address: str, sockets: Path) -> bool:
    """Whether the web app may connect to this address: a socket in `sockets`, or https elsewhere."""
    if is_unix(address):
        path = Path(address[len(UNIX):])
        return path.parent == sockets.resolve() and path.suffix == ".sock"
    return urlsplit(address).scheme == "https" and bool(urlsplit(address).hostname)


def client(address: str, *, timeout: httpx.Timeout | float = 30.0) -> httpx.AsyncClient:
    """An HTTP client whose relative URLs go to the app."""
    if is_unix(address):
        transport = httpx.AsyncHTTPTransport(uds=address[len(UNIX):], verify=tls_context())
        return httpx.AsyncClient(transport=transport, base_url=BASE, timeout=timeout, follow_redirects=False)
    return httpx.AsyncClient(base_url=address.rstrip("/"), timeout=timeout, follow_redirects=False,
                             verify=tls_context())


def shared(address: str) -> httpx.AsyncClient:
    """This event loop's long-lived client for `address` (its connections pooled), for the proxy."""
    clients = _shared.setdefault(asyncio.get_running_loop(), {})
    found = clients.get(address)
    if found is None:
        if len(clients) >= SHARED_MAX:  # an old address (a sandbox long gone) makes room
            clients.pop(next(iter(clients)))
        found = clients[address] = client(address, timeout=httpx.Timeout(30.0, connect=2.0))
    return found


async def wait_until_serving(address: str, seconds: float = 15.0) -> None:
    """Returns once the app answers HTTP at all; raises httpx.HTTPError after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    async with client(address, timeout=2.0) as app:
        while True:
            try:
                await app.get("/")
                return
            except httpx.HTTPError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.2)


async def websocket(address: str, path_and_query: str, *, headers: dict[str, str], subprotocols=None):
    """A websocket connection to the app (a context manager, like `websockets.connect`)."""
    options = {"additional_headers": headers, "subprotocols": subprotocols, "open_timeout": 5,
               "max_size": 16 * 2**20}
    if is_unix(address):
        return await websockets.unix_connect(address[len(UNIX):], "ws://app" + path_and_query, **options)
    return await websockets.connect("wss" + address.rstrip("/")[len("https"):] + path_and_query, **options)
