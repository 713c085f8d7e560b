"""What a build slice gives its tools (`tools.ToolContext`): the run's docs, screenshots, plan and
self-healing, each written through to the database, object storage or a snapshot."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from agent import healing, snapshots, tools
from agent import journey_store as js
from agent import run_store as rs
from agent.founder_safe import redact
from agent.guards import call_signature
from agent.models import Project
from agent.services.sandbox import Sandbox

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from agent.build_job import BuildDeps, SeqEmitter


def tool_context(deps: BuildDeps, project: Project, run_id: int, sandbox: Sandbox,
                 emit: SeqEmitter) -> tools.ToolContext:
    """The tools' view of the run: where docs and screenshots go, how phases move (a snapshot at each
    phase's end) and how a failure is booked for self-healing."""
    prefix = project.files_prefix()

    async def save_doc(kind: str, text: str) -> None:
        def _save(s):
            current = js.latest(s, project_id=project.id, kind="docs")
            content = {**(current.content if current else {}), kind: text}
            js.save_version(s, project_id=project.id, kind="docs", content=content, author=deps.llm.label)

        await deps.db.run(_save)  # (save_version redacts what it stores): the guide is saved here
        try:  # the file copy is best-effort: the pack is built from the database's version
            await deps.storage.put(f"{prefix}docs/{kind}.md", redact(text).encode(), content_type="text/markdown")
        except Exception as exc:
            log.warning("could not store the %s guide of run %s: %r", kind, run_id, exc)

    async def save_screenshot(name: str, png: bytes) -> str:
        key = f"{prefix}screenshots/run-{run_id}/{emit.state.next_seq:05d}-{tools_slug(name)}.png"
        await deps.storage.put(key, png, content_type="image/png")
        return key

    async def move_phase(number: int, status: str) -> str:
        def _move(s):
            phases = js.plan_phases(s, project_id=project.id)
            if not 1 <= number <= len(phases):
                raise LookupError(number)
            why = rs.unchecked(s, run_id=run_id, number=number) if status == "done" else ""
            if why:  # nothing is shown as done that was not checked
                raise tools.PhaseNotChecked(why)
            phase = phases[number - 1]
            js.update_phase(s, project_id=project.id, phase_id=phase.id, status=status)
            return phase.title

        title = await deps.db.run(_move)
        if status == "done":  # a phase boundary: keep the workspace as it is now
            await snapshots.keep(deps.storage, sandbox, emit.state.extra, storage_prefix=prefix, run_id=run_id,
                                 number=emit.state.next_seq, label=f"the end of phase {number}: {title}", say=emit.say)
        return title

    async def on_failure(tool: str, arguments: dict, output: str, workspace: int = 0) -> healing.HealNote:
        failure = healing.classify(tool, output)
        key, label = healing.approach_key(tool, arguments, workspace), tools.call_label(tool, arguments)
        call = call_signature(tool, arguments)
        return await deps.db.run(lambda s: rs.record_failure(s, run_id=run_id, failure=failure, key=key, label=label,
                                                             call=call))

    async def on_success(tool: str, arguments: dict) -> None:
        call = call_signature(tool, arguments)
        await deps.db.run(lambda s: rs.solved(s, run_id=run_id, call=call))

    async def pending_phases() -> list[str]:
        phases = await deps.db.run(lambda s: js.plan_phases(s, project_id=project.id))
        return [f"{n}. {p.title}" for n, p in enumerate(phases, start=1) if p.status != "done"]

    async def recover() -> str:
        return await snapshots.recover(deps.storage, sandbox, storage_prefix=prefix, run_id=run_id, say=emit.say)

    return tools.ToolContext(sandbox=sandbox, emit=emit, save_doc=save_doc, save_screenshot=save_screenshot,
                             capture=deps.capture, move_phase=move_phase, on_failure=on_failure,
                             on_success=on_success, pending_phases=pending_phases,
                             sees_images=not deps.llm.offline, recover=recover)


def tools_slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:40] or "page"
