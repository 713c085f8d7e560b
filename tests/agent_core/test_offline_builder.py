"""The offline builder's script follows the brief and the plan the founder approved."""

from agent import brief as brief_rules
from agent import interview as iv
from agent import plan
from agent.offline_builder import script


def writes(turns):
    return {args["path"]: args["content"] for turn in turns for tool, args in turn if tool == "write_file"}


def build_for(name, idea, scope):
    facts = iv.facts(name, idea, "people")
    brief = brief_rules.draft_offline(facts, [iv.Answered(key="scope", topic="scope", answer=scope)])
    return brief, plan.phases_offline(brief)


def test_different_briefs_give_visibly_different_apps():
    walkies = script(*build_for("Walkies", "Dog owners book walkers.", "walker profiles, booking a walk"), port=8001)
    plantly = script(*build_for("Plantly", "Reminders to water plants.", "a plant list, watering reminders"), port=8002)
    w, p = writes(walkies), writes(plantly)
    assert "Walkies" in w["app/product.json"] and "Plantly" in p["app/product.json"]
    assert "Booking a walk" in w["app/features.json"] and "Watering reminders" in p["app/features.json"]
    assert "Booking a walk" not in p["app/features.json"]


def test_the_script_follows_an_edited_plan():
    brief, phases = build_for("Walkies", "Dog owners book walkers.", "walker profiles, booking a walk, reviews")
    edited = [phases[0], {"title": "Reviews from owners"}, phases[-1]]  # reordered, renamed, one removed
    turns = script(brief, edited, port=8003)
    started = [args["phase"] for turn in turns for tool, args in turn if tool == "plan" and args["action"] == "start"]
    assert started == [1, 2, 3]
    assert "Reviews from owners" in writes(turns)["app/features.json"]
    shots = [args["name"] for turn in turns for tool, args in turn if tool == "take_screenshot"]
    assert shots == ["Home page", "Reviews from owners"]
