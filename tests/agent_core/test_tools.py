"""The tools on a real local sandbox, and the founder-safe filters."""

import pytest

from agent import events as ev
from agent import founder_safe, tools
from agent.build_events import doc_title
from agent.services.local_sandbox import LocalSandbox
from tests.agent_core.test_loop import Recorder


@pytest.fixture
def rec(tmp_path):
    return Recorder(LocalSandbox(tmp_path / "ws"))  # confined: port 8000 is its own


async def call(rec, tool, **arguments):
    return await tools.dispatch(rec.context, tool, arguments)


async def test_edit_file_needs_one_exact_match_or_replace_all_and_shows_the_closest_text(rec):
    await call(rec, "write_file", path="app.py", content="x = 1\ny = 1\n")
    twice = await call(rec, "edit_file", path="app.py", old_string="= 1", new_string="= 2")
    assert twice.is_error and "appears 2 times" in twice.content and "replace_all" in twice.content
    ok = await call(rec, "edit_file", path="app.py", old_string="y = 1", new_string="y = 2")
    assert not ok.is_error and await rec.context.sandbox.read_file("app.py") == b"x = 1\ny = 2\n"
    every = await call(rec, "edit_file", path="app.py", old_string=" = ", new_string="=", replace_all=True)
    assert every.content == "Edited app.py (2 places)." and await rec.context.sandbox.read_file("app.py") == b"x=1\ny=2\n"
    body = "".join(f"def view_{i}():\n    return render('page_{i}.html', title='Page {i}')\n\n" for i in range(40))
    await call(rec, "write_file", path="views.py", content=body)
    miss = await call(rec, "edit_file", path="views.py", old_string="def view_17():\n  return render('page_17.html')",
                      new_string="x")
    assert miss.is_error and "The closest text is:" in miss.content
    assert "    52\tdef view_17():" in miss.content and "    53\t    return render('page_17.html', title='Page 17')" in miss.content
    legacy = await call(rec, "edit_file", path="app.py", old="x=1", new="x = 1")  # the earlier argument names
    assert not legacy.is_error


async def test_read_file_numbers_lines_and_reads_long_files_in_parts(rec):
    await call(rec, "write_file", path="big.py", content="".join(f"line {n}\n" for n in range(1, 1001)))
    first = await call(rec, "read_file", path="big.py")
    assert first.uncut and first.content.startswith("     1\tline 1\n") and "   400\tline 400" in first.content
    assert first.content.endswith("[lines 1-400 of 1000; read on with offset=401]")
    tail = await call(rec, "read_file", path="big.py", offset=990, limit=50)
    assert tail.content.splitlines()[0] == "   990\tline 990" and tail.content.endswith("[lines 990-1000 of 1000]")
    past = await call(rec, "read_file", path="big.py", offset=2000)
    assert "only 1000 lines" in past.content
    await call(rec, "write_file", path="small.txt", content="a\nb\n")
    assert (await call(rec, "read_file", path="small.txt")).content == "     1\ta\n     2\tb"


async def test_write_file_appends_the_parts_of_a_long_file(rec):
    await call(rec, "write_file", path="app.py", content="part = 1\n")
    more = await call(rec, "write_file", path="app.py", content="part = 2\n", append=True)
    assert more.label == "Added 1 line to app.py"
    assert await rec.context.sandbox.read_file("app.py") == b"part = 1\npart = 2\n"
    fresh = await call(rec, "write_file", path="new.py", content="x = 1\n", append=True)
    assert not fresh.is_error and await rec.context.sandbox.read_file("new.py") == b"x = 1\n"


async def test_bash_output_is_cleaned_and_failures_are_values(rec, monkeypatch):
    result = await call(rec, "bash", command="printf '\\033[31mred\\033[0m sk-ant-abcdefghijklmnop token=hunter2hunter2'")
    assert result.content.endswith("red [redacted] token=[redacted]")
    failed = await call(rec, "bash", command="exit 7")
    assert failed.is_error and failed.content.startswith("[exit code 7]")
    slow = await call(rec, "bash", command="sleep 5", timeout=1)
    assert slow.is_error and "timed out" in slow.content


async def test_grep_glob_and_unknown_tools(rec):
    await call(rec, "write_file", path="src/a.py", content="def walk_dog():\n    pass\n")
    await call(rec, "write_file", path="src/b.txt", content="nothing\n")
    assert "src/a.py:1:def walk_dog" in (await call(rec, "grep", pattern="walk_dog")).content
    assert (await call(rec, "glob", pattern="**/*.py")).content == "src/a.py"
    assert (await call(rec, "nope")).is_error
    assert (await call(rec, "read_file")).is_error  # missing argument: an error value, not an exception


async def test_screenshots_never_fail_the_build(rec):
    no_app = await call(rec, "take_screenshot", path="/", name="Home")
    assert no_app.is_error and "not running" in no_app.content
    await rec.context.sandbox.start_server("python3 -m http.server 8000 --bind 127.0.0.1", port=8000)

    async def tiny(address, path):
        return b"\x89PNG" + b"0" * 100

    rec.context.capture = tiny
    small = await call(rec, "take_screenshot", path="/", name="Home")
    assert small.is_error and "discarded" in small.content and rec.shots == {}

    async def broken(address, path):
        raise TimeoutError("page never loaded")

    rec.context.capture = broken
    assert "carry on" in (await call(rec, "take_screenshot", path="/", name="Home")).content

    async def good(address, path):
        return b"\x89PNG" + b"1" * 9000

    rec.context.capture = good
    assert not (await call(rec, "take_screenshot", path="/", name="Home")).is_error
    assert rec.shots["Home"] and any(isinstance(e, ev.ScreenshotTaken) for e in rec.events)
    await rec.context.sandbox.close()


async def test_narration_and_docs_stay_founder_safe(rec):
    ok = await call(rec, "narrate", text="I'm building the sign-up page now.")
    assert not ok.is_error and rec.events[-1] == ev.Narration(text="I'm building the sign-up page now.")
    for bad in ("Traceback (most recent call last):\n  File \"x.py\", line 1", "I edited app/main.py",
                "Run `pip install x`", "My key is sk-ant-abcdefghijkl", "", "x" * 400):
        assert (await call(rec, "narrate", text=bad)).is_error
    good = await call(rec, "document", kind="faq", content="# Questions\n\n**Is it free?** Yes, for now.")
    assert not good.is_error and rec.docs["faq"].startswith("# Questions")
    assert (await call(rec, "document", kind="faq", content="```python\nprint(1)\n```")).is_error
    assert (await call(rec, "document", kind="secrets", content="Hello")).is_error


async def test_the_plan_tool_moves_known_phases_only(rec):
    rec.phases = {1: "Foundation", 2: "Booking"}
    assert (await call(rec, "plan", action="start", phase=2)).label == "Started Booking"
    assert rec.context.phase == {"number": 2, "title": "Booking"}
    assert (await call(rec, "plan", action="complete", phase=2)).label == "Finished Booking"
    assert (await call(rec, "plan", action="start", phase=9)).is_error
    assert (await call(rec, "plan", action="explode", phase=1)).is_error


def test_call_labels_read_well():
    assert tools.call_label("bash", {"command": "python3 -m unittest"}) == "Running “python3 -m unittest”"
    assert tools.call_label("write_file", {"path": "app.py", "content": "..."}) == "Writing app.py"
    assert tools.call_label("write_file", {}) == "Writing"
    assert tools.call_label("document", {"kind": "getting_started", "content": "..."}) == "Writing the getting started guide"
    assert tools.call_label("document", {}) == "Writing a guide"
    assert tools.call_label("document", {"kind": "faq", "content": "..."}) == "Writing the FAQ guide"
    assert ev.DocWritten(kind="faq").summary == "Wrote the FAQ guide"
    assert [doc_title(k) for k in tools.DOC_KINDS] == ["Overview", "Features", "Getting started", "FAQ"]


def test_redaction_and_ansi():
    text = "\x1b[1;32mOK\x1b[0m AKIAABCDEFGHIJKLMNOP sk_live_abcdefghij whsec_abcdefghijk password: s3cr3tpass"
    assert founder_safe.clean_output(text) == "OK [redacted] [redacted] [redacted] password: [redacted]"


async def test_the_preview_is_announced_only_once_the_app_answers(rec, monkeypatch):
    from agent.services import app_http, local_sandbox

    monkeypatch.setattr(local_sandbox, "START_SECONDS", 3.0)
    silent = await call(rec, "start_app", command="sleep 30", port=8000)
    assert silent.is_error and "did not listen on port 8000" in silent.content
    assert not [e for e in rec.events if isinstance(e, ev.PreviewReady)]

    started = await call(rec, "start_app", command="sleep 0.5; python3 -m http.server 8000 --bind 127.0.0.1",
                         port=8000)
    assert not started.is_error and "unix:" not in started.content  # no host path reaches the model
    announced = [e for e in rec.events if isinstance(e, ev.PreviewReady)]
    assert [e.port for e in announced] == [8000]
    async with app_http.client(announced[0].url) as app:  # answering the moment it is announced
        assert (await app.get("/")).status_code == 200
    await rec.context.sandbox.close()
