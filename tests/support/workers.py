"""The real arq worker as a subprocess of a test, in its own process group (so `kill -9` of the group
takes the worker and everything it started, as a crash would)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_worker(**env: str) -> subprocess.Popen:
    """`arq agent.worker.WorkerSettings` with this process's environment plus `env`."""
    return subprocess.Popen([sys.executable, "-m", "arq", "agent.worker.WorkerSettings"], cwd=ROOT,
                            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL to the worker's whole group: nothing it was doing gets to finish or clean up."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop_worker(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
