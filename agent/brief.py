"""The Idea Brief: its sections, drafting it offline from the idea and the interview, checking a
draft from Claude, narrowing it, and writing it as Markdown.

A brief is plain JSON: problem, target_users, value_proposition, mvp_features (name, description,
priority must/should/could), differentiation, monetisation, risks (text, kind risk/assumption,
mitigation) and success_metrics. Editing happens in the same shape (see `brief_edit.py`).
"""

from __future__ import annotations

import re
from typing import Any

from agent import reading
from agent.interview import Answered, IdeaFacts, unsure
from agent.services.llm import context_block

TEXT_SECTIONS = ("problem", "target_users", "value_proposition", "differentiation", "monetisation")
SECTION_TITLES = {
    "problem": "Problem", "target_users": "Target users", "value_proposition": "Value proposition",
    "mvp_features": "MVP features", "differentiation": "Differentiation", "monetisation": "Monetisation",
    "risks": "Risks and assumptions", "success_metrics": "Success metrics",
}
PRIORITIES = ("must", "should", "could")
MAX_TEXT, MAX_ITEMS = 4000, 15


def _answer(answers: list[Answered], *keys: str) -> str:
    """The founder's answers to these questions, as sentences, each said once."""
    parts = [a.answer.strip() for k in keys for a in answers if a.key == k and _given(a)]
    return " ".join(_sentence(p) for p in dict.fromkeys(parts))


def _given(answer: Answered) -> bool:
    """An answer with something in it: not skipped, not empty, not "Not sure yet" (an open question)."""
    return not answer.skipped and bool(answer.answer.strip()) and not unsure(answer.answer)


OPEN = {"problem": "the problem it solves", "users": "who the first users are", "value": "what changes for users",
        "competition": "how people manage today", "monetisation": "how it makes money",
        "scope": "what the first version must do", "constraints": "what the first version must respect"}


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def _common(phrase: str) -> str:
    """'Dog owners in cities' inside a sentence: 'dog owners in cities' (a name or an acronym stays)."""
    phrase = phrase.strip()
    first = phrase.split(" ", 1)[0] if phrase else ""
    return phrase[:1].lower() + phrase[1:] if first[:1].isupper() and first[1:].islower() else phrase


def split_items(text: str) -> list[str]:
    """What a founder listed, in any of the ways people write lists (see `agent/reading.py`)."""
    return reading.items(text)


def _raw(answers: list[Answered], *keys: str) -> str:
    """The founder's answers as written, line breaks kept, for reading lists out of them."""
    parts = [a.answer.strip() for k in keys for a in answers if a.key == k and _given(a)]
    return "\n".join(dict.fromkeys(parts))


def _default_features(idea: IdeaFacts) -> list[str]:
    k = idea.keywords
    if {"marketplace", "buyers", "sellers", "connect", "booking", "book"} & k:
        return ["Sign up as either side of the marketplace", "Create and browse listings", "Search and filter",
                "Request or book", "Messages between the two sides"]
    return ["Sign up and sign in", f"The core of {idea.name}: {idea.idea.split('.')[0][:80]}",
            "A dashboard of what matters to the user", "Email notifications"]


def draft_offline(idea: IdeaFacts, answers: list[Answered]) -> dict[str, Any]:
    """A brief from templates and the founder's own words (the offline co-founder)."""
    name = idea.name
    problem = _answer(answers, "problem", "problem_more") or idea.idea
    users = " ".join(filter(None, [_sentence(idea.audience.strip()), _answer(answers, "users", "users_more",
                                                                             "marketplace_sides")]))
    value = _answer(answers, "value", "value_more") or f"{name} makes this simple for {_common(idea.audience) or 'its users'}"
    competition = _answer(answers, "competition", "competition_more")
    money = _answer(answers, "monetisation", "monetisation_more", "business_buyer")
    scope_items = split_items(_raw(answers, "scope", "scope_more")) or _default_features(idea)
    features = []
    for item in scope_items:
        called = reading.feature_name(item)
        if called and called.lower() not in (f["name"].lower() for f in features):
            features.append({"name": called, "description": _sentence(item) if called.lower() != item.lower() else "",
                             "priority": "must" if len(features) < 3 else "should" if len(features) < 5 else "could"})
    risks = []
    asked = [a.key.removesuffix("_more") for a in answers if a.key.removesuffix("_more") in OPEN]
    given = {a.key.removesuffix("_more") for a in answers if _given(a)}
    for topic in dict.fromkeys(k for k in asked if k not in given):  # skipped or "not sure yet", nothing more said
        risks.append({"text": f"Still open: {OPEN.get(topic, topic)}. The brief assumes the simplest option.",
                      "kind": "assumption", "mitigation": "Revisit it after the first users try the MVP."})
    constraints = _answer(answers, "constraints", "constraints_more", "ai_data", "mobile")
    if constraints:
        risks.append({"text": _sentence(constraints), "kind": "risk",
                      "mitigation": "Plan the first version around it from day one."})
    if {"marketplace", "connect", "buyers", "sellers"} & idea.keywords:
        risks.append({"text": "A marketplace is empty until both sides show up.", "kind": "risk",
                      "mitigation": "Seed one side by hand in a single neighbourhood or niche."})
    reach = _answer(answers, "first_hundred")
    if reach:
        risks.append({"text": _sentence(f"The first users will come from: {reach}"),
                      "kind": "assumption", "mitigation": "Count sign-ups from each channel in the first month."})
    risks.append({"text": "People will pay for this." if not money else "The price point works for buyers.",
                  "kind": "assumption", "mitigation": "Ask the first ten users to pay, even a small amount."})
    metrics = [_sentence(m) for m in reading.items(_raw(answers, "success"))]
    if not metrics:
        metrics = [f"40% of sign-ups use “{features[0]['name']}” in their first week.",
                   "100 people sign up in the first month."]
    return normalise({
        "title": name,
        "problem": _sentence(problem),
        "target_users": _sentence(users or f"People who want {idea.idea[:120]}"),
        "value_proposition": _sentence(value),
        "mvp_features": features,
        "differentiation": _sentence(f"Today people get by with: {competition.rstrip('.')}. {name} is built for "
                                     f"this one job and does it end to end") if competition else
        _sentence(f"{name} focuses on one job and does it end to end, where general tools leave gaps"),
        "monetisation": _sentence(money) if money else "Not decided yet. A simple monthly subscription is the first "
                                                       "thing to test with early users.",
        "risks": risks[:MAX_ITEMS],
        "success_metrics": metrics[:MAX_ITEMS],
    })


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """A brief with every section present, the right types and sane sizes (Claude's output too)."""
    if not isinstance(data, dict):
        raise ValueError("the brief must be an object")
    out: dict[str, Any] = {"title": str(data.get("title", "")).strip()[:120]}
    for key in TEXT_SECTIONS:
        out[key] = " ".join(str(data.get(key) or "").split())[:MAX_TEXT]
    features = []
    for f in data.get("mvp_features") or []:
        if isinstance(f, dict) and str(f.get("name", "")).strip():
            priority = str(f.get("priority", "should")).lower()
            features.append({"name": str(f["name"]).strip()[:80], "description": str(f.get("description", "")).strip()[:500],
                             "priority": priority if priority in PRIORITIES else "should"})
    out["mvp_features"] = sorted(features[:MAX_ITEMS], key=lambda f: PRIORITIES.index(f["priority"]))
    out["risks"] = [
        {"text": str(r.get("text", "")).strip()[:400], "kind": "assumption" if r.get("kind") == "assumption" else "risk",
         "mitigation": str(r.get("mitigation", "")).strip()[:400]}
        for r in (data.get("risks") or []) if isinstance(r, dict) and str(r.get("text", "")).strip()
    ][:MAX_ITEMS]
    out["success_metrics"] = [str(m).strip()[:300] for m in (data.get("success_metrics") or []) if str(m).strip()][:MAX_ITEMS]
    missing = [SECTION_TITLES[k] for k in (*TEXT_SECTIONS, "mvp_features") if not out[k]]
    if missing:
        raise ValueError("the brief is missing: " + ", ".join(missing))
    return out


def narrow_offline(brief: dict[str, Any], cut: str) -> dict[str, Any]:
    """A smaller brief: features the founder named are cut; if none matched, only must-haves stay."""
    cut_words = {w for w in re.findall(r"[a-z0-9]+", cut.lower()) if len(w) > 3}

    def named(feature: dict[str, Any]) -> bool:
        words = set(re.findall(r"[a-z0-9]+", f"{feature['name']} {feature['description']}".lower()))
        return len(cut_words & words) >= 1 and bool(cut_words)

    kept = [f for f in brief["mvp_features"] if not named(f)]
    if len(kept) == len(brief["mvp_features"]) or not kept:
        kept = [f for f in brief["mvp_features"] if f["priority"] == "must"] or brief["mvp_features"][:1]
    return normalise({**brief, "mvp_features": kept})


def to_markdown(brief: dict[str, Any]) -> str:
    lines = [f"# Idea Brief: {brief.get('title') or 'Untitled'}", ""]
    for key in ("problem", "target_users", "value_proposition"):
        lines += [f"## {SECTION_TITLES[key]}", "", brief[key], ""]
    lines += [f"## {SECTION_TITLES['mvp_features']}", ""]
    lines += [f"- **{f['name']}** ({f['priority']})" + (f": {f['description']}" if f["description"] else "")
              for f in brief["mvp_features"]] + [""]
    for key in ("differentiation", "monetisation"):
        lines += [f"## {SECTION_TITLES[key]}", "", brief[key], ""]
    lines += [f"## {SECTION_TITLES['risks']}", ""]
    lines += [f"- {r['kind'].capitalize()}: {r['text']}" + (f" *Mitigation:* {r['mitigation']}" if r["mitigation"] else "")
              for r in brief["risks"]] or ["- None recorded yet."]
    lines += ["", f"## {SECTION_TITLES['success_metrics']}", ""]
    lines += [f"- {m}" for m in brief["success_metrics"]] or ["- None recorded yet."]
    return "\n".join(lines).rstrip() + "\n"


WRITE_BRIEF_TOOL = {
    "name": "write_brief",
    "description": "Write the Idea Brief for the founder.",
    "input_schema": {
        "type": "object",
        "properties": {
            **{k: {"type": "string"} for k in TEXT_SECTIONS},
            "mvp_features": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "description": {"type": "string"},
                "priority": {"type": "string", "enum": list(PRIORITIES)}}, "required": ["name", "priority"]}},
            "risks": {"type": "array", "items": {"type": "object", "properties": {
                "text": {"type": "string"}, "kind": {"type": "string", "enum": ["risk", "assumption"]},
                "mitigation": {"type": "string"}}, "required": ["text", "kind"]}},
            "success_metrics": {"type": "array", "items": {"type": "string"}},
        },
        "required": [*TEXT_SECTIONS, "mvp_features", "risks", "success_metrics"],
    },
}

SYSTEM = (
    "You are the founder's AI co-founder. Write a concise, specific Idea Brief from their idea and interview "
    "answers, in plain English a non-technical founder understands, using their own words where you can. "
    "Prioritise 3 to 7 MVP features (must / should / could). Call the write_brief tool."
)


def prompt(idea: IdeaFacts, answers: list[Answered], *, current: dict | None = None, cut: str = "") -> str:
    data: dict[str, Any] = {"project": idea.name, "idea": idea.idea, "audience": idea.audience, "stage": idea.stage,
                            "answers": [{"topic": a.topic, "key": a.key, "answer": a.answer, "skipped": a.skipped}
                                        for a in answers]}
    task = "Write the Idea Brief."
    if current is not None:
        data |= {"current_brief": current, "cut": cut}
        task = "Narrow the current brief: remove what the founder wants cut and keep it smaller and focused."
    return task + "\n" + context_block(data)
