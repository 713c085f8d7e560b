"""What sign-in and sign-up share: handing a verified founder to the session-cookie route."""

from __future__ import annotations

import json

import reflex as rx

from cofounder_app import deps, routes
from cofounder_app.auth import NONCE_COOKIE, TICKET_SECONDS, issue_ticket
from cofounder_app.state import SessionState


async def start_session(state: SessionState, user_id: int) -> rx.event.EventSpec:
    """A full-page navigation to the route that sets the cookie, then on to where they were going."""
    next_path = routes.safe_next(state.router.url.query_parameters.get("next"))
    ticket, nonce = await issue_ticket(deps.redis(), user_id=user_id, next_url=state.router.url.origin + next_path)
    target = f"{state._backend_base()}{routes.API_COMPLETE_SIGN_IN}?ticket={ticket}"
    nonce_cookie = f"{NONCE_COOKIE}={nonce}; path=/; max-age={TICKET_SECONDS}; samesite=lax"
    # window.location (not client-side routing): the response must reach the server to set the cookie.
    return rx.call_script(f"document.cookie = {json.dumps(nonce_cookie)}; window.location.assign({json.dumps(target)})")
