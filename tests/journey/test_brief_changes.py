"""What changed between two versions of the brief: the sections that differ, word by word, escaped."""

from agent import brief_changes


def brief(**sections):
    base = {"problem": "Dog owners work long days.", "target_users": "Busy owners", "value_proposition": "Walks",
            "differentiation": "", "monetisation": "", "risks": [], "success_metrics": ["Weekly walks booked"],
            "mvp_features": [{"name": "Booking", "priority": "must", "description": "Book a walk"}]}
    return {**base, **sections}


def test_only_the_sections_that_changed_and_the_words_that_did():
    before = brief()
    after = brief(problem="Dog owners work very long days.", success_metrics=["Weekly walks booked", "Repeat bookings"],
                  mvp_features=[])
    found = {c["key"]: c["runs"] for c in brief_changes.changes(before, after)}
    assert list(found) == ["problem", "mvp_features", "success_metrics"]
    assert {"kind": "added", "text": "very"} in found["problem"]
    assert any(r["kind"] == "removed" and "Booking" in r["text"] for r in found["mvp_features"])
    assert brief_changes.changes(before, before) == []


def test_the_html_is_escaped():
    html = brief_changes.as_html(brief_changes.word_changes("plain", "<script>alert(1)</script> plain"))
    assert "<script>" not in html and "&lt;script&gt;" in html and html.startswith("<ins>")
