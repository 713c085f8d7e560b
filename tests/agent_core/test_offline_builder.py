"""The offline builder's script follows the brief and the plan the founder approved."""

import json
import subprocess

import pytest

from agent import appstack, handover
from agent import brief as brief_rules
from agent import interview as iv
from agent import plan
from agent.offline_builder import SCHEMA, script
from tests.support.founders import FOUNDERS


def writes(turns):
    return {args["path"]: args["content"] for turn in turns for tool, args in turn if tool == "write_file"}


def build_for(name, idea, scope):
    facts = iv.facts(name, idea, "people")
    brief = brief_rules.draft_offline(facts, [iv.Answered(key="scope", topic="scope", answer=scope)])
    return brief, plan.phases_offline(brief)


def test_different_briefs_give_visibly_different_apps():
    walkies = json.loads(writes(script(*build_for("Walkies", "Dog owners book walkers.",
                                                  "walker profiles, booking a walk"), port=8001))[SCHEMA])
    plantly = json.loads(writes(script(*build_for("Plantly", "Reminders to water plants.",
                                                  "a plant list, watering reminders"), port=8002))[SCHEMA])
    assert walkies["name"] == "Walkies" and plantly["name"] == "Plantly"
    assert [p["title"] for p in walkies["pages"]] == ["Walker profiles", "Booking a walk"]
    assert [e["name"] for e in plantly["entities"]] == ["Plant", "Reminder"]
    booking = next(e for e in walkies["entities"] if e["name"] == "Booking")
    assert {f["label"] for f in booking["fields"]} == {"Walk", "When"}


def test_the_engine_is_written_once_and_each_feature_only_adds_data():
    turns = script(*build_for("Walkies", "Dog owners book walkers.", "walker profiles, booking a walk"), port=8004)
    per_turn = [[args["path"] for tool, args in turn if tool == "write_file"] for turn in turns]
    engine = set(appstack.template_files())
    assert set(per_turn[1]) == engine | {SCHEMA}
    later = [path for paths in per_turn[2:] for path in paths]
    assert later and set(later) == {SCHEMA}
    pages = [len(json.loads(args["content"])["pages"]) for turn in turns for tool, args in turn
             if tool == "write_file" and args["path"] == SCHEMA]
    assert pages == [0, 1, 2]  # the foundation, then a page a phase


def test_the_script_follows_an_edited_plan():
    brief, phases = build_for("Walkies", "Dog owners book walkers.", "walker profiles, booking a walk, reviews")
    edited = [phases[0], {"title": "Reviews from owners"}, phases[-1]]  # reordered, renamed, one removed
    turns = script(brief, edited, port=8003)
    started = [args["phase"] for turn in turns for tool, args in turn if tool == "plan" and args["action"] == "start"]
    assert started == [1, 2, 3]
    schema = json.loads(writes(turns)[SCHEMA])
    assert [p["title"] for p in schema["pages"]] == ["Reviews from owners"]
    assert schema["entities"][0]["name"] == "Review"  # what the new title names
    shots = [args["name"] for turn in turns for tool, args in turn if tool == "take_screenshot"]
    assert shots == ["Home page", "Reviews from owners", "Create an account"]


def _write(turns, folder):
    for path, content in writes(turns).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(content)


@pytest.mark.parametrize("name", ["PlotShare", "TutorMatch", "FixIt", "Bakesale", "Quiet Desk"])
def test_each_corpus_app_passes_its_own_tests_and_the_evidence_says_what_was_checked(name, tmp_path):
    founder = next(f for f in FOUNDERS if f.name == name)
    brief = brief_rules.draft_offline(founder.facts(), founder.answered())
    phases = plan.phases_offline(brief)
    _write(script(brief, phases, port=8005), tmp_path)
    ran = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(appstack.location())},
                         capture_output=True, text=True, timeout=180)
    assert ran.returncode == 0, ran.stdout[-3000:]
    checks = json.loads((tmp_path / "data" / "checks.json").read_text())
    schema = json.loads((tmp_path / SCHEMA).read_text())
    features = plan.planned_features(brief, phases)
    shots = [{"name": f["name"], "key": f"shots/{i}.png"} for i, f in enumerate(features)]
    report = handover.evidence(features, shots, [{"status": "exit code 0"}], schema=schema, checks=checks)
    assert [r["feature"] for r in report] == founder.features
    for row, page in zip(report, schema["pages"]):
        assert row["verified"], row
        expected = ("search finds what was added" if page["mode"] == "browse" else "something added is listed")
        assert row["test"].startswith("checked by the app's own tests: ") and expected in row["test"]

    failing = {**checks, next(k for k in checks if "test_adding_a_record_shows_it" in k): "failed"}
    report = handover.evidence(features, shots, [{"status": "exit code 1"}], schema=schema, checks=failing)
    broken = [r for r in report if "Not working yet: something added is listed straight away" in r["test"]]
    assert len(broken) == 1 and not broken[0]["verified"]
