"""The worker waits out a Redis outage of any length instead of exiting.

redis-py retries a lost connection three times (about seven seconds) and then raises; in the worker
that error ends arq's poll loop, and the process with it, or fails the build whose event was being
published. Here the worker's one Redis pool retries for as long as Redis is away, with a short
capped backoff, so everything that needs Redis (arq's polling, a job's live events, the heartbeat,
a hand-over's enqueue) pauses where it is and goes on when Redis is back. The database is not
touched by an outage: a slice keeps renewing its lease through it, so nobody else takes its run.

A refused password is not an outage (redis-py counts it as a connection error): it is raised at once.
A worker told to stop while Redis is away waits for it too, until its supervisor's kill (compose's
stop grace); its runs' leases lapse and the reconciler hands them to the next worker.
"""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import AuthenticationError, AuthorizationError

log = logging.getLogger(__name__)
BACKOFF = (0.1, 2.0)  # the first wait and the longest (seconds): back within two seconds of Redis
SAY_EVERY = 10.0  # while Redis is away, one line in the log this often (not one per attempt)


class Outlasting(Retry):
    """Retries connection errors and timeouts forever, except a refused password."""

    def __init__(self) -> None:
        super().__init__(ExponentialWithJitterBackoff(base=BACKOFF[0], cap=BACKOFF[1]), retries=-1)
        self._said = 0.0

    async def call_with_retry(self, do, fail, is_retryable=None, with_failure_count=False):
        def retryable(error: Exception) -> bool:
            if isinstance(error, (AuthenticationError, AuthorizationError)):
                return False
            if is_retryable is not None and not is_retryable(error):
                return False
            now = time.monotonic()
            if now - self._said >= SAY_EVERY:
                self._said = now
                log.warning("Redis is unreachable (%s); waiting for it to come back", error)
            return True

        return await super().call_with_retry(do, fail, is_retryable=retryable, with_failure_count=with_failure_count)


def outlast_outages(client: Redis) -> Redis:
    """Make `client` (and the connections it already holds) wait out outages."""
    client.set_retry(Outlasting())
    return client
