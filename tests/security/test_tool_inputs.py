"""No tool raises, whatever the model sends: every tool's arguments fuzzed (Hypothesis) against the
real confined sandbox, and the awkward cases by name: an overlong path, a folder where a file was
expected, a glob over a 3,000-level tree, binary content, a full disk."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent import tools
from agent.services import local_sandbox
from agent.services.local_sandbox import LocalSandbox
from agent.services.sandbox import Limits

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", ".", "..", "/", "../../etc/passwd", "a" * 300, "a/" * 2000, "\x00", "dir", "dir/",
                     "app", "**/*", "[", "\\\\server\\share", "~/x", "x" * 5000, "\ud800", "é/ü/中文.txt"]),
)
VALUE = st.one_of(ODD_TEXT, st.integers(-10**12, 10**12), st.none(), st.booleans(), st.floats(allow_nan=True),
                  st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


class Quick(LocalSandbox):
    """The real sandbox, with every command cut short: the fuzzer must not wait on `sleep 600`."""

    async def run(self, command, *, timeout=60.0):
        return await super().run(command, timeout=min(float(timeout), 3.0))


@pytest.fixture
async def context(tmp_path, monkeypatch):
    monkeypatch.setattr(local_sandbox, "START_SECONDS", 2.5)
    box = Quick(tmp_path / "ws", limits=Limits(cpu_seconds=10))
    (box.workspace / "dir").mkdir()
    (box.workspace / "app").mkdir()
    (box.workspace / "app" / "main.py").write_text("print('hi')\n")
    (box.workspace / "binary.bin").write_bytes(bytes(range(256)) * 10)

    async def emit(_event):
        return None

    async def save_doc(_kind, _text):
        return None

    async def save_screenshot(_name, _png):
        return "key"

    async def capture(_address, _path):
        return b"\x89PNG" + b"0" * 6000

    async def move_phase(number, _status):
        if not isinstance(number, int) or not 1 <= number <= 3:
            raise LookupError(number)
        return "Phase"

    yield tools.ToolContext(sandbox=box, emit=emit, save_doc=save_doc, save_screenshot=save_screenshot,
                            capture=capture, move_phase=move_phase)
    await box.close()


def arguments_for(spec: dict) -> st.SearchStrategy[dict]:
    names = list(spec["input_schema"]["properties"])
    return st.dictionaries(st.sampled_from(names + ["extra", "path", "content"]), VALUE, max_size=len(names) + 1)


TOOL_CALLS = st.sampled_from(tools.SPECS).flatmap(lambda spec: st.tuples(st.just(spec["name"]), arguments_for(spec)))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call=TOOL_CALLS)
async def test_no_tool_raises_whatever_it_is_given(context, call):
    name, arguments = call
    result = await tools.dispatch(context, name, arguments)
    assert isinstance(result, tools.ToolResult) and isinstance(result.content, str) and result.label


async def call(context, name, **arguments):
    result = await tools.dispatch(context, name, arguments)
    assert isinstance(result, tools.ToolResult)
    return result


async def test_the_awkward_cases_come_back_as_errors_the_model_can_read(context):
    assert (await call(context, "read_file", path="a" * 300)).is_error  # a name too long
    assert (await call(context, "read_file", path="/".join(["a"] * 3000))).is_error  # a path too long
    assert "not a file" in (await call(context, "read_file", path="dir")).content
    assert (await call(context, "write_file", path="dir", content="x")).is_error  # a folder, not a file
    assert (await call(context, "write_file", path="x.txt", content="\ud800")).is_error  # not encodable
    binary = await call(context, "read_file", path="binary.bin")
    assert not binary.is_error and "\ufffd" in binary.content
    assert (await call(context, "edit_file", path="dir", old="a", new="b")).is_error
    assert (await call(context, "start_app", command="true", port="eighty")).is_error
    assert (await call(context, "bash", command="echo hi\x00there")).is_error  # a NUL cannot be in a command


async def test_a_glob_over_a_very_deep_tree_answers(context):
    deep = "import os\nfor _ in range(3000):\n    os.mkdir('d'); os.chdir('d')\nopen('deep.txt', 'w').close()\nprint('made')"
    await context.sandbox.write_file("deep.py", deep.encode())
    try:
        made = await LocalSandbox.run(context.sandbox, "python3 deep.py", timeout=120)
        assert "made" in made.output
        listed = await call(context, "glob", pattern="**/*.txt")
        assert not listed.is_error  # the deep file is beyond the walk's depth: it is simply not listed
        files = await asyncio.wait_for(context.sandbox.list_files(), 30)
        assert "app/main.py" in files
    finally:  # rm copes with any depth (pytest's own clean-up, shutil.rmtree, does not on Python 3.11)
        await LocalSandbox.run(context.sandbox, "rm -rf d", timeout=120)
