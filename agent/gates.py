"""The project's journey as a small state machine, and what each gate decision does.

setting_up -> ready (describe the idea) -> interviewing -> drafting_brief -> brief_ready (the gate)
  proceed -> planning -> planned        narrow -> drafting_brief (smaller brief, then a new plan)
  pivot -> interviewing (new direction)  park -> archived -> (reopen) -> brief_ready
"""

from __future__ import annotations

from dataclasses import dataclass

CHOICES = ("proceed", "narrow", "pivot", "park")
AT_GATE = ("brief_ready", "planned")
NEEDS_REASON = {"narrow": "Say what to cut, for example “drop messaging and payments for now”.",
                "pivot": "Describe the new direction in a sentence or two."}
MAX_REASON = 2000


class GateError(ValueError):
    """A decision that can't be taken now, or is missing what it needs; written for the founder."""


@dataclass(frozen=True)
class Outcome:
    status: str  # the project's status right after the decision
    job: str  # what the worker does next: "plan", "narrow", "interview" or ""


def decide(status: str, choice: str, reason: str) -> Outcome:
    if choice not in CHOICES:
        raise GateError("Choose proceed, narrow, pivot or park.")
    if status not in AT_GATE:
        raise GateError("Decisions are taken once the Idea Brief is ready.")
    reason = reason.strip()
    if choice in NEEDS_REASON and not reason:
        raise GateError(NEEDS_REASON[choice])
    if len(reason) > MAX_REASON:
        raise GateError(f"Keep the reason under {MAX_REASON} characters.")
    return {
        "proceed": Outcome("planning", "plan"),
        "narrow": Outcome("drafting_brief", "narrow"),
        "pivot": Outcome("interviewing", "interview"),
        "park": Outcome("archived", ""),
    }[choice]


def reopen(status: str) -> str:
    if status != "archived":
        raise GateError("Only a parked project can be reopened.")
    return "brief_ready"


# Answers that still apply after a pivot: how the founder works and earns, not what they build.
KEPT_ON_PIVOT = ("monetisation", "constraints")
