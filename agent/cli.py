"""The headless journey: `python -m agent build --idea "..." --out DIR`.

Interview (with the given answers, or sensible defaults drawn from the idea), Idea Brief, plan and
build, with the offline co-founder unless ANTHROPIC_API_KEY is set; one line per event on stdout
(`--json` for JSON lines); the app, the docs and the screenshots end up in DIR.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from agent import brief as brief_rules
from agent import appstack, build, plan, tools
from agent import events as ev
from agent import interview as iv
from agent.config import Settings
from agent.founder_safe import register_secrets
from agent.loop import LoopLimits, LoopState, run_loop
from agent.offline import OfflineCoFounder
from agent.offline_builder import OfflineBuilder
from agent.services.llm import LLM, LLMError, force_tool
from agent.services.adapters import sandbox_limits, sandbox_state
from agent.services.confinement import UNAVAILABLE
from agent.services.local_sandbox import LocalSandbox
from agent.services.sandbox import free_port
from agent.services.screenshots import ChromiumScreenshots


class CliError(Exception):
    """A failure explained in one line; the command exits with status 1."""


def default_answer(question: iv.Question, idea: iv.IdeaFacts) -> str | None:
    """What the CLI answers when no answers file is given: the idea's own words, or a skip."""
    answers = {
        "problem": idea.idea,
        "users": idea.audience or None,
        "value": f"They get what the idea promises: {idea.idea}",
        "scope": None,  # the co-founder proposes the features itself
    }
    return answers.get(question.topic)


def load_answers(path: str | None) -> dict[str, str]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise CliError(f"Could not read the answers file {path}: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise CliError('The answers file must be a JSON object of question keys or topics to answers, '
                       'for example {"problem": "...", "scope": "profiles, search, booking"}.')
    return data


async def _tool_call(llm: LLM, system: str, prompt: str, tool: dict[str, Any]) -> dict[str, Any]:
    turn = await llm.turn(system=system, messages=[{"role": "user", "content": prompt}], tools=[tool],
                          tool_choice=force_tool(tool["name"]))
    data = turn.tool_input(tool["name"])
    if data is None:
        raise CliError("The co-founder answered without the expected result.")
    return data


async def journey(llm: LLM, idea: iv.IdeaFacts, given: dict[str, str], say
                  ) -> tuple[dict, list[dict], list[dict]]:
    """Interview, brief and plan; returns the brief, the answers (as the build's prompt quotes them) and the phases."""
    answers: list[iv.Answered] = []
    transcript: list[dict] = []
    while True:
        proposal = await _tool_call(llm, iv.SYSTEM, iv.prompt(idea, answers), iv.NEXT_QUESTION_TOOL)
        question = iv.accept_proposal(proposal, idea, answers)
        if question is None:
            break
        text = given.get(question.key, given.get(question.topic)) or default_answer(question, idea)
        answers.append(iv.Answered(key=question.key, topic=question.topic, answer=text or "", skipped=not text))
        transcript.append({"question": question.text, "answer": text or "", "skipped": not text})
        say("interview.answer", f"Q{len(answers)}: {question.text} -> {text or '(skipped)'}")
    brief = brief_rules.normalise({**await _tool_call(llm, brief_rules.SYSTEM, brief_rules.prompt(idea, answers),
                                                      brief_rules.WRITE_BRIEF_TOOL), "title": idea.name})
    say("brief.ready", f"Idea Brief: {len(brief['mvp_features'])} MVP features")
    plan_data = await _tool_call(llm, plan.SYSTEM, plan.prompt(brief), plan.WRITE_PLAN_TOOL)
    phases = plan.normalise(plan_data.get("phases") or [], llm.model if not llm.offline else "claude-sonnet-4-5")
    say("plan.ready", f"Plan: {len(phases)} phases")
    return brief, transcript, phases


async def run(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    def say(kind: str, text: str, payload: dict | None = None) -> None:
        print(json.dumps({"type": kind, "summary": text, **({"payload": payload} if payload else {})})
              if args.json else f"{kind:<20} {text}", flush=True)

    if settings.llm_backend == "anthropic":
        from agent.services.claude import AnthropicLLM

        thinker = builder = AnthropicLLM.from_settings(settings)
    else:
        thinker, builder = OfflineCoFounder(), OfflineBuilder()
    say("start", f"Building with the {thinker.label} into {out}")
    idea = iv.facts(args.name or "My app", args.idea, args.audience or "")
    brief, answers, phases = await journey(thinker, idea, load_answers(args.answers), say)
    (out / "docs").mkdir(exist_ok=True)
    (out / "docs" / "idea-brief.md").write_text(brief_rules.to_markdown(brief))
    board = {i + 1: p["title"] for i, p in enumerate(phases)}

    async def emit(event: ev.Event) -> None:
        if args.json:
            say(ev.type_of(event), event.summary, ev.to_payload(event))
        elif not getattr(event, "quiet", False):  # the text view reads like the founder's feed
            say(ev.type_of(event), event.summary)

    async def save_doc(kind: str, text: str) -> None:
        (out / "docs" / f"{kind}.md").write_text(text)

    async def save_screenshot(name: str, png: bytes) -> str:
        path = out / "screenshots" / f"{''.join(c if c.isalnum() else '-' for c in name.lower())}.png"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(png)
        return str(path.relative_to(out))

    async def move_phase(number: int, status: str) -> str:
        if number not in board:
            raise LookupError(number)
        return board[number]

    async def nothing(*_args) -> bool:
        return False

    async def on_turn(turn) -> None:
        return None

    register_secrets(settings.secret_values())
    found = sandbox_state(settings, local=True)
    if not found.available:
        raise CliError(f"{UNAVAILABLE} ({found.problem}; SANDBOX=unconfined runs it without confinement, for "
                       "development only)")
    shots = ChromiumScreenshots()
    sandbox = LocalSandbox(out / "code", confinement=found.confinement, limits=sandbox_limits(settings))
    context = tools.ToolContext(sandbox=sandbox, emit=emit, save_doc=save_doc, save_screenshot=save_screenshot,
                                capture=shots.capture, move_phase=move_phase)
    state = LoopState(messages=[build.FIRST_MESSAGE])
    system = build.system_prompt(brief=brief, answers=answers, phases=phases, port=free_port())
    try:
        outcome = await run_loop(llm=builder, system=system, context=context, state=state, emit=emit,
                                 save=lambda s: _checkpoint(out, s), should_pause=nothing, on_turn=on_turn,
                                 limits=LoopLimits(slice_steps=10_000, slice_seconds=3600))
    finally:
        await sandbox.close()
        await shots.close()
    if outcome.status != "done":
        raise CliError(f"The build stopped before the end ({outcome.status}: {outcome.reason}).")
    say("done", f"Built. Run it: cd {out / 'code'} && PYTHONPATH={appstack.location()} python3 app/main.py --port 8000")
    return 0


async def _checkpoint(out: Path, state: LoopState) -> None:
    (out / ".checkpoint.json").write_text(json.dumps(state.to_json()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent", description="AI Co-Founder without the UI.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="interview, brief, plan and build an MVP from an idea")
    b.add_argument("--idea", required=True, help="the idea, in a few sentences")
    b.add_argument("--name", default="", help="the product's name (default: My app)")
    b.add_argument("--audience", default="", help="who it is for")
    b.add_argument("--answers", help="JSON file of interview answers by question key or topic")
    b.add_argument("--out", required=True, help="folder for the app, docs and screenshots")
    b.add_argument("--json", action="store_true", help="print JSON lines instead of text")
    args = parser.parse_args(argv)
    if len(args.idea.split()) < 5:
        print("error: describe the idea in at least a sentence (five words or more).", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run(args, Settings.from_env()))
    except (CliError, LLMError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopped.", file=sys.stderr)
        return 130
