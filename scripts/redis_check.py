"""Exit 0 when the Redis at the given URL answers PING within a second, 1 otherwise.
With --where, print "host port" of the URL instead (for starting a local server there)."""

import sys
from urllib.parse import urlsplit

url = sys.argv[-1]
if "--where" in sys.argv:
    parts = urlsplit(url)
    print(parts.hostname or "127.0.0.1", parts.port or 6379)
    sys.exit(0)
try:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
except Exception:
    sys.exit(1)
