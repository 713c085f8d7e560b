"""What every request of the app shares: the product, the store, and where to send the browser."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request

from app.schema import Schema
from app.store import Store, connect

LOCAL_PATH = re.compile(r"^/(?![/\\])[^\s\\]*$")


def schema() -> Schema:
    """The product this app runs."""
    return current_app.config["SCHEMA"]


def db() -> Store:
    """The store for this request (one SQLite connection, closed when the request ends)."""
    if "store" not in g:
        g.store = Store(connect(current_app.config["DATABASE"]))
    return g.store


def close_db(_exc: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.conn.close()


def next_path() -> str:
    """Where to go after signing in: the `next` value if it is a path on this site, else ""."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    return target if LOCAL_PATH.match(target) and not parts.scheme and not parts.netloc else ""


def go(path: str):
    return redirect(g.root + path, 303)
