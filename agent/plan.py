"""The build plan: GSD phases for the Kanban board, with effort and a cost forecast per phase.

A plan is a list of phases (foundation, one per MVP feature in priority order, polish and docs),
each with a goal, acceptance criteria, an effort size and a forecast in microdollars from the price
table. Claude may write the phases through `write_plan`; `normalise` keeps them within bounds and
the forecast is always computed here, never taken from the model.
"""

from __future__ import annotations

from typing import Any

from agent import appstack
from agent.compaction import COMPACT_AT, KEEP_STEPS
from agent.pricing import cost_micros
from agent.services.llm import Usage, context_block

EFFORTS = ("S", "M", "L")
EFFORT_LABELS = {"S": "Small (about an hour of agent time)", "M": "Medium (2 to 3 hours)", "L": "Large (half a day)"}
# How a build spends tokens, measured on the scripted replay build (`bench/forecast_bench.py`): every
# model call reads the whole conversation back from the prompt cache, writes what the last step added
# (about GROWTH tokens: the call and its result) to the cache, and writes about OUTPUT tokens. So a
# step late in the build costs several times one early on, and a phase's cost depends on where it is,
# until the conversation reaches COMPACT_AT and is compacted to the summary and the latest steps
# (`agent/compaction.py`), which the next call writes to the cache afresh.
CALLS = {"S": 10, "M": 56, "L": 112}  # model calls a phase of each size is expected to work, until
MEASURED_AFTER = 5  # finished phases of a size have been built: then the calls they took on average
PLAN_CALLS = 2  # and the calls that start and complete it on the board
START_CONTEXT = 2_000  # tokens of the system prompt and the tools
GROWTH = 700
OUTPUT = 230
SUMMARY = 2_500  # tokens of the first message and the summary of a compacted conversation
_HEAVY = ("payment", "payments", "pay", "stripe", "ai", "recommend", "chat", "messages", "messaging", "map", "maps",
          "video", "booking", "calendar", "realtime", "sync")
MAX_PHASES = 12


def effort_for(feature: dict[str, Any]) -> str:
    words = set(f"{feature.get('name', '')} {feature.get('description', '')}".lower().replace(",", " ").split())
    if words & set(_HEAVY):
        return "L"
    return "M" if feature.get("priority") == "must" else "S"


def forecasts(efforts: list[str], model: str, calls: dict[str, int] | None = None) -> list[int]:
    """Each phase's forecast, in order: its calls (`calls` per effort where measured, else CALLS),
    each reading the conversation as long as the phases before it and its own earlier calls have
    made it (and compaction has left it)."""
    expected, context, out = {**CALLS, **(calls or {})}, START_CONTEXT, []
    for effort in efforts:
        calls_here = expected.get(effort, expected["M"]) + PLAN_CALLS
        reads = writes = 0
        for _ in range(calls_here):
            read, write = context, GROWTH
            if context >= COMPACT_AT:  # the last request reached it: this one starts from the summary
                context = START_CONTEXT + SUMMARY + KEEP_STEPS * GROWTH
                read, write = START_CONTEXT, context - START_CONTEXT + GROWTH  # all but the system prompt
            reads, writes, context = reads + read, writes + write, context + GROWTH
        out.append(cost_micros(model, Usage(input_tokens=0, cache_read_tokens=reads, cache_write_tokens=writes,
                                            output_tokens=OUTPUT * calls_here)))
    return out


def default_goal(name: str) -> str:
    return f"{name}, working end to end for a first-time user."


def phases_offline(brief: dict[str, Any]) -> list[dict[str, Any]]:
    """Foundation, one phase per feature (must first), then polish and docs."""
    name = brief.get("title") or "the app"
    phases = [{
        "title": "Foundation",
        "goal": f"A running skeleton of {name}: pages, data model and sign-in, ready for the features.",
        "acceptance": ["The app starts and shows its home page", "A user can sign up and sign in",
                       "The data for the first feature can be saved and read back"],
        "effort": "M",
    }]
    for feature in brief.get("mvp_features", [])[: MAX_PHASES - 2]:
        phases.append({
            "title": feature["name"],
            "goal": feature.get("description") or default_goal(feature["name"]),
            "acceptance": [f"A first-time user can use “{feature['name']}” without help",
                           "It is covered by an automated test", "It works on a phone-sized screen"],
            "effort": effort_for(feature),
        })
    phases.append({
        "title": "Polish and docs",
        "goal": "Make the first version feel finished and explain it: empty states, errors, help, screenshots.",
        "acceptance": ["Every page has a clear empty and error state", "A getting-started guide and an FAQ exist",
                       "Screenshots show every feature working"],
        "effort": "S",
    })
    return phases


def planned_features(brief: dict[str, Any], phases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The features the plan builds, as the founder edited it (what the guides, the evidence, the
    strategy graph and the app follow). A phase titled like a brief feature is that feature, its goal
    as edited now its description; any other phase between the first and the last is a feature the
    founder added or renamed; the first and the last phase are the foundation and the polish unless
    they are features. With no plan yet, the brief's features."""
    features = list(brief.get("mvp_features") or [])
    if not phases:
        return [{**f, "acceptance": []} for f in features]
    by_name = {f["name"].strip().lower(): f for f in features}
    out = []
    for i, phase in enumerate(phases):
        title = str(phase.get("title", "")).strip()
        feature = by_name.get(title.lower())
        if feature is None and (i == 0 or i == len(phases) - 1):
            continue
        goal = str(phase.get("goal") or "")
        if not goal or goal == default_goal(title):  # the plan's own words, not the founder's
            goal = (feature or {}).get("description", "")
        out.append({"name": title, "description": goal,
                    "priority": (feature or {}).get("priority", "should"),
                    "acceptance": list(phase.get("acceptance") or [])})
    return out


def left_out(brief: dict[str, Any], phases: list[dict[str, Any]]) -> list[str]:
    """Brief features the plan no longer builds (the founder removed or renamed their phase)."""
    if not phases:
        return []
    planned = {f["name"].strip().lower() for f in planned_features(brief, phases)}
    return [f["name"] for f in brief.get("mvp_features") or [] if f["name"].strip().lower() not in planned]


def normalise(phases: list[Any], model: str, calls: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Phases within bounds, each with its forecast for `model` (`calls`: see `forecasts`)."""
    out = []
    for phase in phases[:MAX_PHASES]:
        if not isinstance(phase, dict) or not str(phase.get("title", "")).strip():
            continue
        effort = str(phase.get("effort", "M")).upper()[:1]
        effort = effort if effort in EFFORTS else "M"
        acceptance = [str(a).strip()[:200] for a in phase.get("acceptance") or [] if str(a).strip()][:8]
        out.append({
            "title": str(phase["title"]).strip()[:120],
            "goal": str(phase.get("goal", "")).strip()[:1000],
            "acceptance": acceptance or ["It works as described in the goal"],
            "effort": effort,
        })
    if not out:
        raise ValueError("the plan has no phases")
    for phase, forecast in zip(out, forecasts([p["effort"] for p in out], model, calls=calls)):
        phase["cost_forecast_micros"] = forecast
    return out


WRITE_PLAN_TOOL = {
    "name": "write_plan",
    "description": "Write the build plan as ordered phases.",
    "input_schema": {
        "type": "object",
        "properties": {"phases": {"type": "array", "items": {"type": "object", "properties": {
            "title": {"type": "string"}, "goal": {"type": "string"},
            "acceptance": {"type": "array", "items": {"type": "string"}},
            "effort": {"type": "string", "enum": list(EFFORTS)}}, "required": ["title", "goal", "acceptance", "effort"]}}},
        "required": ["phases"],
    },
}

SYSTEM = (
    "You are the founder's AI co-founder planning the build of their MVP. Write 3 to 10 phases: a foundation "
    "phase, one phase per MVP feature in priority order, and a final polish-and-docs phase. Each phase has a goal "
    "in plain English, 2 to 4 acceptance criteria a founder can check, and an effort size S, M or L. "
    "The app is built with " + appstack.DESCRIPTION + ", so every criterion must be achievable with it; outside "
    "services (payments, email, maps, text messages) are demo stubs in the first version. Call the write_plan tool."
)


def prompt(brief: dict[str, Any]) -> str:
    return "Plan the build.\n" + context_block({"brief": brief})


class PhaseEditError(ValueError):
    """An edit to a Kanban card the founder must fix."""


def check_edit(*, title: str, goal: str, acceptance: str, effort: str) -> dict[str, Any]:
    """A card edited by the founder, tidied (the plan is re-priced after the change, see
    `journey_store.reprice`); raises PhaseEditError naming the problem."""
    title = " ".join(title.split())
    if not title:
        raise PhaseEditError("Give the phase a title.")
    if len(title) > 120:
        raise PhaseEditError("Keep the title under 120 characters.")
    goal = goal.strip()
    if len(goal) > 1000:
        raise PhaseEditError("Keep the goal under 1,000 characters.")
    criteria = [line.strip(" -*\u2022\t") for line in acceptance.splitlines() if line.strip(" -*\u2022\t")]
    if not criteria:
        raise PhaseEditError("List at least one acceptance criterion, one per line.")
    if len(criteria) > 8:
        raise PhaseEditError("List at most 8 acceptance criteria.")
    if any(len(c) > 200 for c in criteria):
        raise PhaseEditError("Keep each acceptance criterion under 200 characters.")
    if effort not in EFFORTS:
        raise PhaseEditError("Choose an effort: S, M or L.")
    return {"title": title, "goal": goal, "acceptance": criteria, "effort": effort}
