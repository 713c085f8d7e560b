"""The agent loop: think (a model turn) -> act (run its tool calls) -> observe (append the results)
-> repeat, until the model ends its turn, the founder pauses, a guard halts it, or the slice ends.

Collaborators come in as arguments (the model, the tool context, emit, save, should_pause,
on_turn) and an `Outcome` comes out, so the loop is tested with scripted models and real sandboxes
and never builds a client itself. The conversation only ever grows at its end (results are truncated
once, when appended), so every request repeats the previous one as a cacheable prefix, until the
conversation nears the context window and is compacted (`agent/compaction.py`).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from agent import compaction
from agent import events as ev
from agent import healing
from agent import guards, tools, turn_end
from agent.services.llm import LLM, LLMError, OnDelta, ToolUse, Turn

Emit = Callable[[ev.Event], Awaitable[None]]


@dataclass(frozen=True)
class LoopLimits:
    max_tool_calls: int = 400
    slice_steps: int = 25  # steps per worker job before it hands over to its continuation
    slice_seconds: float = 240.0
    max_tokens: int = 32_000  # whole files fit in one reply (streamed, so a long reply is safe)


@dataclass
class LoopState:
    """Everything needed to continue after a restart; saved as the JSON checkpoint after each step."""

    messages: list[dict[str, Any]]
    step: int = 0
    tool_calls: int = 0
    repetition: dict[str, Any] | list[str] = field(default_factory=dict)  # guards.RepetitionGuard
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


def _result_block(use_id: str, result: tools.ToolResult, content: str) -> dict[str, Any]:
    """A tool result for the next request; a screenshot comes with its picture for the model to see."""
    if result.image is None:
        return {"type": "tool_result", "tool_use_id": use_id, "content": content, "is_error": result.is_error}
    picture = {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg",
                                           "data": base64.b64encode(result.image).decode()}}
    return {"type": "tool_result", "tool_use_id": use_id, "is_error": result.is_error,
            "content": [{"type": "text", "text": content}, picture]}


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
    on_delta: OnDelta | None = None,
) -> Outcome:
    started, steps = clock(), 0
    guard = guards.RepetitionGuard.from_json(state.repetition)
    context.phase.update(state.phase)
    while True:
        if await should_pause():
            return Outcome("paused", "The founder paused the build.")
        if steps >= limits.slice_steps or clock() - started >= limits.slice_seconds:
            return Outcome("slice_end")
        if state.extra.pop("compact_now", False) or compaction.due(state.extra, state.messages):
            state.messages = compaction.compact(state.messages, state.extra, state.phase)
            state.extra["context_tokens"] = 0
            await emit(ev.Narration(text="I condensed my notes on the build so far, so I can keep going without "
                                         "losing track."))
            await save(state)
        try:
            turn = await llm.turn(system=system, messages=state.messages, tools=tools.SPECS,
                                  max_tokens=limits.max_tokens, on_delta=on_delta)
        except LLMError as exc:  # "prompt is too long": condense the notes once and ask again
            if not exc.too_long or state.extra.get("condensed_for_length"):
                raise
            state.extra["condensed_for_length"] = state.extra["compact_now"] = True
            continue
        state.extra.pop("condensed_for_length", None)
        await on_turn(turn)
        state.step, steps = state.step + 1, steps + 1
        if turn.stop_reason == "model_context_window_exceeded":  # dropped: condense the notes and go on
            state.extra["compact_now"] = True
            await save(state)
            continue
        if turn.stop_reason == "refusal":  # never replayed: the founder decides how to go on
            await save(state)
            return Outcome("escalated", "refusal", {"text": turn.text.strip()[:500]})
        if turn.content:
            state.messages.append(turn.to_message())
        state.extra["context_tokens"] = compaction.context_tokens(turn.usage)
        if turn.text.strip() and turn.tool_uses:
            await emit(ev.Thinking(text=turn.text.strip()))
        uses = turn.tool_uses
        if not uses:
            if turn.stop_reason == "max_tokens":
                left, note = "a reply cut off at the output limit", turn_end.CUT_TEXT
            else:
                left = await turn_end.unfinished(context)
                note = turn_end.nudge(left)
            if not left:
                state.done = True
                await save(state)
                return Outcome("done", turn.text)
            nudges = int(state.extra.get("nudges", 0)) + 1
            state.extra["nudges"] = 0 if nudges > turn_end.NUDGES else nudges
            if nudges > turn_end.NUDGES:  # it keeps stopping with work left: the founder is asked
                await save(state)
                return Outcome("escalated", "stuck", {"text": turn.text.strip()[:1500], "left": left})
            turn_end.say(state.messages, note)
            await save(state)
            continue
        state.extra["nudges"] = 0
        cut = turn_end.cut_call(turn.content, turn.stop_reason)
        results: list[dict[str, Any]] = []
        halt: Outcome | None = None
        for index, use in enumerate(uses):
            if use.id == cut:
                results.append({"type": "tool_result", "tool_use_id": use.id, "content": turn_end.CUT_CALL,
                                "is_error": True})
                continue
            if guards.over_cap(state.tool_calls - int(state.extra.get("cap_from", 0)), limits.max_tool_calls):
                halt = Outcome("escalated", "iteration limit reached",
                               {"tool_calls": state.tool_calls, "limit": limits.max_tool_calls})
                results += _halted_results(uses, index, halt.reason)
                break
            if use.name in tools.SLOW_TOOLS:  # worth showing while it runs
                await emit(ev.ToolCalled(tool=use.name, label=tools.call_label(use.name, use.input)))
            result = await tools.dispatch(context, use.name, use.input)
            state.tool_calls += 1
            restored = await context.recover() if result.is_error and context.recover is not None else ""
            if restored:  # the call failed for want of a workspace, not for its approach: no healing count
                result = tools.ToolResult(f"{result.content}\n\n[{restored}]", label=result.label, is_error=True)
            content = result.content if result.uncut else guards.truncate_result(result.content)
            heal = None if restored else await _heal(context, state, use, result, guard.generation)
            if heal is not None:  # what was tried, and that the next try must differ
                content = f"{content}\n\n[{heal.note}]"
            results.append(_result_block(use.id, result, content))
            await emit(ev.ToolUsed(tool=use.name, label=result.label, ok=not result.is_error,
                                   detail=result.content[:300]))
            repeated = guard.after(use.name, use.input, result.content, not result.is_error)
            if heal is not None and heal.escalate:
                halt = Outcome("escalated", "self-healing", {"signature": heal.signature, "note": heal})
            elif repeated is not None:
                halt = Outcome("escalated", "repetition", {"signature": repeated, "tool": use.name,
                                                           "label": result.label})
            elif use.name == tools.ASK and not result.is_error:
                halt = Outcome("escalated", "question", tools.founder_question(use.input))
            if halt is not None:
                why = ("waiting for the founder's answer" if halt.reason == "question"
                       else "the founder is being asked how to go on")
                results += _halted_results(uses, index + 1, why)
                break
            if heal is not None and heal.new_approach:
                await emit(ev.FixAttempt(attempt=heal.attempt, of=healing.MAX_APPROACHES, tool=use.name,
                                         signature=heal.signature, problem=heal.message[:160]))
        state.messages.append({"role": "user", "content": results})
        state.repetition, state.phase = guard.to_json(), dict(context.phase)
        await save(state)
        if halt is not None:
            return halt


async def _heal(context: tools.ToolContext, state: LoopState, use: ToolUse, result: tools.ToolResult,
                workspace: int) -> healing.HealNote | None:
    """Self-healing's word on a failed call (None for a call that worked, or a best-effort tool's
    failure); a call that failed before and works now solves the problems it had met."""
    failing: list[str] = state.extra.setdefault("failing", [])
    call = guards.call_signature(use.name, use.input)
    if not result.is_error:
        if state.extra.get("healing", {}).get("tool") == use.name:
            state.extra.pop("healing", None)  # the tool that failed works again
        if call in failing:
            failing.remove(call)
            if context.on_success is not None:
                await context.on_success(use.name, use.input)
        return None
    if context.on_failure is None or use.name in healing.BEST_EFFORT_TOOLS:
        return None
    heal = await context.on_failure(use.name, use.input, result.content, workspace)
    if heal is None:
        return None
    if call not in failing:
        failing.append(call)
    state.extra["healing"] = {"signature": heal.signature, "tool": use.name}  # the ledger books the calls to it
    return heal
