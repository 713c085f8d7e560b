"""The worker yields the CPU to the web app. Builds run tests, app servers and screenshot browsers
that can keep every core busy; on a machine they share with the web app, a founder's page must stay
live. So the worker lowers its own priority at start (everything it starts inherits it) and, when it
runs as root, gives up the right to raise priority again (Chromium, run as root, raises its own
browser process above normal; without that right it stays where it was put)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

PR_CAPBSET_DROP = 24  # prctl: drop a capability from the bounding set (what exec'd programs can have)
CAP_SYS_NICE = 23

log = logging.getLogger("agent.priority")


def yield_cpu(niceness: int) -> bool:
    """Lower this process's priority by `niceness` (0 leaves it) and make sure nothing it starts can
    raise its own. True when programs started from now on cannot raise their priority."""
    if niceness:
        os.nice(niceness)
    if os.geteuid() != 0:
        return True  # without root, raising priority is refused anyway (RLIMIT_NICE)
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0) != 0:
        log.warning("could not stop builds from raising their CPU priority (errno %s)", ctypes.get_errno())
        return False
    return True
