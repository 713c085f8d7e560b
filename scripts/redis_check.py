"""Exit 0 when the Redis at the given URL answers PING (with the URL's password) within a second,
1 otherwise."""

import sys

try:
    import redis

    redis.Redis.from_url(sys.argv[-1], socket_connect_timeout=1, socket_timeout=1).ping()
except Exception:
    sys.exit(1)
