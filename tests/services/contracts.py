"""The storage contract every adapter passes (local directory, S3)."""

import pytest

from agent.services.storage import ObjectMissing, Storage, StorageError


async def storage_contract(storage: Storage) -> None:
    await storage.put("projects/1/a.txt", b"alpha", content_type="text/plain")
    await storage.put("projects/1/sub/b.bin", b"\x00\x01" * 1000)
    await storage.put("projects/2/c.txt", b"gamma")
    assert await storage.get("projects/1/a.txt") == b"alpha"
    assert await storage.get("projects/1/sub/b.bin") == b"\x00\x01" * 1000

    await storage.put("projects/1/a.txt", b"alpha v2")  # overwrite
    assert await storage.get("projects/1/a.txt") == b"alpha v2"

    assert await storage.list("projects/1/") == ["projects/1/a.txt", "projects/1/sub/b.bin"]
    assert "projects/2/c.txt" in await storage.list()

    await storage.delete("projects/1/a.txt")
    await storage.delete("projects/1/a.txt")  # deleting twice is fine
    with pytest.raises(ObjectMissing):
        await storage.get("projects/1/a.txt")
    assert await storage.list("projects/1/") == ["projects/1/sub/b.bin"]

    for bad in ("../escape", "/etc/passwd", "a//b", "a/./b", "", "a\\b"):
        with pytest.raises(StorageError):
            await storage.put(bad, b"x")


async def llm_contract(llm) -> None:
    """What every LLM adapter does (the offline co-founder; Claude through the Anthropic SDK):
    a forced tool call comes back as a ToolUse with a dict input and the tool_use stop reason, a
    plain turn comes back as text, streamed deltas add up to the result, usage is counted."""
    import json

    from agent import interview
    from agent.services.llm import ToolUse, Turn, force_tool

    assert isinstance(llm.label, str) and llm.label and isinstance(llm.offline, bool) and llm.model
    deltas: list[tuple[str, str]] = []

    async def on_delta(kind: str, chunk: str) -> None:
        deltas.append((kind, chunk))

    idea = interview.facts("Walkies", "A marketplace for dog walkers.", "Dog owners")
    turn = await llm.turn(system=interview.SYSTEM, messages=[{"role": "user", "content": interview.prompt(idea, [])}],
                          tools=[interview.NEXT_QUESTION_TOOL], tool_choice=force_tool("next_question"),
                          on_delta=on_delta)
    assert isinstance(turn, Turn) and turn.stop_reason == "tool_use"
    use = turn.tool_uses[0]
    assert isinstance(use, ToolUse) and use.name == "next_question" and isinstance(use.input, dict)
    assert json.loads("".join(c for k, c in deltas if k == "tool_input")) == use.input
    assert turn.usage.input_tokens > 0 and turn.usage.output_tokens > 0
    assert turn.to_message()["content"][-1]["type"] == "tool_use"

    deltas.clear()
    turn = await llm.turn(system="Answer briefly.", messages=[{"role": "user", "content": "Who are you?"}],
                          on_delta=on_delta)
    assert turn.stop_reason == "end_turn" and turn.text
    assert "".join(c for k, c in deltas if k == "text") == turn.text


async def sandbox_contract(box) -> None:
    """What every sandbox does (local, E2B): run commands with exit codes and output, read and write
    files in folders, list them, refuse paths outside, and snapshot and restore the workspace."""
    from agent.services.sandbox import PathRefused, SandboxError

    assert box.sandbox_id
    result = await box.run("echo hello; echo oops >&2; exit 3")
    assert result.exit_code == 3 and "hello" in result.output and "oops" in result.output and not result.timed_out
    await box.write_file("app/main.py", b"print('hi')\n")
    assert await box.read_file("app/main.py") == b"print('hi')\n"
    assert (await box.run("python3 app/main.py")).output.strip() == "hi"
    assert "app/main.py" in await box.list_files()
    for bad in ("/etc/passwd", "../outside.txt"):
        with pytest.raises(PathRefused):
            await box.read_file(bad)
    with pytest.raises(SandboxError):
        await box.read_file("does/not/exist.txt")
    archive = await box.snapshot()
    await box.write_file("app/main.py", b"changed")
    await box.write_file("extra.txt", b"new")
    await box.restore(archive)
    assert await box.read_file("app/main.py") == b"print('hi')\n"
    assert "extra.txt" not in await box.list_files()  # the workspace is exactly as it was
