"""Why a build stopped to ask the founder, in the founder's words: the agent's own question, a
problem self-healing could not fix, work left when it stopped, a refusal, a repetition, the step cap."""

from __future__ import annotations

import re
from typing import Any

from agent import healing
from agent.founder_safe import redact


def question(reason: str, detail: dict[str, Any], phase_title: str) -> dict[str, Any]:
    """The founder's question for a run the loop stopped (`Outcome.reason`, `Outcome.detail`): the
    problem in plain English, what was tried, a recommendation and the options."""
    if reason == "self-healing":
        return healing.escalation(detail["note"], phase_title)
    if reason == "question":  # the agent's own question (ask_founder)
        return {k: detail[k] for k in ("problem", "attempts", "recommendation", "options")}
    if reason == "stuck":
        said = f" My last words were: “{redact(detail['text'])[:300]}”" if detail.get("text") else ""
        left = re.sub(r" \(start it with start_app\)", "", detail.get("left", ""))
        options = ["Carry on with the plan", "Stop the build here"]
        return {"problem": f"I stopped before the build was finished: {left}.{said}", "attempts": [],
                "recommendation": options[0], "options": options}
    if reason == "refusal":
        options = ["Leave that part out and carry on", "Stop the build here"]
        return {"problem": "My model declined to do part of this build as it stands. Tell me how to change it, or "
                           "leave that part out.", "attempts": [], "recommendation": options[0], "options": options}
    where = f" on “{phase_title}”" if phase_title else ""
    if reason == "repetition":
        options = ["Try a different approach", f"Skip “{phase_title}” for now" if phase_title else "Skip this part",
                   "Stop the build"]
        problem = (f"I did the same thing three times{where} with the same result ({detail.get('label', 'a step')}) "
                   "and stopped to ask you rather than go round in circles.")
    else:
        options = ["Carry on: give it more steps", "Stop the build"]
        problem = f"I reached the limit of {detail.get('limit', '')} steps for this build{where} and stopped to ask you."
    return {"problem": problem, "attempts": [], "recommendation": options[0], "options": options}
