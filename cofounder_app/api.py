"""Starlette routes beside the Reflex app: finishing sign-in, signing out, and health."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from agent import heartbeat, store
from agent.accounts import hash_token, new_session_token
from cofounder_app import deps, routes
from cofounder_app.build_api import ROUTES as build_routes
from cofounder_app.auth import COOKIE_NAME, NONCE_COOKIE, redeem_ticket
from cofounder_app.headers import request_origin

HEARTBEAT_FRESH_SECONDS = 3 * heartbeat.INTERVAL_SECONDS


def _requesting_origin(request: Request) -> str:
    """The product page the browser came from (Origin, else Referer), when it is one of ours; else ""
    (a relative redirect). A header naming another site never sends the founder there."""
    origin = request_origin(dict(request.scope.get("headers") or []))
    return origin if origin in deps.allowed_origins() else ""


def safe_redirect(target: str) -> str:
    """`target` (a path, or a URL on one of our origins) as a place to send the founder; anything
    else becomes the same path on this origin, or the dashboard."""
    parts = urlsplit(target)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme or parts.netloc else ""
    path = routes.safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return (origin if origin in deps.allowed_origins() else "") + path


def _is_https(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto == "https" or deps.settings.secure_cookies


async def complete_sign_in(request: Request) -> RedirectResponse:
    redeemed = await redeem_ticket(
        deps.redis(), request.query_params.get("ticket", ""), request.cookies.get(NONCE_COOKIE, "")
    )
    if redeemed is None:
        back = _requesting_origin(request) + routes.SIGN_IN + "?error=expired"
        response = RedirectResponse(back, status_code=303)
        response.delete_cookie(NONCE_COOKIE, path="/")
        return response
    user_id, next_url = redeemed
    token, token_hash = new_session_token()
    lifetime = timedelta(days=deps.settings.session_days)
    user_agent = request.headers.get("user-agent", "")
    await deps.db().run(
        lambda s: store.create_auth_session(
            s, user_id=user_id, token_hash=token_hash, lifetime=lifetime, user_agent=user_agent
        )
    )
    response = RedirectResponse(safe_redirect(next_url), status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(lifetime.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_is_https(request),
    )
    response.delete_cookie(NONCE_COOKIE, path="/")
    return response


async def sign_out(request: Request) -> RedirectResponse:
    token = request.cookies.get(COOKIE_NAME, "")
    if token:
        token_hash = hash_token(token)

        def _end(session) -> None:
            user_id = store.delete_auth_session(session, token_hash=token_hash)
            if user_id:
                store.audit(session, action="sign_out", user_id=user_id)

        await deps.db().run(_end)
    response = RedirectResponse(_requesting_origin(request) + routes.SIGN_IN + "?signed_out=1", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_is_https(request))
    return response


async def _check(probe) -> tuple[bool, str]:
    try:
        await asyncio.wait_for(probe(), timeout=2.0)
    except Exception as exc:  # any failure is reported, not raised: this is the health page
        return False, f"{type(exc).__name__}: {exc}"[:200]
    return True, "ok"


async def health(request: Request) -> JSONResponse:
    db_ok, db_detail = await _check(lambda: asyncio.to_thread(deps.db().ping))
    redis_ok, redis_detail = await _check(lambda: deps.redis().ping())
    worker: dict[str, object] = {"ok": False, "last_heartbeat": None, "age_seconds": None}
    if redis_ok:
        latest = await heartbeat.latest(deps.redis())
        if latest:
            worker_id, beat_at = latest
            age = round(time.time() - beat_at, 1)
            worker = {"ok": age < HEARTBEAT_FRESH_SECONDS, "id": worker_id, "last_heartbeat": beat_at, "age_seconds": age}
    healthy = db_ok and redis_ok
    sandboxes = await heartbeat.sandbox_states(deps.redis()) if redis_ok else {}
    body = {
        "status": "ok" if healthy and worker["ok"] else ("degraded" if healthy else "down"),
        "database": {"ok": db_ok, "detail": db_detail, "backend": deps.settings.database_url.split(":", 1)[0]},
        "redis": {"ok": redis_ok, "detail": redis_detail, "password": deps.settings.redis_has_password},
        "worker": worker,
        "sandbox": _sandbox_report(sandboxes),
        "services": {
            "llm": deps.settings.llm_backend,
            "sandbox": deps.settings.sandbox_backend,
            "storage": deps.settings.storage_backend,
            "billing": deps.settings.billing_backend,
            "email": deps.settings.email_backend,
        },
    }
    return JSONResponse(body, status_code=200 if healthy else 503, headers={"cache-control": "no-store"})


def _sandbox_report(states: dict[str, dict]) -> dict[str, object]:
    """What the workers found when they probed their sandboxes: whether builds can run, and how confined."""
    report: dict[str, object] = {"backend": deps.settings.sandbox_backend,
                                 "builds": "on" if any(s.get("available") for s in states.values()) else
                                 ("off: no worker has a working sandbox" if states else "unknown: no worker running"),
                                 "workers": states}
    if deps.settings.sandbox_backend == "unconfined":
        report["warning"] = "SANDBOX=unconfined: agent-written code runs without confinement (development only)"
    return report


def build_api() -> Starlette:
    return Starlette(
        routes=[
            Route(routes.API_COMPLETE_SIGN_IN, complete_sign_in, methods=["GET"]),
            Route(routes.API_SIGN_OUT, sign_out, methods=["POST"]),
            Route(routes.API_HEALTH, health, methods=["GET"]),
            *build_routes,
        ]
    )
