"""The co-founder's brain: one protocol for a streamed Messages-API turn.

A turn takes a system prompt, the conversation and optional tools, and returns the content blocks
(text and tool calls), the stop reason and the usage with its cache fields. Two adapters implement
it: the Anthropic SDK (`anthropic_llm.py`, used when ANTHROPIC_API_KEY is set) and the offline
co-founder (`agent/offline.py`, deterministic and rule-based, the default). Every model call runs in
the worker, never in a web handler.

Journey prompts end with a `<context>` JSON block (see `context_block`): Claude reads it as part
of the prompt, and the offline co-founder reads the same data to apply its rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# (kind, chunk): kind is "text" for streamed prose, "tool" when a tool call begins (chunk: its name),
# "tool_input" for that call's streamed JSON.
OnDelta = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0


@dataclass(frozen=True)
class TextBlock:
    text: str
    type: str = "text"


@dataclass(frozen=True)
class ToolUse:
    id: str
    name: str
    input: dict[str, Any]
    type: str = "tool_use"


Block = TextBlock | ToolUse


@dataclass(frozen=True)
class Turn:
    content: tuple[Block, ...]
    stop_reason: str  # end_turn / tool_use / max_tokens / stop_sequence
    usage: Usage
    model: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(b.text for b in self.content if isinstance(b, TextBlock))

    @property
    def tool_uses(self) -> list[ToolUse]:
        return [b for b in self.content if isinstance(b, ToolUse)]

    def tool_input(self, name: str) -> dict[str, Any] | None:
        return next((b.input for b in self.tool_uses if b.name == name), None)

    def to_message(self) -> dict[str, Any]:
        """This turn as the assistant message of the next request."""
        blocks: list[dict[str, Any]] = []
        for b in self.content:
            if isinstance(b, TextBlock):
                blocks.append({"type": "text", "text": b.text})
            else:
                blocks.append({"type": "tool_use", "id": b.id, "name": b.name, "input": b.input})
        return {"role": "assistant", "content": blocks}


class LLMError(Exception):
    """A model call failed; the message is written for the founder. `retryable` says whether
    trying again later may help (rate limits, overload, a dropped or stalled stream) or not (a refused
    key); `retry_after` is how long the API asked us to wait (seconds), when it said; `account` marks
    a limit of the operator's Anthropic account (a spend limit), which waiting an hour will not lift."""

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None,
                 account: bool = False, too_long: bool = False):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.account = account
        self.too_long = too_long  # the conversation outgrew the model's window: condense it and go on


class LLM(Protocol):
    label: str  # what the founder sees: "Claude (claude-sonnet-4-5)" or "offline co-founder"
    model: str
    offline: bool

    async def turn(
        self,
        *,
        system: str,
        messages: list[dict[str, Any]],
        tools: Sequence[dict[str, Any]] = (),
        tool_choice: dict[str, Any] | None = None,
        max_tokens: int = 4096,
        on_delta: OnDelta | None = None,
    ) -> Turn: ...


def force_tool(name: str) -> dict[str, Any]:
    return {"type": "tool", "name": name}


CONTEXT_RE = re.compile(r"<context>\s*(\{.*\})\s*</context>", re.DOTALL)


def context_block(data: dict[str, Any]) -> str:
    return f"<context>\n{json.dumps(data, ensure_ascii=False, indent=1)}\n</context>"


def read_context(messages: list[dict[str, Any]], system: str = "") -> dict[str, Any]:
    """The JSON of the last `<context>` block in the user messages, else in the system prompt."""
    for message in reversed(messages):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        texts = [content] if isinstance(content, str) else [
            b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text"
        ]
        for text in reversed(texts):
            match = CONTEXT_RE.search(text)
            if match:
                return json.loads(match.group(1))
    match = CONTEXT_RE.search(system)
    return json.loads(match.group(1)) if match else {}


def estimate_tokens(text: str) -> int:
    """A rough token count (4 characters a token), for the offline co-founder's usage."""
    return max(1, len(text) // 4)
