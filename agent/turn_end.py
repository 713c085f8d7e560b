"""How a model turn ends, read the way a real model ends them: a final reply is accepted only when
the plan is done and the app runs (else a short nudge, and after NUDGES of them the founder is asked);
a reply cut at `max_tokens` never runs its cut call; a refusal and a full context window are handled
by the loop (`agent/loop.py`) with what is here."""

from __future__ import annotations

from typing import Any

from agent.tool_base import ToolContext

NUDGES = 2  # final replies with work left that get a nudge; the next one asks the founder
CUT_CALL = ("Not run: your reply reached the output limit while writing this call, so its arguments are cut "
            "off. Write large files in parts: write_file with the first part, then write_file with append: true "
            "for each further part.")
CUT_TEXT = "Your reply was cut off at the output limit. Go on from where it stopped, in smaller steps."


async def unfinished(context: ToolContext) -> str:
    """What is left to do, in words ("" when nothing is: the build may end)."""
    if context.pending_phases is None:
        return ""
    pending = await context.pending_phases()
    running = await context.sandbox.preview_url() is not None
    left = []
    if pending:
        shown = ", ".join(pending[:4]) + (f" and {len(pending) - 4} more" if len(pending) > 4 else "")
        left.append(f"{'these phases are' if len(pending) > 1 else 'this phase is'} not done: {shown}")
    if not running:
        left.append("the app is not running (start it with start_app)")
    return "; and ".join(left)


def nudge(left: str) -> str:
    return (f"You ended your turn without a tool call, but {left}. Carry on with the next step now. If only "
            "the founder can decide something, call ask_founder with your question rather than ending your turn.")


def cut_call(content: tuple[Any, ...], stop_reason: str) -> str | None:
    """The id of the tool call the output limit cut off (the turn's last block), if any."""
    if stop_reason != "max_tokens" or not content:
        return None
    last = content[-1]
    return last.id if getattr(last, "type", "") == "tool_use" else None


def say(messages: list[dict[str, Any]], text: str) -> None:
    """Adds a note for the model to the conversation's last user message (after its tool results), or
    as a new user message after an assistant turn."""
    block = {"type": "text", "text": text}
    last = messages[-1] if messages else None
    if last is not None and last.get("role") == "user" and isinstance(last.get("content"), list):
        last["content"].append(block)
    elif last is not None and last.get("role") == "user":
        last["content"] = [{"type": "text", "text": str(last["content"])}, block]
    else:
        messages.append({"role": "user", "content": [block]})
