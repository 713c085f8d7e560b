"""Pure guards of the agent loop: the iteration cap, repetition detection, and truncating large
tool results once, when they are appended (never later, which would break the prompt cache)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

REPEAT_LIMIT = 3  # the same call with the same result, the workspace unchanged, this many times ...
REPEAT_WINDOW = 10  # ... within this many calls halts the loop
TRUNCATE_TOKENS = 1000  # results longer than this are cut ...
KEEP_TOKENS = 500  # ... to their first and last this many tokens
CHARS_PER_TOKEN = 4


def call_signature(name: str, arguments: dict[str, Any]) -> str:
    """A stable fingerprint of a tool call: the tool and its arguments, key order ignored."""
    canonical = json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)
    return f"{name}:{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


CHANGES_FILES = frozenset({"write_file", "edit_file"})


# what changes between two runs of the same thing: decimals and durations, clock times, long numbers
# (process ids, ports, addresses); counts ("3 failed", "1 failed") are kept: they show progress
_NOISE = re.compile(r"\d+\.\d+|\b\d+\s?(?:ms|s|sec|seconds)\b|\b\d{1,2}:\d{2}(?::\d{2})?\b|\d{5,}|0x[0-9a-f]+")


def _digest(text: str) -> str:
    """A result's fingerprint without its timings: "1 failed in 0.31s" and "1 failed in 0.29s" are the same."""
    return hashlib.sha256(_NOISE.sub("#", text).encode("utf-8", "replace")).hexdigest()[:12]


@dataclass
class RepetitionGuard:
    """Remembers the last calls with their results; `after` says whether this call, with this result,
    makes a repetition that must halt. A call repeats only when its arguments and its result are the
    same and the workspace did not change in between (a write that changed a file, an edit), so
    running the same tests after each fix is work, not a loop."""

    limit: int = REPEAT_LIMIT
    window: int = REPEAT_WINDOW
    recent: deque[str] = field(default_factory=deque)
    generation: int = 0  # how many times the workspace changed through the file tools
    files: dict[str, str] = field(default_factory=dict)  # path -> digest of what was last written there

    def after(self, name: str, arguments: dict[str, Any], result: str, ok: bool) -> str | None:
        """Record a call and its result; the call's signature when this makes the `limit`-th identical
        (call, result, workspace) within the window."""
        signature = call_signature(name, arguments)
        self.recent.append(f"{signature}|{_digest(result)}|{self.generation}")
        while len(self.recent) > self.window:
            self.recent.popleft()
        if ok and name in CHANGES_FILES:
            self._changed(name, arguments)
        return signature if self.recent.count(self.recent[-1]) >= self.limit else None

    def _changed(self, name: str, arguments: dict[str, Any]) -> None:
        path, content = str(arguments.get("path", "")), str(arguments.get("content", ""))
        if name == "write_file" and not arguments.get("append"):
            written = hashlib.sha256(content.encode("utf-8", "replace")).hexdigest()[:16]
            if self.files.get(path) == written:
                return  # the same content again: nothing changed
            self.files[path] = written
        else:
            self.files.pop(path, None)
        self.generation += 1

    def to_json(self) -> dict[str, Any]:
        return {"recent": list(self.recent), "generation": self.generation, "files": dict(self.files)}

    @classmethod
    def from_json(cls, data: dict[str, Any] | list[str]) -> RepetitionGuard:
        if isinstance(data, list):  # a checkpoint from before results counted
            return cls(recent=deque(data))
        return cls(recent=deque(data.get("recent", [])), generation=int(data.get("generation", 0)),
                   files=dict(data.get("files", {})))


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
