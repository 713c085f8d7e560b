"""The headless CLI builds a running app from a new idea with the offline co-founder."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from agent import appstack
from agent.services.sandbox import free_port
from agent.services.screenshots import chromium_path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, timeout=300):
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    return subprocess.run([sys.executable, "-m", "agent", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.skipif(chromium_path() is None, reason="the build takes screenshots with Chromium")
def test_an_idea_becomes_a_running_app_with_docs_and_screenshots(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"scope": "a plant list, watering reminders, care tips"}))
    result = cli("build", "--idea", "An app that reminds busy people to water their house plants.",
                 "--name", "Plantly", "--audience", "People with houseplants", "--answers", str(answers),
                 "--out", str(tmp_path / "out"), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    types = [line["type"] for line in lines]
    assert types[0] == "start" and types[-1] == "done" and "phase.completed" in types and "tool.used" in types
    out = tmp_path / "out"
    assert {p.name for p in (out / "docs").iterdir()} >= {"overview.md", "features.md", "getting_started.md",
                                                         "faq.md", "idea-brief.md"}
    shots = list((out / "screenshots").iterdir())
    assert len(shots) >= 4 and all(s.stat().st_size > 5000 for s in shots)

    port = free_port()
    server = subprocess.Popen(["/usr/bin/python3", "app/main.py", "--port", str(port)], cwd=out / "code",
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(appstack.location())},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                home = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "Plantly" in home and "Plant list" in home and "Watering reminders" in home
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_bad_input_gets_a_clear_error(tmp_path):
    short = cli("build", "--idea", "plants", "--out", str(tmp_path))
    assert short.returncode == 2 and "at least a sentence" in short.stderr
    (tmp_path / "answers.json").write_text("[1, 2]")
    bad = cli("build", "--idea", "An app that reminds people to water plants.", "--answers",
              str(tmp_path / "answers.json"), "--out", str(tmp_path / "o"))
    assert bad.returncode == 1 and "must be a JSON object" in bad.stderr
