"""The worker yields the CPU: it lowers its priority, and nothing it starts can raise its own again;
with the kernel's autogroup scheduling, the sessions it and its sandboxes and browsers run in weigh
the same as it does."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import os, subprocess, sys
from agent.priority import yield_cpu
assert yield_cpu(5)
print(os.getpriority(os.PRIO_PROCESS, 0))
# a program it starts tries to raise its priority above its parent's, as Chromium does as root
raise_it = "import os\\ntry:\\n    os.setpriority(os.PRIO_PROCESS, 0, -8)\\n    print('raised')\\nexcept PermissionError:\\n    print('refused')"
print(subprocess.run([sys.executable, "-c", raise_it], capture_output=True, text=True).stdout.strip())
"""


def test_the_worker_lowers_its_priority_and_its_programs_cannot_raise_theirs():
    before = os.getpriority(os.PRIO_PROCESS, 0)
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).stdout.split()
    assert int(out[0]) == min(before + 5, 19)
    assert out[1] == "refused"
    assert os.getpriority(os.PRIO_PROCESS, 0) == before  # only the worker's process tree is affected


def may_raise_priority() -> bool:
    status = open("/proc/self/status").read()
    effective = int(next(line.split()[1] for line in status.splitlines() if line.startswith("CapEff")), 16)
    return bool(effective & (1 << 23))  # CAP_SYS_NICE


@pytest.mark.skipif(not may_raise_priority(), reason="this process may not raise priority at all")
def test_without_it_root_could_raise_priority():
    """The control: the same program, started normally as root, does raise its priority."""
    raise_it = "import os\nos.setpriority(os.PRIO_PROCESS, 0, -8)\nprint(os.getpriority(os.PRIO_PROCESS, 0))"
    assert subprocess.run([sys.executable, "-c", raise_it], capture_output=True, text=True,
                          check=True).stdout.strip() == "-8"


SESSIONS = """
import asyncio, os, sys
from pathlib import Path
from agent.priority import sessions_started_by, yield_cpu
from agent.services.confinement import UNCONFINED
from agent.services.local_sandbox import LocalSandbox
from agent.services.screenshots import ChromiumScreenshots
from tests.support.servers import Served

def weight(pid="self"):
    return open(f"/proc/{pid}/autogroup").read().split()[-1]

yield_cpu(7)
print(os.getsid(0) == os.getpid(), weight())

async def main():
    for confine in (True, False):  # bubblewrap, and plain processes
        box = LocalSandbox(Path(sys.argv[1]) / str(confine), confinement=None if confine else UNCONFINED)
        result = await box.run("cat /proc/self/autogroup")
        print(result.output.split()[-1])
    shots = ChromiumScreenshots()
    async def page(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"<h1>Hi</h1>"})
    with Served(page) as served:
        await shots.capture(served.url, "/")
    print(sorted({weight(pid) for pid in sessions_started_by(os.getpid())}))
    await shots.close()

asyncio.run(main())
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="this kernel has no autogroup scheduling")
def test_the_sessions_of_the_worker_its_sandboxes_and_its_browser_weigh_as_little_as_the_worker(tmp_path):
    """Each sandbox command and each Chromium starts a session; with autogroups, a session at the
    default weight took as much CPU as the web app's whole session, whatever its processes' nice."""
    before = Path("/proc/self/autogroup").read_text()
    out = subprocess.run([sys.executable, "-c", SESSIONS, str(tmp_path)], capture_output=True, text=True, check=True,
                         cwd=ROOT, timeout=120).stdout.split("\n")
    assert out[:4] == ["True 7", "7", "7", "['7']"]  # its own session, the sandboxes' and the browser's
    assert Path("/proc/self/autogroup").read_text() == before  # the session it was started from is left alone
