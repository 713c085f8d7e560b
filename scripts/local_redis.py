"""The local Redis that `make run` (and the test suite) start: a password, no TCP port.

The password is generated once and kept in `DIR/password` (mode 0600); the server listens only on
a Unix socket in `DIR` (the folder is 0700), so nothing on the network and no other user reaches
it, and a connection without the password is refused. Agent-written code never sees either (the
sandbox has no route to the host and does not mount the data folder).

    python scripts/local_redis.py DIR [--persist]   writes DIR/redis.conf, prints the REDIS_URL
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import quote


def password(folder: Path) -> str:
    """The folder's Redis password, made on first use (0600)."""
    path = folder / "password"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    os.chmod(path, 0o600)
    return path.read_text().strip()


def write_config(folder: Path, *, persist: bool = False) -> str:
    """Writes `folder/redis.conf` and returns the URL the app and the worker connect with."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    secret, socket = password(folder), folder / "redis.sock"
    lines = [
        "port 0",  # no TCP listener at all
        f"unixsocket {socket}",
        "unixsocketperm 700",
        f"requirepass {secret}",
        f"dir {folder}",
        f"logfile {folder / 'redis.log'}",
        'save ""',
        f"appendonly {'yes' if persist else 'no'}",
    ]
    conf = folder / "redis.conf"
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return f"unix://:{quote(secret, safe='')}@{socket}?db=0"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print(write_config(Path(sys.argv[1]), persist="--persist" in sys.argv))
