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


def failure_line(output: str) -> str:
    """The most telling line of a failure's output: the last one naming an error, else the last line."""
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


def approach_key(tool: str, arguments: dict[str, Any]) -> str:
    return call_signature(tool, arguments)


def decide(tried: list[dict[str, str]], key: str, label: str, message: str, signature: str) -> tuple[list[dict[str, str]], HealNote]:
    """The approaches after this failure, and what to do about it."""
    new = all(t["key"] != key for t in tried)
    if new and len(tried) < MAX_APPROACHES:
        tried = [*tried, {"key": key, "label": label}]
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
    options = ["Skip this part for now and carry on with the rest",
               "Try a simpler version of this feature",
               "Stop the build here"]
    return {
        "problem": (f"I hit a problem{where} that I couldn't fix after {len(note.tried)} different tries. "
                    f"The error says: “{_for_people(note.message)}”"),
        "attempts": note.tried,
        "recommendation": options[0],
        "options": options,
    }
