"""The offline co-founder reads what founders write: thirty founders, each in their own style."""

import re

import pytest

from agent import brief, reading
from tests.support.founders import FOUNDERS


@pytest.mark.parametrize("founder", FOUNDERS, ids=[f"{f.name} ({f.style})" for f in FOUNDERS])
def test_the_brief_reads_each_founder_right(founder):
    draft = brief.draft_offline(founder.facts(), founder.answered())
    features = draft["mvp_features"]
    assert [f["name"] for f in features] == founder.features
    for word in founder.users_has:
        assert word in draft["target_users"]
    for word in founder.users_lacks:  # how the first users are reached is not who they are
        assert word not in draft["target_users"]
    for phrase in founder.metrics_has:
        assert any(phrase in metric for metric in draft["success_metrics"]), draft["success_metrics"]
    for word in founder.value_has:
        assert word in draft["value_proposition"]
    for feature in features:  # a short name, never a numbering, a marker or a word left hanging
        name = feature["name"]
        assert len(name.split()) <= 8 and name[0].isupper() and not re.match(r"\(?\d+[.)]|[-*•]", name)
        assert name.split()[-1].lower() not in {"and", "of", "the", "a", "to", "with", "for", "their"}
        assert not re.search(r"(?:^|\s)\d+[.)]\s", feature["description"])  # no numbering left inside


def test_the_corpus_covers_the_ways_people_write():
    assert len(FOUNDERS) >= 30 and len({f.style for f in FOUNDERS}) >= 25
    assert len({f.name for f in FOUNDERS}) == len(FOUNDERS)


def test_a_feature_keeps_its_detail_in_the_description():
    plot = FOUNDERS[0]
    draft = brief.draft_offline(plot.facts(), plot.answered())
    offer, _, _, harvest, _ = draft["mvp_features"]
    assert offer["description"] == "Plot holders offer part of their plot, with its size and a photo."
    assert harvest["description"] == "Log harvests: what, how much, when and who picked it."
    assert [f["priority"] for f in draft["mvp_features"]] == ["must", "must", "must", "should", "should"]


def test_the_first_users_channel_is_an_assumption_to_test_not_the_audience():
    plot = FOUNDERS[0]
    draft = brief.draft_offline(plot.facts(), plot.answered())
    assert any("Posters at the allotment gates" in r["text"] and r["kind"] == "assumption" for r in draft["risks"])


@pytest.mark.parametrize("text, expected", [
    ("", []),
    ("   \n  \n", []),
    ("etc", []),
    ("Booking, payments, reviews, etc.", ["Booking", "payments", "reviews"]),
    ("e.g. booking. Then payments.", ["e.g. booking", "payments"]),
    ("sign up and sign in", ["sign up and sign in"]),
    ("search and filter", ["search and filter"]),
    ("1. Profiles\n1. Profiles\n2. Search", ["Profiles", "Search"]),
    ('"""</script>; ../../etc/passwd', ["</script>", "../../etc/passwd"]),
])
def test_items_in_odd_shapes(text, expected):
    assert reading.items(text) == expected


def test_a_very_long_answer_gives_at_most_fifteen_items():
    text = "\n".join(f"- feature number {i} for the people" for i in range(40))
    assert len(reading.items(text)) == reading.MAX_ITEMS
