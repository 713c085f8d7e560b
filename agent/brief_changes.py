"""What changed between two versions of the Idea Brief, section by section, word by word: the brief
page shows it beside a version so no change goes unseen (an edit, a redraft, a narrowing)."""

from __future__ import annotations

import difflib
from html import escape
from typing import Any

from agent.brief import SECTION_TITLES, TEXT_SECTIONS


def _section_texts(brief: dict[str, Any]) -> dict[str, str]:
    """Each section as the text a founder reads (lists one item a line)."""
    texts = {key: str(brief.get(key) or "") for key in TEXT_SECTIONS}
    texts["mvp_features"] = "\n".join(f"{f.get('name', '')} ({f.get('priority', '')}): {f.get('description', '')}"
                                      for f in brief.get("mvp_features") or [])
    texts["risks"] = "\n".join(f"{r.get('kind', '').capitalize()}: {r.get('text', '')}"
                               + (f" Mitigation: {r['mitigation']}" if r.get("mitigation") else "")
                               for r in brief.get("risks") or [])
    texts["success_metrics"] = "\n".join(str(m) for m in brief.get("success_metrics") or [])
    return texts


def word_changes(before: str, after: str) -> list[dict[str, str]]:
    """`after` as runs of {"kind": "same" | "added" | "removed", "text": ...}, words compared."""
    old, new = before.split(" "), after.split(" ")
    runs: list[dict[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            runs.append({"kind": "removed", "text": " ".join(old[a1:a2])})
        if op in ("replace", "insert"):
            runs.append({"kind": "added", "text": " ".join(new[b1:b2])})
        if op == "equal":
            runs.append({"kind": "same", "text": " ".join(old[a1:a2])})
    return runs


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The sections that differ: [{"section": title, "runs": word_changes(...)}], in the brief's order."""
    old, new = _section_texts(before), _section_texts(after)
    order = [*TEXT_SECTIONS[:3], "mvp_features", *TEXT_SECTIONS[3:], "risks", "success_metrics"]
    return [{"section": SECTION_TITLES[key], "key": key, "runs": word_changes(old[key], new[key])}
            for key in order if old[key] != new[key]]


def as_html(runs: list[dict[str, str]]) -> str:
    """The runs as escaped HTML: removed words struck through (<del>), added ones marked (<ins>)."""
    tags = {"added": "ins", "removed": "del"}
    return " ".join(f"<{tags[r['kind']]}>{escape(r['text'])}</{tags[r['kind']]}>" if r["kind"] in tags
                    else escape(r["text"]) for r in runs if r["text"])
