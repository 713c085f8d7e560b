"""The offline co-founder as a builder: the LLM protocol answered with scripted tool calls.

From the brief and the plan in the build prompt's `<context>`, it derives a fixed script and plays
the step matching the number of turns so far, so a resumed conversation continues exactly where it
stopped. The first phase writes the app engine on the curated stack (`agent/appstack`: Flask,
accounts, one designed stylesheet, the app's own tests) and an empty `app/schema.json`; each feature
phase adds that feature's records and page to the schema (`agent/app_shape.py`: what the feature's
words name) and runs the app's tests; the last seeds examples, starts the app, takes screenshots of
every page and writes the guides. Founder text reaches the app only as JSON data. A step whose
result says the workspace was lost (and restored from a snapshot) is played again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agent import app_shape, appstack
from agent import plan as plan_rules
from agent.compaction import summarised_steps
from agent.services.llm import OnDelta, TextBlock, ToolUse, Turn, Usage, estimate_tokens, read_context

TESTS = "python3 -m pytest -q -p no:cacheprovider"
LOST = "The workspace was lost"  # how a restored workspace is told (agent/snapshots.py)
SCHEMA = "app/schema.json"


def _call(tool: str, **arguments: Any) -> tuple[str, dict[str, Any]]:
    return tool, arguments


def _fields_said(entity: dict[str, Any]) -> str:
    labels = [f["label"].lower() for f in entity["fields"]]
    return ", ".join(labels[:-1]) + (" and " if len(labels) > 1 else "") + labels[-1]


def _docs(schema: dict[str, Any], brief: dict[str, Any]) -> dict[str, str]:
    """The guides, from the app as built: its pages, what each records, and the brief."""
    name = schema["name"]
    entities = {e["key"]: e for e in schema["entities"]}
    listed = []
    for page in schema["pages"]:
        entity = entities[page["entity"]]
        thing = entity["name"].lower()
        does = (f"search the {entity['plural'].lower()} people have added" if page["mode"] == "browse"
                else f"add {'an' if thing[:1] in 'aeiou' else 'a'} {thing} ({_fields_said(entity)}) and see everyone's")
        intro = page["intro"].rstrip()
        listed.append(f"- **{page['title']}**: {intro}{'' if intro.endswith(('.', '!', '?')) else '.'} "
                      f"On this page you {does}.")
    demo = "".join(f"\n\n{service} are shown as a demo for now: nothing is charged or sent." for service in schema["demo"])
    first = schema["pages"][0]["title"] if schema["pages"] else "the home page"
    return {
        "overview": f"# {name}\n\n{brief.get('value_proposition', '')}\n\nIt is built for: {brief.get('target_users', '')}\n",
        "features": f"# What {name} does\n\n" + "\n".join(listed) + demo + "\n",
        "getting_started": (f"# Getting started\n\n1. Open {name} and choose **Create an account**: your name, your email "
                            f"and a password of at least 8 characters.\n2. The home page shows every part of the app. "
                            f"Start with **{first}**: fill in the form and choose **Add**; what you add is listed "
                            f"straight away, newest first, with your name.\n3. Anyone can look around without an "
                            f"account; adding something asks you to sign in first.\n\nRecords marked *Example* were "
                            f"put in by your co-founder to show how the pages look; they can be ignored.\n"),
        "faq": (f"# Questions\n\n**Where is my data kept?** In the app's own database, on the machine that runs it.\n\n"
                f"**Can I change what the pages record?** Yes: edit the plan and ask your co-founder to build again.\n\n"
                f"**What comes next?** {brief.get('monetisation', 'Testing it with your first users.')}\n"),
    }


def _schema_file(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def script(brief: dict[str, Any], phases: list[dict[str, Any]], port: int) -> list[list[tuple[str, dict]]]:
    """The turns of an offline build: each is a list of (tool, arguments)."""
    name = brief.get("title") or "Your app"
    titles = [p["title"] for p in phases] or ["Foundation", "Polish and docs"]
    middle = titles[1:-1] if len(titles) > 2 else []
    planned = {f["name"]: f for f in plan_rules.planned_features(brief, phases)}
    engine = [_call("write_file", path=path, content=text) for path, text in appstack.template_files().items()]
    turns: list[list[tuple[str, dict]]] = [
        [_call("plan", action="start", phase=1),
         _call("narrate", text=f"I'm laying the foundation of {name}: accounts, the home page, the look and the tests.")],
        [*engine, _call("write_file", path=SCHEMA, content=_schema_file(app_shape.shape(brief, [])))],
        [_call("bash", command=TESTS, timeout=180)],
        [_call("plan", action="complete", phase=1)],
    ]
    built: list[dict[str, Any]] = []
    for offset, title in enumerate(middle, start=2):
        built.append(planned.get(title) or {"name": title, "description": "", "priority": "should"})
        schema = app_shape.shape(brief, built)
        entity = next(e for e in schema["entities"] if e["key"] == schema["pages"][-1]["entity"])
        turns += [
            [_call("plan", action="start", phase=offset),
             _call("narrate", text=f"I'm building “{title}”: a page for {entity['plural'].lower()}, "
                                   f"with {_fields_said(entity)}.")],
            [_call("write_file", path=SCHEMA, content=_schema_file(schema))],
            [_call("bash", command=TESTS, timeout=180)],
            [_call("plan", action="complete", phase=offset)],
        ]
    last = len(titles)
    if last > 1:
        schema = app_shape.shape(brief, built)
        turns += [
            [_call("plan", action="start", phase=last),
             _call("narrate", text="I'm starting the app with a few examples in it, taking screenshots and "
                                   "writing your guides.")],
            [_call("bash", command="python3 app/main.py --seed", timeout=60)],
            [_call("start_app", command=f"python3 app/main.py --port {port}", port=port)],
            [_call("take_screenshot", path="/", name="Home page")]
            + [_call("take_screenshot", path=f"/p/{page['slug']}", name=page["title"]) for page in schema["pages"]]
            + [_call("take_screenshot", path="/signup", name="Create an account")],
            [_call("document", kind=kind, content=text) for kind, text in _docs(schema, brief).items()],
            [_call("bash", command=TESTS, timeout=180)],  # the finished app checked, screenshots or none
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
        # a step whose result says the workspace was lost and restored is played again (its tests re-run)
        replays = sum(1 for m in messages if m["role"] == "user" and LOST in json.dumps(m["content"]))
        played = summarised_steps(messages) + sum(1 for m in messages if m["role"] == "assistant") - replays
        input_tokens = estimate_tokens(system + json.dumps(messages))
        if played >= len(turns):
            text = "The build is complete."
            return Turn(content=(TextBlock(text),), stop_reason="end_turn", model=self.model,
                        usage=Usage(input_tokens=input_tokens, output_tokens=estimate_tokens(text)))
        blocks = tuple(ToolUse(id=f"offline_{played}_{i}", name=name, input=args)
                       for i, (name, args) in enumerate(turns[played]))
        return Turn(content=blocks, stop_reason="tool_use", model=self.model,
                    usage=Usage(input_tokens=input_tokens, output_tokens=estimate_tokens(json.dumps(turns[played]))))
