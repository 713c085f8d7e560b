"""What every tool shares: the result value, the context the tools act on and the spec helper.

Every call returns a `ToolResult` (errors included: the model reads them and tries another way);
nothing raises through the loop. Each result carries a human label for the activity feed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from agent import events as ev
from agent.healing import HealNote
from agent.services.sandbox import Sandbox


@dataclass(frozen=True)
class ToolResult:
    content: str
    label: str
    is_error: bool = False
    uncut: bool = False  # already sized for the model (a read with offset and limit): never middle-cut
    image: bytes | None = None  # a JPEG the model looks at (a screenshot), sent with the text


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
    # a call that worked: the failures it had met are solved (their approaches start again)
    on_success: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None
    # the plan's phases not done yet ("3. Log harvests"); None: the loop takes a final reply as done
    pending_phases: Callable[[], Awaitable[list[str]]] | None = None
    sees_images: bool = True  # screenshots come back as pictures (the offline co-founder has no eyes)
    # after a failed call: a workspace found lost is restored, and what to tell the model ("" if not lost)
    recover: Callable[[], Awaitable[str]] | None = None


def spec(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"name": name, "description": description,
            "input_schema": {"type": "object", "properties": properties, "required": required}}


def text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
