"""The agent loop: think (a model turn) -> act (run its tool calls) -> observe (append the results)
-> repeat, until the model ends its turn, the founder pauses, a guard halts it, or the slice ends.

Collaborators come in as arguments (the model, the tool context, emit, save, should_pause,
on_turn) and an `Outcome` comes out, so the loop is tested with scripted models and real sandboxes
and never builds a client itself. The conversation only ever grows at its end (results are truncated
once, when appended), so every request repeats the previous one as a cacheable prefix, until the
conversation nears the context window and is compacted (`agent/compaction.py`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from agent import compaction
from agent import events as ev
from agent import healing
from agent import guards, tools
from agent.services.llm import LLM, Turn

Emit = Callable[[ev.Event], Awaitable[None]]


@dataclass(frozen=True)
class LoopLimits:
    max_tool_calls: int = 400
    slice_steps: int = 25  # steps per worker job before it hands over to its continuation
    slice_seconds: float = 240.0
    max_tokens: int = 8192


@dataclass
class LoopState:
    """Everything needed to continue after a restart; saved as the JSON checkpoint after each step."""

    messages: list[dict[str, Any]]
    step: int = 0
    tool_calls: int = 0
    repetition: list[str] = field(default_factory=list)
    phase: dict[str, Any] = field(default_factory=lambda: {"number": 0, "title": ""})
    next_seq: int = 1  # the seq of the next event: re-running a step re-uses its seqs
    done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"messages": self.messages, "step": self.step, "tool_calls": self.tool_calls,
                "repetition": self.repetition, "phase": self.phase, "next_seq": self.next_seq, "done": self.done,
                "extra": self.extra}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoopState:
        return cls(**{k: data[k] for k in ("messages", "step", "tool_calls", "repetition", "phase", "next_seq",
                                            "done", "extra") if k in data})


@dataclass(frozen=True)
class Outcome:
    status: str  # done / paused / slice_end / escalated
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def _halted_results(uses, after: int, why: str) -> list[dict[str, Any]]:
    """Results for the calls that were not run, so the conversation stays well formed."""
    return [{"type": "tool_result", "tool_use_id": use.id, "content": f"Not run: {why}", "is_error": True}
            for use in uses[after:]]


async def run_loop(
    *,
    llm: LLM,
    system: str,
    context: tools.ToolContext,
    state: LoopState,
    emit: Emit,
    save: Callable[[LoopState], Awaitable[None]],
    should_pause: Callable[[], Awaitable[bool]],
    on_turn: Callable[[Turn], Awaitable[None]],
    limits: LoopLimits = LoopLimits(),
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    started, steps = clock(), 0
    guard = guards.RepetitionGuard.from_json(state.repetition)
    context.phase.update(state.phase)
    while True:
        if await should_pause():
            return Outcome("paused", "The founder paused the build.")
        if steps >= limits.slice_steps or clock() - started >= limits.slice_seconds:
            return Outcome("slice_end")
        if compaction.due(state.extra, state.messages):
            state.messages = compaction.compact(state.messages, state.extra, state.phase)
            state.extra["context_tokens"] = 0
            await emit(ev.Narration(text="I condensed my notes on the build so far, so I can keep going without "
                                         "losing track."))
            await save(state)
        turn = await llm.turn(system=system, messages=state.messages, tools=tools.SPECS, max_tokens=limits.max_tokens)
        await on_turn(turn)
        state.messages.append(turn.to_message())
        state.extra["context_tokens"] = compaction.context_tokens(turn.usage)
        if turn.text.strip() and turn.tool_uses:
            await emit(ev.Thinking(text=turn.text.strip()))
        uses = turn.tool_uses
        if not uses:
            state.done, state.step = True, state.step + 1
            await save(state)
            return Outcome("done", turn.text)
        results: list[dict[str, Any]] = []
        halt: Outcome | None = None
        for index, use in enumerate(uses):
            signature = guard.seen(use.name, use.input)
            if signature is not None:
                halt = Outcome("escalated", "repetition", {"signature": signature, "tool": use.name})
            elif guards.over_cap(state.tool_calls, limits.max_tool_calls):
                halt = Outcome("escalated", "iteration limit reached",
                               {"tool_calls": state.tool_calls, "limit": limits.max_tool_calls})
            if halt is not None:
                results += _halted_results(uses, index, halt.reason)
                break
            if use.name in tools.SLOW_TOOLS:  # worth showing while it runs
                await emit(ev.ToolCalled(tool=use.name, label=tools.call_label(use.name, use.input)))
            result = await tools.dispatch(context, use.name, use.input)
            state.tool_calls += 1
            content = guards.truncate_result(result.content)
            heals = result.is_error and context.on_failure is not None and use.name not in healing.BEST_EFFORT_TOOLS
            heal = await context.on_failure(use.name, use.input, result.content) if heals else None
            if heal is not None:  # what was tried, and that the next try must differ
                content = f"{content}\n\n[{heal.note}]"
            results.append({"type": "tool_result", "tool_use_id": use.id, "content": content,
                            "is_error": result.is_error})
            await emit(ev.ToolUsed(tool=use.name, label=result.label, ok=not result.is_error,
                                   detail=result.content[:300]))
            if heal is not None and heal.escalate:
                halt = Outcome("escalated", "self-healing", {"signature": heal.signature, "note": heal})
                results += _halted_results(uses, index + 1, "the founder is being asked how to go on")
                break
            healing_now = state.extra.get("healing", {})
            if heal is not None:  # the model calls that follow are spent on this signature (the ledger says so)
                state.extra["healing"] = {"signature": heal.signature, "tool": use.name}
            elif not result.is_error and healing_now.get("tool") == use.name:
                state.extra.pop("healing", None)  # the tool that failed works again
            if heal is not None and heal.new_approach:
                await emit(ev.FixAttempt(attempt=heal.attempt, of=healing.MAX_APPROACHES, tool=use.name,
                                         signature=heal.signature, problem=heal.message[:160]))
        state.messages.append({"role": "user", "content": results})
        state.repetition, state.phase = guard.to_json(), dict(context.phase)
        state.step += 1
        steps += 1
        await save(state)
        if halt is not None:
            return halt
