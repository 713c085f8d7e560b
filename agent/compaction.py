"""Keeping the build's conversation inside the model's context window.

Every model call sends the whole conversation, so it grows by every tool call and result; a long
build would reach the window (200k tokens for Sonnet) and fail, and each call near it re-reads
~180k tokens (the forecast benchmark's replayed builds ended at 170-190k). When the last request
was COMPACT_AT tokens or more, the loop replaces the conversation with its first message, a summary
of everything before the last KEEP_STEPS steps, and those steps word for word:

- the founder's decisions and other notes added to the conversation (`build_job.tell`), verbatim;
- one line per earlier action (its label and how it ended), the latest MAX_ACTIONS of them;
- the agent's own latest narration, and the phase it is in;
- a reminder that the workspace holds everything written so far (it can read any file back).

No model call is spent on it: the summary is built from the conversation itself, so it is the same
however often it is made, and what it holds is carried in the checkpoint (`state.extra["compacted"]`)
so a second compaction extends the first instead of summarising a summary.
"""

from __future__ import annotations

import re
from typing import Any

from agent import tools

COMPACT_AT = 120_000  # tokens of the last request: compact before the next call
KEEP_STEPS = 6  # the latest steps (a call and its results) kept word for word
MAX_ACTIONS = 80  # earlier actions listed in the summary, the latest first to be kept
MAX_NOTES = 20  # the founder's notes kept (the latest)
HEADER = "Summary of this build so far"


def summarised_steps(messages: list[dict[str, Any]]) -> int:
    """How many steps the conversation's summary stands for (0 when it was never compacted)."""
    first = messages[0]["content"] if messages else ""
    text = " ".join(b.get("text", "") for b in first if isinstance(b, dict)) if isinstance(first, list) else ""
    found = re.search(rf"\[{HEADER}: .*?(\d+) earlier steps are summarised", text)
    return int(found.group(1)) if found else 0


def context_tokens(usage: Any) -> int:
    """How large the request that produced `usage` was (everything the model read)."""
    return usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens


def due(extra: dict[str, Any], messages: list[dict[str, Any]]) -> bool:
    return extra.get("context_tokens", 0) >= COMPACT_AT and len(messages) > 1 + 2 * KEEP_STEPS


def _result_line(block: dict[str, Any]) -> str:
    content = block.get("content", "")
    if isinstance(content, list):
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    first = next((line.strip() for line in str(content).splitlines() if line.strip()), "")
    return ("failed: " if block.get("is_error") else "") + first[:140]


def _digest(steps: list[dict[str, Any]], carried: dict[str, Any]) -> dict[str, Any]:
    """What the summary carries: the earlier digest extended by these messages."""
    actions, notes = list(carried.get("actions", [])), list(carried.get("notes", []))
    narration, results = carried.get("narration", ""), {}
    for message in steps:
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_result":
                results[block.get("tool_use_id")] = _result_line(block)
            elif block.get("type") == "text" and message["role"] == "user":
                notes.append(block.get("text", "").strip())
    for message in steps:
        if message["role"] != "assistant" or not isinstance(message.get("content"), list):
            continue
        for block in message["content"]:
            if block.get("type") == "text" and block.get("text", "").strip():
                narration = block["text"].strip()[:400]
            elif block.get("type") == "tool_use":
                label = tools.call_label(block.get("name", ""), block.get("input") or {})
                actions.append(f"{label} -> {results.get(block.get('id'), 'no result')}")
    earlier = carried.get("earlier_actions", 0) + max(0, len(actions) - MAX_ACTIONS)
    return {"actions": actions[-MAX_ACTIONS:], "earlier_actions": earlier, "notes": notes[-MAX_NOTES:],
            "narration": narration, "steps": carried.get("steps", 0) + sum(m["role"] == "assistant" for m in steps)}


def summary_text(digest: dict[str, Any], phase: dict[str, Any]) -> str:
    lines = [f"[{HEADER}: the conversation was shortened to stay within the context window. "
             f"{digest['steps']} earlier steps are summarised here; the latest steps follow word for word.]"]
    if phase.get("number"):
        lines.append(f"Current phase: {phase['number']} ({phase.get('title', '')}).")
    if digest["notes"]:
        lines.append("The founder's decisions and other notes, word for word:")
        lines += [f"- {note}" for note in digest["notes"]]
    lines.append("What was done, oldest first" + (f" ({digest['earlier_actions']} earlier actions not listed)"
                                                  if digest["earlier_actions"] else "") + ":")
    lines += [f"- {action}" for action in digest["actions"]]
    if digest["narration"]:
        lines.append(f"Your last note before the latest steps: {digest['narration']}")
    lines.append("Everything written so far is in the workspace: read a file before changing it, and do not redo "
                 "work listed above.")
    return "\n".join(lines)


def compact(messages: list[dict[str, Any]], extra: dict[str, Any], phase: dict[str, Any]) -> list[dict[str, Any]]:
    """The shortened conversation (the first message, the summary, the latest steps); the digest is
    kept in `extra["compacted"]` for the next time."""
    tail_start = len(messages) - 2 * KEEP_STEPS
    while tail_start < len(messages) and messages[tail_start]["role"] != "assistant":
        tail_start += 1  # the kept steps start with a call, so every result follows its call
    digest = _digest(messages[1:tail_start], extra.get("compacted", {}))
    extra["compacted"] = digest
    first = messages[0]["content"]
    opening = first if isinstance(first, list) else [{"type": "text", "text": str(first)}]
    opening = [block for block in opening if not str(block.get("text", "")).startswith(f"[{HEADER}")]
    return [{"role": "user", "content": [*opening, {"type": "text", "text": summary_text(digest, phase)}]},
            *messages[tail_start:]]
