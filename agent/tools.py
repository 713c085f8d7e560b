"""The agent's tools: their specs for the Messages API and their dispatch onto a sandbox.

The file tools live in `agent/file_tools.py`, the tools for the running app in `agent/app_tools.py`,
the shared values in `agent/tool_base.py`; the tools that talk to the founder and the plan are here.
Every call returns a `ToolResult` value (errors included: the model reads them and tries another
way); nothing raises through the loop. Each result carries a human label for the activity feed
("Wrote 47 lines to app/main.py", "Ran the tests: exit code 0").
"""

from __future__ import annotations

from typing import Any

from agent import app_tools, file_tools
from agent import events as ev
from agent.build_events import DOC_NAMES, doc_name
from agent.founder_safe import clean_output, document_problem, narration_problem, redact
from agent.services.sandbox import PathRefused, SandboxError
from agent.tool_base import PhaseNotChecked, ToolContext, ToolResult, spec

__all__ = ["PhaseNotChecked", "ToolContext", "ToolResult", "SPECS", "TOOL_NAMES", "dispatch", "call_label"]

DOC_KINDS = tuple(DOC_NAMES)
SLOW_TOOLS = frozenset({"bash", "start_app", "take_screenshot", "grep", "http_check"})
LOG_CHARS = 20_000  # the end of a command's output kept in the technical log
ASK = "ask_founder"

_S, _I, _B = {"type": "string"}, {"type": "integer", "minimum": 1}, {"type": "boolean"}
SPECS = [
    spec("read_file", "Read a text file of the project. Lines come numbered (the numbers are not part of the file); "
         "a long file comes in parts: read on with offset.", {"path": _S, "offset": _I, "limit": _I}, ["path"]),
    spec("write_file", "Create or replace a file of the project. For a file too long for one reply, write the first "
         "part, then add the rest with append: true.", {"path": _S, "content": _S, "append": _B}, ["path", "content"]),
    spec("edit_file", "Replace an exact piece of text in a file (read it first). old_string must appear exactly once, "
         "unless replace_all is true.", {"path": _S, "old_string": _S, "new_string": _S, "replace_all": _B},
         ["path", "old_string", "new_string"]),
    spec("bash", "Run a shell command in the project folder (no network; the running app is reached with http_check, "
         "not curl).", {"command": _S, "timeout": {"type": "integer", "minimum": 1, "maximum": 600}}, ["command"]),
    spec("grep", "Search the project's files for a regular expression.", {"pattern": _S, "path": _S}, ["pattern"]),
    spec("glob", "List the project's files matching a pattern such as **/*.py.", {"pattern": _S}, ["pattern"]),
    spec("start_app", "Start (or restart) the app's server in the background on the given port; its output goes to "
         "app_logs.", {"command": _S, "port": {"type": "integer"}}, ["command", "port"]),
    spec("app_logs", "The last lines the running app printed (requests, errors, tracebacks).", {"lines": _I}, []),
    spec("http_check", "Request a path of the running app, as the preview does: status, main headers, the start of "
         "the body. POST sends form fields.", {"path": _S, "method": {"type": "string", "enum": ["GET", "POST", "HEAD"]},
                                               "form": {"type": "object", "additionalProperties": _S}}, ["path"]),
    spec("take_screenshot", "Screenshot a page of the running app and look at it. size: desktop (1280 px) or phone "
         "(390 px). gallery: false keeps a working shot out of the founder's gallery.",
         {"path": _S, "name": _S, "size": {"type": "string", "enum": ["desktop", "phone"]}, "gallery": _B},
         ["path", "name"]),
    spec("narrate", "Tell the founder, in one plain first-person sentence, what you are doing.", {"text": _S}, ["text"]),
    spec("document", "Write a founder-facing document: overview, features, getting_started or faq. "
         "Plain words only: no code, commands or file paths.",
         {"kind": {"type": "string", "enum": list(DOC_KINDS)}, "content": _S}, ["kind", "content"]),
    spec("plan", "Start or complete a phase of the build plan (numbered from 1).",
         {"action": {"type": "string", "enum": ["start", "complete"]}, "phase": {"type": "integer"}},
         ["action", "phase"]),
    spec(ASK, "Ask the founder a question only they can answer (a product decision, not a technical one). The build "
         "waits for the answer, which comes back in the next message. Offer 2-4 short options and say which you "
         "recommend.", {"question": _S, "options": {"type": "array", "items": _S, "maxItems": 4},
                        "recommendation": _S}, ["question"]),
]
TOOL_NAMES = [s["name"] for s in SPECS]


async def _bash(ctx: ToolContext, command: str, timeout: int = 120) -> ToolResult:
    result = await ctx.sandbox.run(command, timeout=min(max(int(timeout), 1), 600))
    output = clean_output(result.output)
    status = "timed out" if result.timed_out else f"exit code {result.exit_code}"
    await ctx.emit(ev.LogOutput(command=redact(command), text=output[-LOG_CHARS:], status=status))
    label = f"Ran “{command[:60]}”: {status}"
    return ToolResult(f"[{status}]\n{output}", label, is_error=result.exit_code != 0)


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


def founder_question(arguments: dict[str, Any]) -> dict[str, Any] | str:
    """An ask_founder call as the founder's question (problem, options, recommendation), or what is
    wrong with it."""
    asked = " ".join(str(arguments.get("question", "")).split())
    options = [" ".join(str(o).split())[:200] for o in arguments.get("options") or [] if str(o).strip()][:4]
    recommendation = " ".join(str(arguments.get("recommendation", "")).split())[:200]
    if not asked:
        return "question is empty: write the question for the founder."
    if len(asked) > 1500:
        return "The question is too long: ask it in at most a few sentences."
    if recommendation and recommendation not in options:
        options = [recommendation, *options][:4]
    return {"problem": redact(asked), "attempts": [], "options": [redact(o) for o in options],
            "recommendation": redact(recommendation or (options[0] if options else ""))}


async def _ask_founder(ctx: ToolContext, question: str, options: list[str] | None = None,
                       recommendation: str = "") -> ToolResult:
    asked = founder_question({"question": question, "options": options or [], "recommendation": recommendation})
    if isinstance(asked, str):
        return ToolResult(asked, "Question not sent", is_error=True)
    return ToolResult("Your question is with the founder. The build waits; their answer comes in the next message.",
                      "Asked you a question")


_CALL_LABELS = {
    "read_file": "Reading {path}", "write_file": "Writing {path}", "edit_file": "Editing {path}",
    "bash": "Running “{command}”", "grep": "Searching the code", "glob": "Listing files",
    "start_app": "Starting the app with “{command}”", "take_screenshot": "Taking a screenshot of {name}",
    "narrate": "Updating you", "document": "Writing the {kind} guide", "plan": "Updating the plan",
    "app_logs": "Reading the app's output", "http_check": "Checking {path}", ASK: "Asking you a question",
}


_DOING = {"read_file": "Reading a file", "write_file": "Writing a file", "edit_file": "Editing a file",
          "bash": "Running a command", "start_app": "Starting the app", "take_screenshot": "Taking a screenshot",
          "document": "Writing a guide", "http_check": "Checking a page"}


def doing_label(name: str, arguments: dict[str, Any]) -> str:
    """What a call is doing while its arguments still stream in: "Writing app/main.py" once its path
    is known, "Writing a file" before."""
    if arguments.get("path") and name in ("read_file", "write_file", "edit_file"):
        return call_label(name, {"path": arguments["path"]})
    return _DOING.get(name) or call_label(name, {})


def call_label(name: str, arguments: dict[str, Any]) -> str:
    """A short human label for a call before it runs ("Running “pytest”")."""
    template = _CALL_LABELS.get(name, name)
    try:
        return template.format(**{k: doc_name(str(v)) if k == "kind" else str(v)[:60] for k, v in arguments.items()})
    except (KeyError, IndexError):
        return "Writing a guide" if name == "document" else template.split(" {")[0]


_DISPATCH = {"read_file": file_tools.read_file, "write_file": file_tools.write_file, "edit_file": file_tools.edit_file,
             "bash": _bash, "grep": file_tools.grep, "glob": file_tools.glob, "start_app": app_tools.start_app,
             "app_logs": app_tools.app_logs, "http_check": app_tools.http_check,
             "take_screenshot": app_tools.take_screenshot, "narrate": _narrate, "document": _document, "plan": _plan,
             ASK: _ask_founder}


async def dispatch(ctx: ToolContext, name: str, arguments: dict[str, Any]) -> ToolResult:
    """Runs a tool call; whatever goes wrong comes back as an error value the model can read."""
    tool = _DISPATCH.get(name)
    if tool is None:
        return ToolResult(f"There is no tool called {name}.", f"Unknown tool {name}", is_error=True)
    if not isinstance(arguments, dict):
        return ToolResult(f"The arguments for {name} must be an object.", f"Could not run {name}", is_error=True)
    try:
        return await tool(ctx, **arguments)
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:  # a missing, extra or wrongly typed argument
        return ToolResult(f"Wrong arguments for {name}: {exc}", f"Could not run {name}", is_error=True)
    except PathRefused as exc:
        return ToolResult(str(exc), f"Refused a path for {name}", is_error=True)
    except SandboxError as exc:
        return ToolResult(str(exc), f"{name} failed", is_error=True)
    except OSError as exc:  # the file system said no: a name too long, a folder where a file was expected, full
        return ToolResult(f"{name} failed: {exc.strerror or type(exc).__name__}.", f"{name} failed", is_error=True)
    except RecursionError:
        return ToolResult(f"{name} failed: the folders are nested too deeply.", f"{name} failed", is_error=True)
