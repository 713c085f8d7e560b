"""The agent's tools: their specs for the Messages API and their dispatch onto a sandbox.

Every call returns a `ToolResult` value (errors included: the model reads them and tries another
way); nothing raises through the loop. Each result carries a human label for the activity feed
("Wrote 47 lines to app/main.py", "Ran the tests: exit code 0").
"""

from __future__ import annotations

import asyncio
import fnmatch
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from agent import events as ev
from agent import secret_scan
from agent.build_events import DOC_NAMES, doc_name
from agent.healing import HealNote
from agent.founder_safe import clean_output, document_problem, narration_problem, redact
from agent.services import app_http
from agent.services.sandbox import APP_LOG, PathRefused, Sandbox, SandboxError

DOC_KINDS = tuple(DOC_NAMES)
SLOW_TOOLS = frozenset({"bash", "start_app", "take_screenshot", "grep"})
MIN_SCREENSHOT_BYTES = 5_000
LOG_CHARS = 20_000  # the end of a command's output kept in the technical log
SERVE_SECONDS = 15.0  # how long a started app has to answer before start_app reports it did not start


@dataclass(frozen=True)
class ToolResult:
    content: str
    label: str
    is_error: bool = False


class PhaseNotChecked(Exception):
    """A phase the agent wants to mark done that nothing has checked (see run_store.unchecked)."""


@dataclass
class ToolContext:
    """What the tools act on; built by the worker for each run (a scripted stand-in in tests)."""

    sandbox: Sandbox
    emit: Callable[[ev.Event], Awaitable[None]]
    save_doc: Callable[[str, str], Awaitable[None]]  # (kind, text)
    save_screenshot: Callable[[str, bytes], Awaitable[str]]  # (name, png) -> storage key
    capture: Callable[[str, str], Awaitable[bytes]]  # (app address, path) -> png
    move_phase: Callable[[int, str], Awaitable[str]]  # (phase number, "in_progress" | "done") -> title
    phase: dict[str, Any] = field(default_factory=lambda: {"number": 0, "title": ""})
    # a failed call -> what self-healing says about it (agent/healing.py); None: no self-healing
    on_failure: Callable[[str, dict[str, Any], str], Awaitable[HealNote]] | None = None


def _spec(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"name": name, "description": description,
            "input_schema": {"type": "object", "properties": properties, "required": required}}


_S = {"type": "string"}
SPECS = [
    _spec("read_file", "Read a text file of the project.", {"path": _S}, ["path"]),
    _spec("write_file", "Create or replace a file of the project.", {"path": _S, "content": _S}, ["path", "content"]),
    _spec("edit_file", "Replace one exact piece of text in a file; it must appear exactly once.",
          {"path": _S, "old": _S, "new": _S}, ["path", "old", "new"]),
    _spec("bash", "Run a shell command in the project folder (no network).",
          {"command": _S, "timeout": {"type": "integer", "minimum": 1, "maximum": 600}}, ["command"]),
    _spec("grep", "Search the project's files for a regular expression.", {"pattern": _S, "path": _S}, ["pattern"]),
    _spec("glob", "List the project's files matching a pattern such as **/*.py.", {"pattern": _S}, ["pattern"]),
    _spec("start_app", "Start the app's server in the background on the given port.",
          {"command": _S, "port": {"type": "integer"}}, ["command", "port"]),
    _spec("take_screenshot", "Screenshot a page of the running app.", {"path": _S, "name": _S}, ["path", "name"]),
    _spec("narrate", "Tell the founder, in one plain first-person sentence, what you are doing.", {"text": _S}, ["text"]),
    _spec("document", "Write a founder-facing document: overview, features, getting_started or faq. "
          "Plain words only: no code, commands or file paths.",
          {"kind": {"type": "string", "enum": list(DOC_KINDS)}, "content": _S}, ["kind", "content"]),
    _spec("plan", "Start or complete a phase of the build plan (numbered from 1).",
          {"action": {"type": "string", "enum": ["start", "complete"]}, "phase": {"type": "integer"}},
          ["action", "phase"]),
]
TOOL_NAMES = [spec["name"] for spec in SPECS]


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


async def _read_file(ctx: ToolContext, path: str) -> ToolResult:
    content = _text(await ctx.sandbox.read_file(path))
    return ToolResult(content, f"Read {path}")


async def _write_file(ctx: ToolContext, path: str, content: str) -> ToolResult:
    await ctx.sandbox.write_file(path, content.encode())
    lines = content.count("\n") + (0 if content.endswith("\n") or not content else 1)
    said = f"{lines} line{'' if lines == 1 else 's'}"
    return ToolResult(f"Wrote {said} to {path}.", f"Wrote {said} to {path}")


async def _edit_file(ctx: ToolContext, path: str, old: str, new: str) -> ToolResult:
    text = _text(await ctx.sandbox.read_file(path))
    count = text.count(old) if old else 0
    if count != 1:
        why = "was not found" if count == 0 else f"appears {count} times"
        return ToolResult(f"The text to replace {why} in {path}; give an exact piece that appears once.",
                          f"Could not edit {path}", is_error=True)
    await ctx.sandbox.write_file(path, text.replace(old, new, 1).encode())
    return ToolResult(f"Edited {path}.", f"Edited {path}")


async def _bash(ctx: ToolContext, command: str, timeout: int = 120) -> ToolResult:
    result = await ctx.sandbox.run(command, timeout=min(max(int(timeout), 1), 600))
    output = clean_output(result.output)
    status = "timed out" if result.timed_out else f"exit code {result.exit_code}"
    await ctx.emit(ev.LogOutput(command=redact(command), text=output[-LOG_CHARS:], status=status))
    label = f"Ran “{command[:60]}”: {status}"
    return ToolResult(f"[{status}]\n{output}", label, is_error=result.exit_code != 0)


async def _grep(ctx: ToolContext, pattern: str, path: str = ".") -> ToolResult:
    where = "." if path in ("", ".") else shlex.quote(path)
    result = await ctx.sandbox.run(f"grep -rnIE --exclude-dir=.git -e {shlex.quote(pattern)} {where} | head -200",
                                   timeout=30)
    found = clean_output(result.output).strip()
    return ToolResult(found or "No matches.", f"Searched the code for “{pattern[:40]}”")


async def _glob(ctx: ToolContext, pattern: str) -> ToolResult:
    files = await ctx.sandbox.list_files()
    matched = [f for f in files if fnmatch.fnmatch(f, pattern) or fnmatch.fnmatch(f, pattern.replace("**/", ""))]
    return ToolResult("\n".join(matched) or "No files match.", f"Listed files matching {pattern}")


async def _start_app(ctx: ToolContext, command: str, port: int) -> ToolResult:
    try:
        address = await ctx.sandbox.start_server(command, port=int(port))
        await app_http.wait_until_serving(address, SERVE_SECONDS)  # announced once it answers, never before
    except SandboxError as exc:
        return ToolResult(str(exc), "The app did not start", is_error=True)
    except httpx.HTTPError:
        return ToolResult(f"The app listens on port {port} but did not answer HTTP within {SERVE_SECONDS:.0f} s: "
                          "check that it is a web server and look at its output.", "The app did not start",
                          is_error=True)
    warning = await _secrets_in_code(ctx)  # before the preview is announced
    await ctx.emit(ev.PreviewReady(url=address, command=command, port=int(port)))
    return ToolResult(f"Started: the app is listening on port {port}; its output goes to {APP_LOG}.{warning}",
                      "Started the app")


async def _secrets_in_code(ctx: ToolContext) -> str:
    """Scans the project for secrets; the founder is told once per new finding, the agent every time."""
    files = {}
    for path in (await ctx.sandbox.list_files())[:500]:
        try:
            files[path] = await ctx.sandbox.read_file(path)
        except SandboxError:
            continue
    _, found = await asyncio.to_thread(secret_scan.clean, files)
    if not found:
        return ""
    seen = "|".join(sorted({f"{f.path}:{f.line}" for f in found}))  # kept in the checkpoint (JSON) with the phase
    if seen != ctx.phase.get("secrets_told"):
        ctx.phase["secrets_told"] = seen
        await ctx.emit(ev.Narration(text=secret_scan.told(found)))
    return "\n" + secret_scan.for_agent(found)


async def _take_screenshot(ctx: ToolContext, path: str, name: str) -> ToolResult:
    base = await ctx.sandbox.preview_url()
    if base is None:
        return ToolResult("The app is not running; start it first.", "Could not take a screenshot", is_error=True)
    try:
        png = await ctx.capture(base, "/" + path.lstrip("/"))
    except Exception as exc:  # a screenshot never fails the build
        return ToolResult(f"The screenshot failed ({type(exc).__name__}); carry on.", "Screenshot failed", is_error=True)
    if len(png) < MIN_SCREENSHOT_BYTES:
        return ToolResult(f"The screenshot was almost empty ({len(png)} bytes) and was discarded; is the page blank?",
                          "Discarded an empty screenshot", is_error=True)
    key = await ctx.save_screenshot(name, png)
    await ctx.emit(ev.ScreenshotTaken(key=key, name=name, phase=ctx.phase["title"]))
    return ToolResult(f"Saved screenshot {name} ({len(png):,} bytes).", f"Took a screenshot of {name}")


async def _narrate(ctx: ToolContext, text: str) -> ToolResult:
    problem = narration_problem(text)
    if problem:
        return ToolResult(problem, "Narration refused", is_error=True)
    await ctx.emit(ev.Narration(text=" ".join(text.split())))
    return ToolResult("Shown to the founder.", "Told you what I'm doing")


async def _document(ctx: ToolContext, kind: str, content: str) -> ToolResult:
    if kind not in DOC_KINDS:
        return ToolResult(f"kind must be one of {', '.join(DOC_KINDS)}.", "Document refused", is_error=True)
    problem = document_problem(content)
    if problem:
        return ToolResult(problem, "Document refused", is_error=True)
    await ctx.save_doc(kind, content)
    await ctx.emit(ev.DocWritten(kind=kind))
    return ToolResult(f"Saved the {doc_name(kind)} document.", f"Wrote the {doc_name(kind)} guide")


async def _plan(ctx: ToolContext, action: str, phase: int) -> ToolResult:
    status = {"start": "in_progress", "complete": "done"}.get(action)
    if status is None:
        return ToolResult("action must be start or complete.", "Plan unchanged", is_error=True)
    try:
        title = await ctx.move_phase(int(phase), status)
    except LookupError:
        return ToolResult(f"There is no phase {phase} in the plan.", "Plan unchanged", is_error=True)
    except PhaseNotChecked as exc:
        return ToolResult(str(exc), f"Phase {phase} not finished: not checked yet", is_error=True)
    ctx.phase.update(number=int(phase), title=title)
    event = ev.PhaseStarted if action == "start" else ev.PhaseCompleted
    await ctx.emit(event(number=int(phase), title=title))
    label = f"Started {title}" if action == "start" else f"Finished {title}"
    return ToolResult(f"Phase {phase} ({title}) is now {status.replace('_', ' ')}.", label)


_CALL_LABELS = {
    "read_file": "Reading {path}", "write_file": "Writing {path}", "edit_file": "Editing {path}",
    "bash": "Running “{command}”", "grep": "Searching the code", "glob": "Listing files",
    "start_app": "Starting the app with “{command}”", "take_screenshot": "Taking a screenshot of {name}",
    "narrate": "Updating you", "document": "Writing the {kind} guide", "plan": "Updating the plan",
}


def call_label(name: str, arguments: dict[str, Any]) -> str:
    """A short human label for a call before it runs ("Running “pytest”")."""
    template = _CALL_LABELS.get(name, name)
    try:
        return template.format(**{k: doc_name(str(v)) if k == "kind" else str(v)[:60] for k, v in arguments.items()})
    except (KeyError, IndexError):
        return "Writing a guide" if name == "document" else template.split(" {")[0]


_DISPATCH = {"read_file": _read_file, "write_file": _write_file, "edit_file": _edit_file, "bash": _bash,
             "grep": _grep, "glob": _glob, "start_app": _start_app, "take_screenshot": _take_screenshot,
             "narrate": _narrate, "document": _document, "plan": _plan}


async def dispatch(ctx: ToolContext, name: str, arguments: dict[str, Any]) -> ToolResult:
    """Runs a tool call; whatever goes wrong comes back as an error value the model can read."""
    tool = _DISPATCH.get(name)
    if tool is None:
        return ToolResult(f"There is no tool called {name}.", f"Unknown tool {name}", is_error=True)
    if not isinstance(arguments, dict):
        return ToolResult(f"The arguments for {name} must be an object.", f"Could not run {name}", is_error=True)
    try:
        return await tool(ctx, **arguments)
    except (TypeError, ValueError, AttributeError) as exc:  # a missing, extra or wrongly typed argument
        return ToolResult(f"Wrong arguments for {name}: {exc}", f"Could not run {name}", is_error=True)
    except PathRefused as exc:
        return ToolResult(str(exc), f"Refused a path for {name}", is_error=True)
    except SandboxError as exc:
        return ToolResult(str(exc), f"{name} failed", is_error=True)
    except OSError as exc:  # the file system said no: a name too long, a folder where a file was expected, full
        return ToolResult(f"{name} failed: {exc.strerror or type(exc).__name__}.", f"{name} failed", is_error=True)
    except RecursionError:
        return ToolResult(f"{name} failed: the folders are nested too deeply.", f"{name} failed", is_error=True)
