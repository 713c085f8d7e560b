"""Self-healing rules (pure): the signature of a failure, what counts as a new approach, when to stop
and ask the founder, and the words for the model and for the founder.

A failure's signature is `{error_type}:{hash of the normalised message}`: numbers, paths, addresses and
quoted names are blanked first, so the same problem on another line or port is the same signature.
Each signature gets MAX_APPROACHES different approaches; an approach is the exact call (tool and
arguments), so repeating one verbatim does not count as trying something new. After the last one
fails the agent stops and escalates. The attempts are kept in the database (`run_store`), so a
signature that already used its approaches escalates at once after a sleep or a restart.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from agent.founder_safe import redact, strip_ansi
from agent.guards import call_signature

MAX_APPROACHES = 3
# tools whose failures never count towards stopping a build: a screenshot is best effort, and a
# lookup that finds nothing (a missing file, no match) is exploring, not a failed attempt at a fix
# Tools whose refusals are guidance, not a failed approach: they never count towards an escalation
# ("plan": a phase nothing checked yet is refused with what to do; the repetition guard stops loops).
BEST_EFFORT_TOOLS = frozenset({"take_screenshot", "read_file", "grep", "glob", "plan"})
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[\w.@+-]+){2,}/?")
_EXCEPTION = re.compile(r"\b([A-Z][A-Za-z]*(?:Error|Exception|Failure|Refused|Timeout))\b")
_BLANKS = [
    (re.compile(r"0x[0-9a-fA-F]+"), "<addr>"),
    (re.compile(r"(?:[A-Za-z]:)?(?:/[\w.@+-]+)+/?"), "<path>"),
    (re.compile(r"\b\d+(?:\.\d+)*\b"), "<n>"),
    (re.compile(r"[\"'“‘][^\"'”’\n]{1,80}[\"'”’]"), "<name>"),
    (re.compile(r"\s+"), " "),
]


@dataclass(frozen=True)
class Failure:
    error_type: str
    signature: str
    message: str  # the line that says what went wrong, for people


@dataclass(frozen=True)
class HealNote:
    """What the loop does with a failure: tell the model (`note`), show the founder (`attempt` of
    MAX_APPROACHES), and whether to stop and escalate."""

    signature: str
    attempt: int
    new_approach: bool
    escalate: bool
    note: str
    tried: list[str]
    message: str


_PYTEST_FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+?)(?: - (.*))?$", re.MULTILINE)
_UNITTEST_FAILED = re.compile(r"^(?:FAIL|ERROR): (\w+) \(([\w.]+)\)", re.MULTILINE)
_RAISED = re.compile(r"^\s*((?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Failure|Exit|Interrupt)\b:?.*)$", re.MULTILINE)


def failure_line(output: str) -> str:
    """The meaningful error of a failure's output, never its summary: the failing tests by name (pytest,
    unittest) with the first one's error, else the exception a traceback ends with, else the last line
    naming an error, else the last line. Two different failing tests give two different lines."""
    failed = _PYTEST_FAILED.findall(output)
    if failed:
        names = sorted({name for name, _ in failed})
        why = next((message for _, message in failed if message), "")
        return (", ".join(names)[:200] + (f" - {why}" if why else ""))[:300]
    unit = _UNITTEST_FAILED.findall(output)
    if unit:
        names = sorted({f"{where}.{name}" if not where.endswith(name) else where for name, where in unit})
        raised = _RAISED.findall(output)
        return (", ".join(names)[:200] + (f" - {raised[-1].strip()}" if raised else ""))[:300]
    raised = _RAISED.findall(output)
    if raised:
        return raised[-1].strip()[:300]
    lines = [line.strip() for line in output.strip().splitlines() if line.strip() and not line.startswith("[")]
    for line in reversed(lines):
        if _EXCEPTION.search(line) or "error" in line.lower() or "failed" in line.lower():
            return line[:300]
    return (lines[-1] if lines else output.strip())[:300]


def normalise(message: str) -> str:
    text = message
    for pattern, blank in _BLANKS:
        text = pattern.sub(blank, text)
    return text.strip().lower()


def classify(tool: str, output: str) -> Failure:
    line = failure_line(output)
    named = _EXCEPTION.search(line) or _EXCEPTION.search(output)
    error_type = named.group(1) if named else f"{tool}_failed"
    digest = hashlib.sha256(normalise(line).encode()).hexdigest()[:12]
    return Failure(error_type=error_type, signature=f"{error_type}:{digest}"[:120], message=line)


def approach_key(tool: str, arguments: dict[str, Any], workspace: int = 0) -> str:
    """An approach: the call on the workspace as it was (the same test run after a different fix is
    a new approach; the same call on an unchanged workspace is not)."""
    return f"{call_signature(tool, arguments)}@{workspace}"


def decide(tried: list[dict[str, str]], key: str, label: str, message: str, signature: str,
           call: str = "") -> tuple[list[dict[str, str]], HealNote]:
    """The approaches after this failure, and what to do about it. `key` is the approach (the call
    and the state of the workspace it ran on), `call` the call alone (a later success of it means
    the problem is solved)."""
    new = all(t["key"] != key for t in tried)
    if new and len(tried) < MAX_APPROACHES:
        tried = [*tried, {"key": key, "label": label, "call": call}]
    attempt = len(tried)
    escalate = attempt >= MAX_APPROACHES
    labels = [t["label"] for t in tried]
    listed = "; ".join(f"{i + 1}) {text}" for i, text in enumerate(labels))
    if escalate:
        note = (f"This failure ({signature}) has now defeated {attempt} different approaches: {listed}. "
                "Stop working on it: the founder is being asked how to go on.")
    elif not new:
        note = (f"This failure ({signature}) was already met by exactly this call, so it is not a new approach "
                f"(still {attempt} of {MAX_APPROACHES}). Tried so far: {listed}. Try something different.")
    else:
        note = (f"This failure ({signature}) is attempt {attempt} of {MAX_APPROACHES}. Tried so far: {listed}. "
                "The next try must take a different approach; repeating one of these does not count.")
    return tried, HealNote(signature=signature, attempt=attempt, new_approach=new, escalate=escalate, note=note,
                           tried=labels, message=message)


def _for_people(message: str) -> str:
    text = redact(strip_ansi(message))
    return _PATH.sub("a file", text).strip()[:200]


def escalation(note: HealNote, phase_title: str) -> dict[str, Any]:
    """The founder's question: the problem in plain English, the attempts, a recommendation, options."""
    where = f" while working on “{phase_title}”" if phase_title else ""
    part = f"“{phase_title}”" if phase_title else "this part"
    simpler, skip = f"Try a simpler version of {part}", f"Skip {part} for now and build the rest"
    checks = bool(_PYTEST_FAILED.search(note.message) or "test" in note.message.lower())
    # a failing check of the feature: a simpler version usually passes; a tool or setup problem: move on
    recommendation = simpler if checks else skip
    return {
        "problem": (f"I hit a problem{where} that I couldn't fix after {len(note.tried)} different tries. "
                    f"The error says: “{_for_people(note.message)}”"),
        "attempts": note.tried,
        "recommendation": recommendation,
        "options": [recommendation, skip if checks else simpler, "Stop the build here"],
    }
