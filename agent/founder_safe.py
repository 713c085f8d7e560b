"""Keeping what the founder reads clean: ANSI codes stripped, secrets redacted, and narration and
docs checked for things a non-technical founder should never be shown (stack traces, file paths,
code, commands, credentials)."""

from __future__ import annotations

import re

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r(?!\n)")
SECRETS = [
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}"),
    re.compile(r"\bwhsec_[A-Za-z0-9]{8,}"),
    re.compile(r"\be2b_[A-Za-z0-9]{8,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"(?i)\b(api[_-]?key|secret|token|password|passwd)(\s*[:=]\s*)(['\"]?)[^\s'\"]{6,}\3"),
]
REDACTED = "[redacted]"
_known: tuple[str, ...] = ()  # the settings' own secrets (register_secrets), redacted wherever they turn up

_TRACE = re.compile(r"Traceback \(most recent call last\)|^\s*File \".*\", line \d+|\bat [\w.$]+\(.*:\d+\)", re.M)
_PATH = re.compile(r"(?:^|[\s(\"'])(?:/[\w.\-]+){2,}|[A-Za-z]:\\[\w\\.\-]+|\b[\w\-]+/[\w\-/]*\.\w{1,5}\b")
_CODE = re.compile(r"```|`[^`\n]+`|^\s*(?:\$ |>>> |pip |npm |python3? |def |class |import |from \S+ import )", re.M)


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def register_secrets(values) -> None:
    """The exact secrets this process holds (every key and password in the settings): from now on
    `redact` hides each wherever it appears. The composition roots call it at start."""
    global _known
    _known = tuple(sorted({v for v in values if v and len(v) >= 6}, key=len, reverse=True))


def redact(text: str, *, keywords: bool = True) -> str:
    """`text` with secrets hidden: the registered ones, keys of known shapes and (unless `keywords` is
    False: code, where `password = "..."` is often a test's) any `password=...`-like assignment."""
    for value in _known:
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern in SECRETS:
        if pattern.groups >= 3:
            if not keywords:
                continue
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


def redact_all(value):
    """`value` (text, or JSON-shaped data holding text) with every string redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_all(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_all(v) for v in value]
    return value


def clean_output(text: str) -> str:
    """Command output as the model and the log panel see it: no colour codes, no secrets."""
    return redact(strip_ansi(text))


def narration_problem(text: str) -> str | None:
    """Why this can't be shown to the founder as narration, or None when it can."""
    sentence = " ".join(text.split())
    if not sentence:
        return "Narration must be a short sentence for the founder."
    if len(sentence) > 300:
        return "Keep narration to one or two short sentences (under 300 characters)."
    if _TRACE.search(text):
        return "Narration must not contain error traces; describe what you are doing in plain words."
    if _PATH.search(sentence) or _CODE.search(text):
        return "Narration must not contain file paths, code or commands; describe the work in plain words."
    if redact(sentence) != sentence:
        return "Narration must not contain keys, tokens or passwords."
    return None


def document_problem(text: str) -> str | None:
    """Why this can't be a founder-facing document, or None when it can."""
    if not text.strip():
        return "The document is empty."
    if len(text) > 20_000:
        return "Keep a document under 20,000 characters."
    if _CODE.search(text) or _TRACE.search(text):
        return "Founder documents must not contain code, commands or error traces; explain in plain words."
    if _PATH.search(text):
        return "Founder documents must not contain file paths; name things the way a user sees them."
    if redact(text) != text:
        return "Founder documents must not contain keys, tokens or passwords."
    return None
