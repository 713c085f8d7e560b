"""A long build's conversation is compacted before it outgrows the model's context window: the
requests stay bounded and well formed, and nothing the founder said or the agent did is forgotten."""

import dataclasses
import json

from agent import compaction, turn_end
from agent import events as ev
from agent.loop import LoopLimits, LoopState, run_loop
from agent.services.llm import Usage
from agent.services.confinement import UNCONFINED
from agent.services.local_sandbox import LocalSandbox
from tests.agent_core.test_loop import Recorder, Scripted, start

STEPS = 40
NOTE = "Founder's decision: keep the buttons blue and skip the dark mode."


class Sized(Scripted):
    """A scripted model whose usage is the size of what it was sent (tokens = characters / 4)."""

    async def turn(self, *, system, messages, **kwargs):
        turn = await super().turn(system=system, messages=messages, **kwargs)
        return dataclasses.replace(turn, usage=Usage(input_tokens=tokens(messages), output_tokens=40))


def tokens(messages) -> int:
    return len(json.dumps(messages)) // 4


def well_formed(messages) -> bool:
    """Starts with the user, alternates, and every tool result answers a call just before it."""
    if messages[0]["role"] != "user":
        return False
    for before, message in zip(messages, messages[1:]):
        if before["role"] == message["role"]:
            return False
        results = [b["tool_use_id"] for b in message["content"] if isinstance(message["content"], list)
                   and b.get("type") == "tool_result"]
        calls = [b["id"] for b in before["content"] if isinstance(before["content"], list) and b.get("type") == "tool_use"]
        if results and results != calls:
            return False
    return True


async def test_a_long_build_is_compacted_and_remembers_the_founder_and_its_work(tmp_path, monkeypatch):
    monkeypatch.setattr(compaction, "COMPACT_AT", 6_000)
    box = LocalSandbox(tmp_path / "ws", confinement=UNCONFINED)
    rec = Recorder(box)
    body = "".join(f"def handler_{i}(request):\n    return render(request, 'page_{i}.html')\n" for i in range(25))
    model = Sized([[("write_file", {"path": f"app/module_{n}.py", "content": f"# module {n}\n{body}"})]
                   for n in range(STEPS)])
    state = start()
    first = await run_loop(llm=model, system="build", state=state, limits=LoopLimits(slice_steps=15), **rec.kwargs())
    assert first.status == "slice_end" and "compacted" in state.extra  # compacted once already
    state = LoopState.from_json(json.loads(json.dumps(state.to_json())))  # the checkpoint, as the worker keeps it
    turn_end.say(state.messages, NOTE)  # as the worker adds the founder's answer between slices
    outcome = await run_loop(llm=model, system="build", state=state, limits=LoopLimits(slice_steps=100),
                             **rec.kwargs())

    assert outcome.status == "done"
    assert sorted(p.name for p in (tmp_path / "ws" / "app").iterdir()) == sorted(f"module_{n}.py" for n in range(STEPS))
    sizes = [tokens(r) for r in model.requests]
    assert sum(tokens([m]) for m in state.messages[1:]) < tokens(model.requests[-1])
    uncompacted = STEPS * tokens([{"content": body}])
    assert max(sizes) < compaction.COMPACT_AT + 2_500 < uncompacted / 2  # bounded, and far below the whole build
    compacted = [r for r in model.requests if compaction.HEADER in json.dumps(r[0])]
    assert len(compacted) > 10 and all(well_formed(r) for r in model.requests)
    summaries = {r[0]["content"][-1]["text"] for r in compacted}
    assert len(summaries) >= 3  # compacted again and again, each extending the last
    last = model.requests[-1]
    assert last[0]["content"][0]["text"] == start().messages[0]["content"]  # the first message is kept
    assert NOTE in last[0]["content"][-1]["text"]  # verbatim, long after its own step was summarised
    seen = set()
    for index, request in enumerate(model.requests):  # each request that carries a new summary
        if request not in compacted or (summary := request[0]["content"][-1]["text"]) in seen:
            continue
        seen.add(summary)
        kept = [b["input"]["path"] for m in request[1:] if m["role"] == "assistant" for b in m["content"]]
        assert kept == [f"app/module_{n}.py" for n in range(index - compaction.KEEP_STEPS, index)]
        assert f"{index - compaction.KEEP_STEPS} earlier steps are summarised" in summary
        assert all(f"- Writing app/module_{n}.py -> Wrote" in summary for n in range(index - compaction.KEEP_STEPS))
    said = [e.text for e in rec.events if isinstance(e, ev.Narration)]
    assert len(said) == len(summaries) and "condensed my notes" in said[0]


async def test_a_short_build_is_never_compacted(tmp_path):
    rec = Recorder(LocalSandbox(tmp_path / "ws", confinement=UNCONFINED))
    model = Sized([[("bash", {"command": f"echo {n}"})] for n in range(12)])
    await run_loop(llm=model, system="s", state=start(), **rec.kwargs())
    for earlier, later in zip(model.requests, model.requests[1:]):
        assert later[: len(earlier)] == earlier  # each request extends the previous one: the cache holds
    assert not any(isinstance(e, ev.Narration) for e in rec.events)


async def test_the_offline_co_founder_goes_on_from_the_right_step_after_a_compaction():
    from agent import build
    from agent.offline_builder import OfflineBuilder
    from tests.agent_core.test_offline_builder import build_for

    brief, phases = build_for("Walkies", "Dog owners book walkers.", "walker profiles, booking a walk")
    system = build.system_prompt(brief=brief, answers=[], phases=phases, port=8010)
    builder, messages = OfflineBuilder(), [build.FIRST_MESSAGE]
    for _ in range(compaction.KEEP_STEPS + 4):
        turn = await builder.turn(system=system, messages=messages)
        results = [{"type": "tool_result", "tool_use_id": b.id, "content": "ok"} for b in turn.tool_uses]
        messages += [turn.to_message(), {"role": "user", "content": results}]
    expected = await builder.turn(system=system, messages=messages)
    compacted = compaction.compact(messages, {}, {"number": 2, "title": "Walker profiles"})
    assert len(compacted) < len(messages) and compaction.summarised_steps(compacted) == 4
    assert (await builder.turn(system=system, messages=compacted)).tool_uses == expected.tool_uses
