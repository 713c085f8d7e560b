"""Editing the Idea Brief as plain text: each list section is one item per line.

    Features:  "Must: Walker profiles — Owners see photos and reviews"
    Risks:     "Risk: Walkers cancel last minute — Keep a standby list"  (or "Assumption: …")
    Metrics:   one per line

Lines without a prefix get a sensible default (should / risk). `from_form` returns a brief in the
same shape the co-founder writes, or raises BriefEditError naming what to fix.
"""

from __future__ import annotations

import re
from typing import Any

from agent import brief

_SPLIT = re.compile(r"\s+[\u2014\u2013-]\s+")  # " — ", " – " or " - "


class BriefEditError(ValueError):
    """Something in the edited brief the founder must fix."""


def features_to_text(features: list[dict[str, Any]]) -> str:
    return "\n".join(f"{f['priority'].capitalize()}: {f['name']}" + (f" — {f['description']}" if f["description"] else "")
                     for f in features)


def risks_to_text(risks: list[dict[str, Any]]) -> str:
    return "\n".join(f"{r['kind'].capitalize()}: {r['text']}" + (f" — {r['mitigation']}" if r["mitigation"] else "")
                     for r in risks)


def _prefixed(line: str, prefixes: tuple[str, ...], default: str) -> tuple[str, str]:
    head, sep, rest = line.partition(":")
    if sep and head.strip().lower() in prefixes:
        return head.strip().lower(), rest.strip()
    return default, line.strip()


def text_to_features(text: str) -> list[dict[str, str]]:
    features = []
    for line in filter(str.strip, text.splitlines()):
        priority, rest = _prefixed(line, brief.PRIORITIES, "should")
        name, description = (_SPLIT.split(rest, maxsplit=1) + [""])[:2]
        if len(name) > 80:
            raise BriefEditError(f"Keep feature names short (under 80 characters): “{name[:40]}…”.")
        features.append({"name": name, "description": description, "priority": priority})
    return features


def text_to_risks(text: str) -> list[dict[str, str]]:
    risks = []
    for line in filter(str.strip, text.splitlines()):
        kind, rest = _prefixed(line, ("risk", "assumption"), "risk")
        parts = _SPLIT.split(rest, maxsplit=1) + [""]
        risks.append({"text": parts[0], "kind": kind, "mitigation": parts[1]})
    return risks


def to_form(content: dict[str, Any]) -> dict[str, str]:
    """The brief as the edit form's fields."""
    return {
        **{key: content.get(key, "") for key in brief.TEXT_SECTIONS},
        "mvp_features": features_to_text(content.get("mvp_features", [])),
        "risks": risks_to_text(content.get("risks", [])),
        "success_metrics": "\n".join(content.get("success_metrics", [])),
    }


def from_form(form: dict[str, Any], *, title: str) -> dict[str, Any]:
    for key in (*brief.TEXT_SECTIONS, "mvp_features", "risks", "success_metrics"):
        if len(str(form.get(key, ""))) > brief.MAX_TEXT * 3:
            raise BriefEditError(f"“{brief.SECTION_TITLES[key]}” is too long; keep it under {brief.MAX_TEXT:,} characters.")
    features = text_to_features(str(form.get("mvp_features", "")))
    if len(features) > brief.MAX_ITEMS:
        raise BriefEditError(f"List at most {brief.MAX_ITEMS} MVP features; the first version should stay small.")
    data = {
        "title": title,
        **{key: str(form.get(key, "")) for key in brief.TEXT_SECTIONS},
        "mvp_features": features,
        "risks": text_to_risks(str(form.get("risks", ""))),
        "success_metrics": [line.strip() for line in str(form.get("success_metrics", "")).splitlines() if line.strip()],
    }
    try:
        return brief.normalise(data)
    except ValueError as exc:
        raise BriefEditError(str(exc).replace("the brief is missing:", "Please fill in:")) from None
