"""The web app's entries in the audit log (the `audit_log` table): downloads, preview tokens issued
and revoked, and refusals (a project, a file or a preview someone may not open, a rate limit).

Refusals are what an attacker can make many of, so each kind is written at most once a minute per
key (the founder, the client address or a token's first characters); the rest only count in Redis.
"""

from __future__ import annotations

import logging

from agent import store
from cofounder_app import deps

log = logging.getLogger(__name__)
REFUSAL_EVERY_SECONDS = 60


async def record(action: str, *, user_id: int | None = None, **detail: object) -> None:
    """One audit entry; a failure to write it is logged and never fails the request."""
    try:
        await deps.db().run(lambda s: store.audit(s, action=action, user_id=user_id, **detail))
    except Exception:
        log.exception("could not write the audit entry %s", action)


async def refused(action: str, *, key: str, user_id: int | None = None, **detail: object) -> None:
    """A refusal, written once a minute per (action, key); counted every time."""
    try:
        first = await deps.redis().set(f"audit:{action}:{key}", "1", nx=True, ex=REFUSAL_EVERY_SECONDS)
        await deps.redis().incr(f"audit:count:{action}")
    except Exception:
        first = True
    if first:
        await record(action, user_id=user_id, **detail)
