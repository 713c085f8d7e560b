"""Preview tokens: the short-lived, per-project capability that opens a founder's running app.

The preview is served from an origin of its own, `{token}.<preview host>` (see cofounder_app's
preview host routing), never the product's, and the founder's session cookie plays no part in it:
whoever holds the token sees that one project's app, nothing else. A token lives
PREVIEW_TOKEN_MINUTES after its last use (a preview being looked at stays open) and never more than
MAX_HOURS; starting a new build, stopping the build or stopping the app revokes it at once. Tokens
are DNS labels (26 lowercase base32 characters, 130 bits), so they can be a host name.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time

from redis.asyncio import Redis

TOKEN = re.compile(r"^[a-z2-7]{26}$")
MAX_HOURS = 12


def _token_key(token: str) -> str:
    return f"preview:token:{token}"


def _project_key(project_id: int) -> str:
    return f"preview:project:{project_id}"


def new_token() -> str:
    return base64.b32encode(secrets.token_bytes(17)).decode().lower().rstrip("=")[:26]


async def issue(redis: Redis, *, project_id: int, user_id: int, seconds: int) -> tuple[str, bool]:
    """The project's live token, or a new one: (token, whether it is new)."""
    current = await redis.get(_project_key(project_id))
    current = current.decode() if isinstance(current, bytes) else current
    if current and await resolve(redis, current, seconds=seconds) == project_id:
        return current, False
    token = new_token()
    payload = json.dumps({"project_id": project_id, "user_id": user_id, "issued": time.time()})
    await redis.set(_token_key(token), payload, ex=seconds)
    await redis.set(_project_key(project_id), token, ex=MAX_HOURS * 3600)
    return token, True


async def resolve(redis: Redis, token: str, *, seconds: int) -> int | None:
    """The project a live token opens (its life extended by `seconds`), or None."""
    if not TOKEN.match(token or ""):
        return None
    raw = await redis.get(_token_key(token))
    if raw is None:
        return None
    data = json.loads(raw)
    if time.time() - float(data["issued"]) > MAX_HOURS * 3600:
        await redis.delete(_token_key(token))
        return None
    await redis.expire(_token_key(token), seconds)
    return int(data["project_id"])


async def revoke(redis: Redis, *, project_id: int) -> str | None:
    """Ends the project's token (the revoked token, or None when there was none)."""
    current = await redis.getdel(_project_key(project_id))
    current = current.decode() if isinstance(current, bytes) else current
    if current:
        await redis.delete(_token_key(current))
    return current or None
