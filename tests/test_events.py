import json

import pytest

from agent import events as ev


def test_every_event_round_trips_through_json():
    samples = [
        ev.RunStarted(kind="setup", title="Setting up your project"),
        ev.StepProgress(step="Created a workspace", done=1, total=3),
        ev.RunCompleted(kind="setup", message="Your project is ready"),
        ev.RunFailed(reason="We couldn't prepare the workspace."),
        ev.Narration(text="I'm building the sign-up page."),
    ]
    for event in samples:
        text = ev.encode(event)
        json.loads(text)  # plain JSON
        assert ev.decode(event.type, text) == event
        assert event.summary and "\n" not in event.summary


def test_summaries_read_as_plain_english():
    assert ev.StepProgress(step="Created a workspace", done=1, total=3).summary == "Created a workspace"
    assert ev.RunStarted(kind="setup").summary == "Started setup"
    assert ev.RunCompleted(kind="setup").summary == "Finished"


def test_unknown_types_and_shapes_become_unknown_events():
    unknown = ev.decode("agent.teleported", {"where": "mars"})
    assert isinstance(unknown, ev.UnknownEvent) and unknown.summary == ""
    assert ev.type_of(unknown) == "agent.teleported"
    assert isinstance(ev.decode("run.failed", {}), ev.UnknownEvent)  # a required field is missing


def test_fields_from_a_newer_worker_are_ignored():
    decoded = ev.decode("agent.narration", {"text": "Hello", "mood": "cheerful"})
    assert decoded == ev.Narration(text="Hello")


def test_events_are_frozen_and_types_unique():
    with pytest.raises(Exception):
        ev.Narration(text="a").text = "b"  # type: ignore[misc]
    with pytest.raises(TypeError, match="registered twice"):
        class Again(ev.Event):  # noqa: F841
            type = "agent.narration"
    assert len(ev.registered_types()) == len(set(ev.registered_types()))
