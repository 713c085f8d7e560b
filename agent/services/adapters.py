"""Which adapter each outside service uses, chosen from the settings: the sandbox and email.

The worker's startup (and the headless CLI) call `sandbox_state` once: for the local sandbox it probes
bubblewrap (agent/services/confinement.py) and the result decides everything after. Without working
confinement no local sandbox is ever opened: `sandbox_opener` raises SandboxUnavailable and the build
says "Builds are switched off on this server: the sandbox is not available" (fail closed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from agent.config import Settings
from agent.services import confinement as conf
from agent.services.email import Email, LocalOutbox, SMTPEmail
from agent.services.local_sandbox import LocalSandbox
from agent.services.sandbox import Limits, Sandbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxState:
    """The sandbox a process can open, or why it cannot."""

    backend: str
    confinement: conf.Confinement | None = None
    problem: str = ""

    @property
    def available(self) -> bool:
        return not self.problem

    def describe(self) -> dict[str, object]:
        body: dict[str, object] = {"backend": self.backend, "available": self.available}
        if self.problem:
            body["problem"] = self.problem
        if self.confinement is not None:
            body.update(self.confinement.describe())
        return body


def sandbox_state(settings: Settings, *, local: bool = False) -> SandboxState:
    """The configured sandbox (with `local`, the local one whatever is configured: the headless CLI)."""
    if settings.sandbox_backend == "e2b" and not local:
        return SandboxState(backend="e2b")
    try:
        found = conf.probe(unconfined=settings.sandbox_backend == "unconfined", scratch=settings.data_dir)
    except conf.SandboxUnavailable as exc:
        log.error("builds are switched off: %s. Install bubblewrap (apt-get install bubblewrap) and allow user "
                  "namespaces, or set SANDBOX=unconfined for development only.", exc.detail)
        return SandboxState(backend=settings.sandbox_backend, problem=exc.detail)
    if found.cgroups is not None:
        found.cgroups.sweep()  # groups a killed worker left behind
    return SandboxState(backend=settings.sandbox_backend, confinement=found)


def sandbox_limits(settings: Settings) -> Limits:
    return Limits(memory_mb=settings.sandbox_memory_mb, processes=settings.sandbox_processes,
                  disk_mb=settings.sandbox_disk_mb)


def sandbox_opener(settings: Settings, state: SandboxState):
    """How a build gets its sandbox: (workspace, sandbox id from the checkpoint) -> Sandbox."""
    if state.backend == "e2b":
        async def e2b(_workspace: Path, sandbox_id: str) -> Sandbox:
            from e2b import AsyncSandbox

            from agent.services.e2b_sandbox import E2BSandbox

            return await E2BSandbox.open(AsyncSandbox, sandbox_id=sandbox_id, api_key=settings.e2b_api_key,
                                         template=settings.e2b_template or None)

        return e2b

    opened: dict[str, LocalSandbox] = {}  # one per workspace for this worker's life: its app server lives on
    limits = sandbox_limits(settings)

    async def local(workspace: Path, _sandbox_id: str) -> Sandbox:
        if not state.available:
            raise conf.SandboxUnavailable(state.problem)
        key = str(workspace)
        if key not in opened:
            opened[key] = LocalSandbox(workspace, limits=limits, confinement=state.confinement,
                                       sockets=settings.sockets_dir, quota=True)
        return opened[key]

    async def close_all() -> None:
        for sandbox in opened.values():
            await sandbox.close()
        opened.clear()

    local.close_all = close_all  # the worker's shutdown stops every app server it started
    local.sandboxes = opened  # the idle sweep looks at their apps
    return local


def email_sender(settings: Settings) -> Email:
    """SMTP when SMTP_HOST is set, else the local outbox under DATA_DIR."""
    if settings.email_backend == "smtp":
        return SMTPEmail(host=settings.smtp_host, port=settings.smtp_port, sender=settings.email_from,
                         username=settings.smtp_username, password=settings.smtp_password,
                         starttls=settings.smtp_starttls)
    return LocalOutbox(settings.outbox_dir, settings.email_from)
