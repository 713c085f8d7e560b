"""Whether a browser tab is still connected, so a background listener can stop once it is gone.

Reflex 0.10 cancels listeners started from on_load when the tab goes, but not every path does
(reflex-dev/reflex#5049), so each listener also asks on every idle read. Uses the token manager,
which knows about sockets on every web worker when Reflex keeps its state in Redis.
"""

from __future__ import annotations

from reflex_base.registry import RegistrationContext


async def tab_connected(client_token: str) -> bool:
    try:
        namespace = RegistrationContext.get().app.event_namespace
    except (LookupError, RuntimeError):
        return True
    if namespace is None:
        return True
    return await namespace._token_manager.is_token_connected(client_token)
