"""Drafting the brief and the plan offline, checking Claude's drafts, narrowing, Markdown, costs."""

import pytest

from agent import brief, gates, plan, pricing, strategy
from agent import interview as iv
from agent.services.llm import Usage
from tests.journey.test_interview import ANSWERS, DOG_WALKING, run_interview


def dog_brief():
    answers = run_interview(DOG_WALKING, lambda q: ANSWERS.get(q.key, "About 40 walks a week in 2 neighbourhoods."))
    return brief.draft_offline(DOG_WALKING, answers), answers


def test_the_offline_brief_uses_the_founders_words_in_every_section():
    draft, _ = dog_brief()
    assert "guilty" in draft["problem"] and "Maya" in draft["target_users"]
    assert "two taps" in draft["value_proposition"] and "Rover" in draft["differentiation"]
    assert "15%" in draft["monetisation"]
    names = [f["name"] for f in draft["mvp_features"]]
    assert names == ["Walker profiles", "Search by neighbourhood", "Booking a walk", "Photos after the walk"]
    assert [f["priority"] for f in draft["mvp_features"]] == ["must", "must", "must", "should"]
    assert any("both sides" in r["text"] for r in draft["risks"])  # a marketplace risk
    assert any("40 walks" in m for m in draft["success_metrics"])


def test_different_ideas_give_different_briefs():
    other = iv.facts("Plantly", "An app that reminds you to water your plants.", "People with houseplants")
    answers = run_interview(other, lambda q: "Reminders, a plant list and care tips" if q.topic == "scope" else "Yes")
    assert brief.draft_offline(other, answers)["mvp_features"] != dog_brief()[0]["mvp_features"]


def test_skipped_topics_become_assumptions_and_defaults_fill_in():
    answers = run_interview(DOG_WALKING, lambda q: None)
    draft = brief.draft_offline(DOG_WALKING, answers)
    asked = [a.key for a in answers if a.key in brief.OPEN]  # each skipped question is one open question
    assert [r["text"] for r in draft["risks"] if r["text"].startswith("Still open")] == [
        f"Still open: {brief.OPEN[key]}. The brief assumes the simplest option." for key in asked]
    assert len(asked) >= 6
    assert draft["mvp_features"] and draft["monetisation"].startswith("Not decided yet")


@pytest.mark.parametrize("text, items", [
    ("1. Profiles\n2. Search\n3. Booking", ["Profiles", "Search", "Booking"]),
    ("- profiles\n- search", ["profiles", "search"]),
    ("profiles, search and booking", ["profiles", "search", "booking"]),
    ("", []),
])
def test_features_are_split_from_prose(text, items):
    assert brief.split_items(text) == items


def test_claude_drafts_are_checked_and_tidied():
    draft, _ = dog_brief()
    messy = {**draft, "mvp_features": [{"name": "  Chat ", "priority": "URGENT"}, {"name": ""}, "junk"],
             "risks": [{"text": "x", "kind": "weird"}], "success_metrics": ["", " 10 users "]}
    clean = brief.normalise(messy)
    assert clean["mvp_features"] == [{"name": "Chat", "description": "", "priority": "should"}]
    assert clean["risks"][0]["kind"] == "risk" and clean["success_metrics"] == ["10 users"]
    with pytest.raises(ValueError, match="missing: Problem"):
        brief.normalise({**draft, "problem": "  "})


def test_narrowing_cuts_what_the_founder_names_or_keeps_the_must_haves():
    draft, _ = dog_brief()
    narrowed = brief.narrow_offline(draft, "Drop the photos for now")
    assert [f["name"] for f in narrowed["mvp_features"]] == ["Walker profiles", "Search by neighbourhood", "Booking a walk"]
    vague = brief.narrow_offline(draft, "make it smaller")
    assert all(f["priority"] == "must" for f in vague["mvp_features"])


def test_the_markdown_has_every_section():
    draft, _ = dog_brief()
    text = brief.to_markdown(draft)
    for title in brief.SECTION_TITLES.values():
        assert f"## {title}" in text
    assert text.startswith("# Idea Brief: Walkies") and "**Walker profiles** (must)" in text


def test_the_plan_has_foundation_features_and_polish_with_forecasts():
    draft, _ = dog_brief()
    phases = plan.normalise(plan.phases_offline(draft), "claude-sonnet-4-5")
    assert [p["title"] for p in phases] == ["Foundation", "Walker profiles", "Search by neighbourhood",
                                            "Booking a walk", "Photos after the walk", "Polish and docs"]
    booking = phases[3]
    assert booking["effort"] == "L" and booking["cost_forecast_micros"] > phases[1]["cost_forecast_micros"]
    assert all(p["acceptance"] and p["cost_forecast_micros"] > 0 for p in phases)
    assert plan.normalise(plan.phases_offline(draft), "offline")[0]["cost_forecast_micros"] == 0
    with pytest.raises(ValueError):
        plan.normalise([{"title": ""}], "claude-sonnet-4-5")


def test_a_phase_costs_more_the_later_it_comes():
    """Every call re-reads the conversation so far: the same work late in the build costs more."""
    early, late = plan.forecasts(["M", "M"], "claude-sonnet-4-5")
    assert late > 1.5 * early
    small_first, big_then = plan.forecasts(["S", "L"], "claude-sonnet-4-5")
    big_first, small_then = plan.forecasts(["L", "S"], "claude-sonnet-4-5")
    assert small_then > small_first and big_then > big_first


def test_a_long_build_is_priced_with_its_conversation_compacted():
    """Past COMPACT_AT tokens the conversation is compacted, so phases stop getting dearer: a long
    plan's late phases cost about what the first ones that reached the limit did, not ever more."""
    costs = plan.forecasts(["L"] * 10, "claude-sonnet-4-5")
    assert costs[1] > costs[0] and max(costs[2:]) < 1.4 * costs[1]
    calls = plan.CALLS["L"] + plan.PLAN_CALLS
    at_the_limit = pricing.cost_micros("claude-sonnet-4-5", Usage(cache_read_tokens=calls * plan.COMPACT_AT))
    assert max(costs) < at_the_limit  # no phase is priced as if every call re-read a full window


def test_costs_follow_the_price_table():
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000, cache_write_tokens=1_000_000, cache_read_tokens=1_000_000)
    assert pricing.cost_micros("claude-sonnet-4-5", usage) == 3_000_000 + 15_000_000 + 3_750_000 + 300_000
    assert pricing.cost_micros("claude-sonnet-4-5-20250929", usage) == pricing.cost_micros("claude-sonnet-4-5", usage)
    assert pricing.cost_micros("who-knows", usage) == pricing.cost_micros("claude-opus-4-1", usage)
    assert pricing.dollars(1_234_567) == "$1.23" and pricing.dollars(10) == "<$0.01" and pricing.dollars(0) == "$0.00"


def test_gate_decisions_move_the_journey():
    assert gates.decide("brief_ready", "proceed", "") == gates.Outcome("planning", "plan")
    assert gates.decide("planned", "narrow", "drop chat") == gates.Outcome("drafting_brief", "narrow")
    assert gates.decide("brief_ready", "pivot", "cats instead") == gates.Outcome("interviewing", "interview")
    assert gates.decide("brief_ready", "park", "") == gates.Outcome("archived", "")
    assert gates.reopen("archived") == "brief_ready"
    for status, choice, reason, message in [
        ("interviewing", "proceed", "", "once the Idea Brief is ready"),
        ("brief_ready", "narrow", " ", "what to cut"),
        ("brief_ready", "pivot", "", "new direction"),
        ("brief_ready", "explode", "", "Choose proceed"),
        ("brief_ready", "park", "x" * 2001, "under 2000"),
    ]:
        with pytest.raises(gates.GateError, match=message):
            gates.decide(status, choice, reason)
    with pytest.raises(gates.GateError):
        gates.reopen("planned")


def test_the_strategy_graph_links_everything_to_the_goal_and_lays_out_without_overlap():
    draft, _ = dog_brief()
    graph = strategy.build(draft, [{"choice": "narrow", "reason": "drop photos"}], cut_features=["Photos after the walk"])
    kinds = {n["kind"] for n in graph["nodes"]}
    assert kinds == {"goal", "feature", "risk", "assumption", "decision", "cut"}
    ids = {n["id"] for n in graph["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in graph["edges"])
    drawn = strategy.layout(graph)
    boxes = drawn["boxes"]
    for a in boxes:
        for b in boxes:
            if a is not b:
                apart = (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"] or
                         a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])
                assert apart, (a["label"], b["label"])
    assert all(0 <= b["x"] and b["x"] + b["w"] <= drawn["width"] and b["y"] + b["h"] <= drawn["height"] for b in boxes)


def test_the_edit_form_round_trips_and_explains_mistakes():
    from agent import brief_edit

    draft, _ = dog_brief()
    form = brief_edit.to_form(draft)
    assert form["mvp_features"].splitlines()[0] == "Must: Walker profiles"
    assert brief_edit.from_form(form, title="Walkies") == draft
    form["mvp_features"] += "\nCould: Dog treats shop - Sell treats\nGroup walks"
    edited = brief_edit.from_form(form, title="Walkies")
    assert edited["mvp_features"][-1] == {"name": "Dog treats shop", "description": "Sell treats", "priority": "could"}
    assert {"name": "Group walks", "description": "", "priority": "should"} in edited["mvp_features"]  # default priority
    with pytest.raises(brief_edit.BriefEditError, match="Please fill in: Problem"):
        brief_edit.from_form({**form, "problem": ""}, title="Walkies")
    with pytest.raises(brief_edit.BriefEditError, match="feature names short"):
        brief_edit.from_form({**form, "mvp_features": "Must: " + "x" * 90}, title="Walkies")
    risky = brief_edit.from_form({**form, "risks": "Assumption: Owners trust strangers — Start with referrals\nRain"},
                                 title="Walkies")["risks"]
    assert risky == [{"text": "Owners trust strangers", "kind": "assumption", "mitigation": "Start with referrals"},
                     {"text": "Rain", "kind": "risk", "mitigation": ""}]


def test_card_edits_are_checked_and_repriced():
    edited = plan.check_edit(title="  Booking  ", goal="Owners book a walk", acceptance="- Book a walk\n\n* Cancel it",
                             effort="L")
    assert edited == {"title": "Booking", "goal": "Owners book a walk", "acceptance": ["Book a walk", "Cancel it"],
                      "effort": "L"}
    for kwargs, message in [
        ({"title": " "}, "Give the phase a title"), ({"title": "x" * 121}, "under 120"),
        ({"goal": "g" * 1001}, "under 1,000"), ({"acceptance": "  \n"}, "at least one"),
        ({"acceptance": "\n".join("c" * 5 for _ in range(9))}, "at most 8"), ({"acceptance": "c" * 201}, "under 200"),
        ({"effort": "XL"}, "S, M or L"),
    ]:
        args = {"title": "T", "goal": "G", "acceptance": "A", "effort": "M", **kwargs}
        with pytest.raises(plan.PhaseEditError, match=message):
            plan.check_edit(**args)
