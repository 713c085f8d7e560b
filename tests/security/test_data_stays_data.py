"""Data stays data: what a founder (or the model) wrote reaches the generated app only as escaped
data, never spliced into code.

Finding 1 of the containment issue, replayed: a project name ending the generated server's
docstring with three quotes ran the rest of the name as Python when the app started. Each hostile
value here goes through the offline co-founder's whole build script into a real workspace; the
app's own tests pass, the app starts, and it shows the value as text.
"""

from __future__ import annotations

import html
import json
import subprocess
import time
import urllib.request

import pytest

from agent import appstack, offline_builder
from tests.support.servers import free_port

STACK_ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(appstack.location()), "LANG": "C.UTF-8"}

HOSTILE = {
    "triple quotes": '"""; import os; os.mkdir("pwned"); x = """',
    "single triple quotes": "'''; __import__('os').mkdir('pwned'); '''",
    "backslashes": "C:\\new\\table \\x00 \\N{BULLET} \\",
    "newlines": "First line\nimport os\nos.mkdir('pwned')\n",
    "braces": "{name} {0} {{}} {__import__('os').mkdir('pwned')}",
    "script tag": "</script><script>document.title='pwned'</script><img src=x onerror=alert(1)>",
    "long": "A very long promise. " * 500,
}


def _files(name: str, promise: str, feature: str) -> dict[str, str]:
    """Every file the offline build writes, as its last write leaves it."""
    brief = {"title": name, "value_proposition": promise,
             "mvp_features": [{"name": feature, "description": promise[:300]}]}
    phases = [{"title": "Foundation"}, {"title": feature}, {"title": "Polish and docs"}]
    files: dict[str, str] = {}
    for turn in offline_builder.script(brief, phases, port=8000):
        for tool, arguments in turn:
            if tool == "write_file":
                files[arguments["path"]] = arguments["content"]
    return files


def _text(value: str) -> str:
    return " ".join(value.split())


def _get(url: str) -> str:
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_value_is_shown_as_text_and_never_runs(kind, tmp_path):
    value = HOSTILE[kind]
    name = value if kind != "long" else "Long promise"
    feature = value[:80] if kind != "long" else "Notes"
    files = _files(name, value, feature)
    engine = appstack.template_files()
    for path, content in files.items():
        if path != offline_builder.SCHEMA:
            assert content == engine[path], f"{path} is not the engine's own code"  # nothing typed is in code
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content)
    schema = json.loads(files[offline_builder.SCHEMA])
    assert schema["name"] == name and schema["promise"] == value and schema["pages"][0]["title"] == feature

    tests = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=tmp_path,
                           env=STACK_ENV, capture_output=True, text=True, timeout=120)
    assert tests.returncode == 0, tests.stdout[-3000:]

    port = free_port()
    app = subprocess.Popen(["/usr/bin/python3", "app/main.py", "--port", str(port)], cwd=tmp_path, env=STACK_ENV,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        home = _get(f"http://127.0.0.1:{port}/")
        assert _text(name) in _text(html.unescape(home))  # shown as text...
        if "<" in value:
            assert "<script>document" not in home and "<img src=x" not in home  # ...escaped, never markup
        page = _get(f"http://127.0.0.1:{port}/p/{schema['pages'][0]['slug']}")
        assert _text(feature) in _text(html.unescape(page))
    finally:
        app.kill()
        app.wait(timeout=10)
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "app" / "pwned").exists()
