"""The plan as the founder edits it is what comes after: the strategy graph, the guides, the evidence
and the app the offline co-founder builds all follow it."""

from agent import brief as brief_rules
from agent import handover
from agent import journey_store as js
from agent import offline_builder
from agent import plan as plan_rules
from tests.support.founders import FOUNDERS

PLOT = FOUNDERS[0]


def plot_brief():
    return brief_rules.draft_offline(PLOT.facts(), PLOT.answered())


def edited_phases(brief):
    """Foundation, the five features, polish; then the founder drops 'Simple messages ...' and renames
    'Log harvests' to 'Harvest diary' with a goal of their own."""
    phases = plan_rules.phases_offline(brief)
    phases = [p for p in phases if not p["title"].startswith("Simple messages")]
    for p in phases:
        if p["title"] == "Log harvests":
            p["title"], p["goal"] = "Harvest diary", "Everyone writes down what they picked and when."
    return phases


def test_the_planned_features_follow_the_edited_plan():
    brief = plot_brief()
    planned = plan_rules.planned_features(brief, edited_phases(brief))
    assert [f["name"] for f in planned] == ["Offer part of their plot", "Browse offers near them",
                                            "Agree a watering rota", "Harvest diary"]
    assert planned[-1]["description"] == "Everyone writes down what they picked and when."
    assert planned[0]["acceptance"] and planned[0]["priority"] == "must"
    assert plan_rules.left_out(brief, edited_phases(brief)) == ["Log harvests",
                                                                "Simple messages between plot holders and neighbours"]
    assert [f["name"] for f in plan_rules.planned_features(brief, [])] == PLOT.features  # no plan yet


def test_the_guides_and_the_app_follow_the_edited_plan():
    brief = plot_brief()
    turns = offline_builder.script(brief, edited_phases(brief), 8000)
    calls = [(name, args) for turn in turns for name, args in turn]
    guide = next(args["content"] for name, args in calls if name == "document" and args["kind"] == "features")
    assert "Harvest diary" in guide and "Everyone writes down" in guide
    assert "Simple messages" not in guide and "Log harvests" not in guide
    shots = [args["name"] for name, args in calls if name == "take_screenshot"]
    assert "Harvest diary" in shots and not any("messages" in s.lower() for s in shots)


def test_the_evidence_covers_the_planned_features_only():
    brief = plot_brief()
    planned = plan_rules.planned_features(brief, edited_phases(brief))
    report = handover.evidence(planned, [{"name": "Harvest diary", "key": "shots/harvest.png"}],
                               [{"status": "exit code 0"}])
    assert [r["feature"] for r in report] == [f["name"] for f in planned]
    diary = report[-1]
    assert diary["screenshot"] == "shots/harvest.png" and diary["verified"]


def test_every_plan_edit_redraws_the_strategy_graph(db, founder):
    brief, (_, project, _) = plot_brief(), founder
    with db.session() as s:
        js.save_version(s, project_id=project.id, kind="brief", content=brief, author="offline co-founder")
        js.replace_plan(s, project_id=project.id, phases=plan_rules.normalise(plan_rules.phases_offline(brief), "offline"))
        js.refresh_strategy(s, project_id=project.id)
        first = js.latest(s, project_id=project.id, kind="strategy")
        features = [n["label"] for n in first.content["nodes"] if n["kind"] == "feature"]
        assert len(features) == 5

        messages = next(p for p in js.plan_phases(s, project_id=project.id) if p.title.startswith("Simple messages"))
        js.remove_phase(s, project_id=project.id, phase_id=messages.id)
        js.refresh_strategy(s, project_id=project.id)
        drawn = js.latest(s, project_id=project.id, kind="strategy")
        assert drawn.version == first.version + 1
        assert [n["label"] for n in drawn.content["nodes"] if n["kind"] == "feature"] == features[:4]
        left = [n for n in drawn.content["nodes"] if n["kind"] == "cut"]
        assert [n["label"] for n in left] == ["Simple messages between plot holders an\u2026"]
        assert left[0]["detail"] == "not in the plan"

        js.refresh_strategy(s, project_id=project.id)  # nothing changed: no new version
        assert js.latest(s, project_id=project.id, kind="strategy").version == drawn.version
