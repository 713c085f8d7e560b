"""The offline co-founder: the LLM protocol answered by rules, deterministically, with no key.

It reads the `<context>` JSON the journey prompts carry and answers the tool it is asked for with
the rule-based modules (interview bank, brief templates, plan phases). The UI labels everything
it writes "offline co-founder" and explains how to switch on Claude.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agent import brief, interview, plan
from agent.services.llm import OnDelta, TextBlock, ToolUse, Turn, Usage, estimate_tokens, read_context

LABEL = "offline co-founder"
HOW_TO_SWITCH = "Whoever runs this server can connect Claude instead."


def _facts(ctx: dict[str, Any]) -> tuple[interview.IdeaFacts, list[interview.Answered]]:
    idea = interview.facts(ctx.get("project", ""), ctx.get("idea", ""), ctx.get("audience", ""), ctx.get("stage", ""))
    answers = [interview.Answered(key=a["key"], topic=a["topic"], answer=a.get("answer", ""), skipped=a.get("skipped", False))
               for a in ctx.get("answers", [])]
    return idea, answers


def _next_question(ctx: dict[str, Any]) -> dict[str, Any]:
    question = interview.next_question(*_facts(ctx))
    if question is None:
        return {"done": True}
    return {"done": False, "key": question.key, "topic": question.topic, "question": question.text, "why": question.why}


def _write_brief(ctx: dict[str, Any]) -> dict[str, Any]:
    if ctx.get("current_brief"):
        return brief.narrow_offline(ctx["current_brief"], ctx.get("cut", ""))
    return brief.draft_offline(*_facts(ctx))


def _write_plan(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"phases": plan.phases_offline(ctx.get("brief", {}))}


_TOOLS = {"next_question": _next_question, "write_brief": _write_brief, "write_plan": _write_plan}


class OfflineCoFounder:
    label = LABEL
    model = "offline"
    offline = True

    def __init__(self) -> None:
        self._calls = 0

    async def turn(
        self,
        *,
        system: str,
        messages: list[dict[str, Any]],
        tools: Sequence[dict[str, Any]] = (),
        tool_choice: dict[str, Any] | None = None,
        max_tokens: int = 4096,
        on_delta: OnDelta | None = None,
    ) -> Turn:
        self._calls += 1
        input_tokens = estimate_tokens(system + json.dumps(messages) + json.dumps(list(tools)))
        name = (tool_choice or {}).get("name") or (tools[0]["name"] if len(tools) == 1 else "")
        if name in _TOOLS:
            tool_input = _TOOLS[name](read_context(messages))
            text = json.dumps(tool_input, ensure_ascii=False)
            if on_delta:
                for start in range(0, len(text), 400):
                    await on_delta("tool_input", text[start:start + 400])
            block = ToolUse(id=f"offline_{self._calls}", name=name, input=tool_input)
            return Turn(content=(block,), stop_reason="tool_use", model=self.model,
                        usage=Usage(input_tokens=input_tokens, output_tokens=estimate_tokens(text)))
        reply = (f"I'm the {LABEL}: I follow fixed rules and don't chat freely. {HOW_TO_SWITCH}")
        if on_delta:
            await on_delta("text", reply)
        return Turn(content=(TextBlock(reply),), stop_reason="end_turn", model=self.model,
                    usage=Usage(input_tokens=input_tokens, output_tokens=estimate_tokens(reply)))
