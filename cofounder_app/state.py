"""The shared root of every page state: who is signed in, read from the HttpOnly session cookie.

A tab's state outlives sign-in and sign-out (it is kept per tab), so the user is re-derived from
the cookie of the current connection whenever a page loads or a handler touches a project.
"""

from __future__ import annotations

import reflex as rx

from agent import store
from agent.accounts import hash_token
from cofounder_app import deps, routes
from cofounder_app.auth import backend_base, session_token


class SessionState(rx.State):
    user_email: str = ""
    auth_checked: bool = False
    # where the browser reaches the app's own HTTP routes ("" when the pages come from there too)
    api_base: str = ""
    _user_id: int = 0

    async def _current_user_id(self) -> int:
        """The signed-in founder's id (0 when signed out), refreshed from the cookie."""
        token = session_token(self.router.headers.cookie)
        user = None
        if token:
            token_hash = hash_token(token)
            user = await deps.db().run(lambda s: store.user_for_token_hash(s, token_hash=token_hash))
        self._user_id = user.id if user else 0
        self.user_email = user.email if user else ""
        self.auth_checked = True
        self.api_base = self._backend_base()
        return self._user_id

    def _backend_base(self) -> str:
        return backend_base(page_origin=self.router.url.origin, backend_host=self.router.headers.host)

    def _here(self) -> str:
        url = self.router.url
        return f"{url.path}?{url.query}" if url.query else url.path

    @rx.event
    async def require_user(self):
        """on_load of every private page: send a signed-out visitor to sign in first."""
        if not await self._current_user_id():
            return rx.redirect(routes.sign_in(self._here()), replace=True)

    @rx.event
    async def load_user(self):
        """on_load of public pages: who is signed in, if anyone (no redirect)."""
        await self._current_user_id()

    @rx.event
    async def redirect_signed_in(self):
        """on_load of the sign-in and sign-up pages: a signed-in founder goes to their dashboard."""
        if await self._current_user_id():
            return rx.redirect(routes.DASHBOARD, replace=True)

    @rx.var
    def signed_in(self) -> bool:
        return bool(self.user_email)
