"""The offline co-founder as a builder: the LLM protocol answered with scripted tool calls.

From the brief and the plan in the build prompt's `<context>`, it derives a fixed script (the first
phase lays the foundation, each middle phase adds a feature page, the last starts the app, takes
screenshots and writes the docs) and plays the step matching the number of turns so far, so a
resumed conversation continues exactly where it stopped. The app it writes is real and is tested.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agent import plan as plan_rules
from agent import starter_app
from agent.compaction import summarised_steps
from agent.services.llm import OnDelta, TextBlock, ToolUse, Turn, Usage, estimate_tokens, read_context

TESTS = "python3 -m unittest discover -s tests -v"


def _call(tool: str, **arguments: Any) -> tuple[str, dict[str, Any]]:
    return tool, arguments


def _docs(brief: dict[str, Any], features: list[dict[str, Any]]) -> dict[str, str]:
    """The guides, from the brief and the features the plan (as edited) built."""
    name = brief.get("title") or "Your app"
    listed = "\n".join(f"- **{f['name']}**: {f.get('description') or 'ready to use.'}" for f in features)
    return {
        "overview": f"# {name}\n\n{brief.get('value_proposition', '')}\n\nIt is built for: {brief.get('target_users', '')}\n",
        "features": f"# What {name} does\n\n{listed}\n",
        "getting_started": ("# Getting started\n\nOpen the app in your browser. The home page lists what you can do; "
                            "choose a feature, add your first entry with the form, and it is saved for next time.\n\n"
                            "While your co-founder keeps it running, the preview shows the live app.\n"),
        "faq": (f"# Questions\n\n**Where is my data kept?** In the app's own storage, on the machine that runs it.\n\n"
                f"**Can I change what the features do?** Yes: edit the plan and ask your co-founder to build again.\n\n"
                f"**What comes next?** {brief.get('monetisation', 'Testing it with your first users.')}\n"),
    }


def script(brief: dict[str, Any], phases: list[dict[str, Any]], port: int) -> list[list[tuple[str, dict]]]:
    """The turns of an offline build: each is a list of (tool, arguments)."""
    name = brief.get("title") or "Your app"
    promise = brief.get("value_proposition") or f"{name}, the first version."
    titles = [p["title"] for p in phases] or ["Foundation", "Polish and docs"]
    middle = titles[1:-1] if len(titles) > 2 else []
    planned = plan_rules.planned_features(brief, phases)
    described = {f["name"]: f.get("description") or f["name"] for f in planned}
    turns: list[list[tuple[str, dict]]] = [
        [_call("plan", action="start", phase=1),
         _call("narrate", text=f"I'm laying the foundation of {name}: the pages, the data and the first test.")],
        [_call("write_file", path="app/server.py", content=starter_app.SERVER),
         _call("write_file", path="app/product.json", content=starter_app.product_json(name, promise)),
         _call("write_file", path="app/features.json", content=starter_app.features_json([])),
         _call("write_file", path="tests/test_app.py", content=starter_app.TESTS)],
        [_call("bash", command=TESTS, timeout=120)],
        [_call("plan", action="complete", phase=1)],
    ]
    built: list[dict[str, str]] = []
    for offset, title in enumerate(middle, start=2):
        built.append({"title": title, "description": described.get(title, f"{title} for {name}.")})
        turns += [
            [_call("plan", action="start", phase=offset),
             _call("narrate", text=f"I'm building “{title}” so people can use it from the home page.")],
            [_call("write_file", path="app/features.json", content=starter_app.features_json(built))],
            [_call("bash", command=TESTS, timeout=120)],
            [_call("plan", action="complete", phase=offset)],
        ]
    last = len(titles)
    if last > 1:
        docs = _docs(brief, [f for f in planned if f["name"] in middle] or planned)
        turns += [
            [_call("plan", action="start", phase=last),
             _call("narrate", text="I'm starting the app, taking screenshots and writing your guides.")],
            [_call("start_app", command=f"python3 app/server.py --port {port}", port=port)],
            [_call("bash", command="sleep 1; echo ready", timeout=30)],
            [_call("take_screenshot", path="/", name="Home page")]
            + [_call("take_screenshot", path=f"/feature/{starter_app.slug(f['title'])}", name=f["title"]) for f in built],
            [_call("document", kind=kind, content=text) for kind, text in docs.items()],
            [_call("plan", action="complete", phase=last),
             _call("narrate", text=f"{name} is built: every phase is done and the app is running.")],
        ]
    return turns


class OfflineBuilder:
    label = "offline co-founder"
    model = "offline"
    offline = True

    async def turn(self, *, system: str, messages: list[dict[str, Any]], tools: Sequence[dict[str, Any]] = (),
                   tool_choice: dict[str, Any] | None = None, max_tokens: int = 4096,
                   on_delta: OnDelta | None = None) -> Turn:
        ctx = read_context(messages, system)
        turns = script(ctx.get("brief", {}), ctx.get("phases", []), int(ctx.get("port", 8000)))
        played = summarised_steps(messages) + sum(1 for m in messages if m["role"] == "assistant")
        input_tokens = estimate_tokens(system + json.dumps(messages))
        if played >= len(turns):
            text = "The build is complete."
            return Turn(content=(TextBlock(text),), stop_reason="end_turn", model=self.model,
                        usage=Usage(input_tokens=input_tokens, output_tokens=estimate_tokens(text)))
        blocks = tuple(ToolUse(id=f"offline_{played}_{i}", name=name, input=args)
                       for i, (name, args) in enumerate(turns[played]))
        return Turn(content=blocks, stop_reason="tool_use", model=self.model,
                    usage=Usage(input_tokens=input_tokens, output_tokens=estimate_tokens(json.dumps(turns[played]))))
