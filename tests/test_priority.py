"""The worker yields the CPU: it lowers its priority, and nothing it starts can raise its own again."""

import os
import subprocess
import sys

import pytest

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
