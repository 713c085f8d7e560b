"""Pure guards of the agent loop: the iteration cap, repetition detection, and truncating large
tool results once, when they are appended (never later, which would break the prompt cache)."""

from __future__ import annotations

import hashlib
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

REPEAT_LIMIT = 3  # the same call this many times ...
REPEAT_WINDOW = 10  # ... within this many calls halts the loop
TRUNCATE_TOKENS = 1000  # results longer than this are cut ...
KEEP_TOKENS = 500  # ... to their first and last this many tokens
CHARS_PER_TOKEN = 4


def call_signature(name: str, arguments: dict[str, Any]) -> str:
    """A stable fingerprint of a tool call: the tool and its arguments, key order ignored."""
    canonical = json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)
    return f"{name}:{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


@dataclass
class RepetitionGuard:
    """Remembers the last calls; `seen` says whether this call makes a repetition that must halt."""

    limit: int = REPEAT_LIMIT
    window: int = REPEAT_WINDOW
    recent: deque[str] = field(default_factory=deque)

    def seen(self, name: str, arguments: dict[str, Any]) -> str | None:
        """Record a call; its signature when it is the `limit`-th identical call in the window."""
        signature = call_signature(name, arguments)
        self.recent.append(signature)
        while len(self.recent) > self.window:
            self.recent.popleft()
        return signature if self.recent.count(signature) >= self.limit else None

    def to_json(self) -> list[str]:
        return list(self.recent)

    @classmethod
    def from_json(cls, recent: list[str]) -> RepetitionGuard:
        return cls(recent=deque(recent))


def over_cap(tool_calls: int, cap: int) -> bool:
    return cap > 0 and tool_calls >= cap


def estimate_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def truncate_result(text: str, *, limit: int = TRUNCATE_TOKENS, keep: int = KEEP_TOKENS) -> str:
    """Text over `limit` tokens keeps its first and last `keep` tokens with a marker saying how many
    lines were left out in between; shorter text is returned unchanged."""
    if estimate_tokens(text) <= limit:
        return text
    head_chars = tail_chars = keep * CHARS_PER_TOKEN
    head, middle, tail = text[:head_chars], text[head_chars:-tail_chars], text[-tail_chars:]
    omitted = middle.count("\n") + 1
    return f"{head}\n[{omitted} lines omitted]\n{tail}"
