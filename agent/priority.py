"""The worker yields the CPU to the web app. Builds run tests, app servers and screenshot browsers
that can keep every core busy; on a machine they share with the web app, a founder's page must stay
live. So the worker lowers its own priority at start (everything it starts inherits it) and, when it
runs as root, gives up the right to raise priority again (Chromium, run as root, raises its own
browser process above normal; without that right it stays where it was put).

A nice value alone is not enough on Linux with autogroup scheduling (`sched_autogroup_enabled`, on
by default in most desktop and many server kernels): the CPU is shared between *sessions* first and
a process's nice only weighs against processes of its own session. Each sandbox command and each
Chromium starts a session of its own, so ten builds made ten or more full-weight groups beside the
web app's one, and the app's event loop waited 30-450 ms at a time for a CPU (measured with the
thread's run-queue wait in /proc). So the worker moves into a session of its own and gives it its
niceness, and the sessions its sandboxes and browsers start get the same (`nice_session`)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from pathlib import Path

PR_CAPBSET_DROP = 24  # prctl: drop a capability from the bounding set (what exec'd programs can have)
CAP_SYS_NICE = 23
PROC = Path("/proc")

log = logging.getLogger("agent.priority")


def nice_session(niceness: int, pid: int | str = "self") -> bool:
    """Give the autogroup (session) of `pid` this niceness; False where the kernel has no autogroups.
    Only for a session the caller leads or started: it weighs every process in it."""
    try:
        (PROC / str(pid) / "autogroup").write_text(str(niceness))
        return True
    except OSError:
        return False


def sessions_started_by(ancestor: int) -> list[int]:
    """The pids of `ancestor`'s descendants that lead a session of their own."""
    family: dict[int, tuple[int, int]] = {}  # pid -> (parent pid, session id)
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # gone meanwhile
            family[int(entry.name)] = (int(fields[1]), int(fields[3]))  # stat fields 4 and 6
    leaders = []
    for pid, (parent, session) in family.items():
        if session != pid:
            continue
        for _ in range(64):
            if parent == ancestor:
                leaders.append(pid)
                break
            if parent not in family:
                break
            parent = family[parent][0]
    return leaders


def yield_cpu(niceness: int) -> bool:
    """Lower this process's priority by `niceness` (0 leaves it), in a session of its own weighted
    the same, and make sure nothing it starts can raise its own. True when programs started from now
    on cannot raise their priority."""
    if niceness:
        os.nice(niceness)
        if os.getsid(0) != os.getpid():
            try:
                os.setsid()  # out of the session it was started in (`make run` starts the web app there too)
            except OSError:
                pass  # it leads a process group; its session is shared, so its weight is left alone
        if os.getsid(0) == os.getpid():
            nice_session(os.nice(0))
    if os.geteuid() != 0:
        return True  # without root, raising priority is refused anyway (RLIMIT_NICE)
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0) != 0:
        log.warning("could not stop builds from raising their CPU priority (errno %s)", ctypes.get_errno())
        return False
    return True
