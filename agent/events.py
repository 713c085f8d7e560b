"""The one event schema shared by the worker and the UI.

Each event is a frozen keyword-only dataclass with a `type` tag and a one-line, plain-English
`summary` for the founder. Events travel as JSON (never pickle): `encode` writes the fields,
`decode` reads them back, ignoring fields it does not know and turning an unknown type into an
`UnknownEvent` that the UI skips. New fields get defaults; fields are never renamed.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from agent.build_events import (  # noqa: F401  (re-exported: ev.PreviewReady etc.)
    PhaseStarted,
    PhaseCompleted,
    Thinking,
    ToolCalled,
    ToolUsed,
    PreviewReady,
    ScreenshotTaken,
    DocWritten,
    NeedsInput,
    RunPaused,
    RunStopped,
    LogOutput,
    DownloadReady,
    EvidenceReported,
    FixAttempt,
    Sleeping,
    BudgetExceeded,
)
from agent.event_base import _REGISTRY, Event


@dataclass(frozen=True, kw_only=True)
class RunStarted(Event):
    type: ClassVar[str] = "run.started"
    kind: str
    title: str = ""
    quiet: bool = False  # shown in the progress banner only, not as a feed entry

    @property
    def summary(self) -> str:
        return self.title or f"Started {self.kind}"


@dataclass(frozen=True, kw_only=True)
class StepProgress(Event):
    """A step of longer work finished; `done` of `total` steps are complete."""

    type: ClassVar[str] = "run.progress"
    step: str
    done: int
    total: int
    detail: str = ""
    quiet: bool = False  # shown in the progress banner only, not as a feed entry

    @property
    def summary(self) -> str:
        return self.step


@dataclass(frozen=True, kw_only=True)
class RunCompleted(Event):
    type: ClassVar[str] = "run.completed"
    kind: str
    message: str = ""

    @property
    def summary(self) -> str:
        return self.message or "Finished"


@dataclass(frozen=True, kw_only=True)
class RunFailed(Event):
    type: ClassVar[str] = "run.failed"
    reason: str

    @property
    def summary(self) -> str:
        return self.reason


@dataclass(frozen=True, kw_only=True)
class Narration(Event):
    """A first-person sentence from the co-founder, written for the founder."""

    type: ClassVar[str] = "agent.narration"
    text: str

    @property
    def summary(self) -> str:
        return self.text


@dataclass(frozen=True, kw_only=True)
class QuestionAsked(Event):
    type: ClassVar[str] = "interview.question"
    key: str
    question: str
    number: int = 0

    @property
    def summary(self) -> str:
        return f"Asked question {self.number}: {self.question}" if self.number else f"Asked: {self.question}"


@dataclass(frozen=True, kw_only=True)
class InterviewDone(Event):
    type: ClassVar[str] = "interview.done"
    questions: int

    @property
    def summary(self) -> str:
        return f"Finished the interview after {self.questions} questions"


@dataclass(frozen=True, kw_only=True)
class ArtifactSaved(Event):
    """A new version of the brief, the plan or the strategy graph."""

    type: ClassVar[str] = "artifact.saved"
    kind: str
    version: int
    title: str

    @property
    def summary(self) -> str:
        return f"{self.title} version {self.version} is ready"


@dataclass(frozen=True, kw_only=True)
class UsageRecorded(Event):
    """Tokens and cost of one model call (not shown in the feed; the cost meter reads it)."""

    type: ClassVar[str] = "usage.recorded"
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    cost_micros: int = 0
    saved_micros: int = 0  # what the same call would have cost without prompt caching, minus its cost
    phase: int = 0  # the plan phase it was spent on (0: before the first)

    @property
    def summary(self) -> str:
        return ""


@dataclass(frozen=True, kw_only=True)
class UnknownEvent(Event):
    """An event type this code does not know (say, from a newer worker). The UI ignores it."""

    type_name: str
    payload: dict

    @property
    def summary(self) -> str:
        return ""


def type_of(event: Event) -> str:
    return event.type_name if isinstance(event, UnknownEvent) else event.type


def to_payload(event: Event) -> dict[str, Any]:
    if isinstance(event, UnknownEvent):
        return dict(event.payload)
    return dataclasses.asdict(event)


def encode(event: Event) -> str:
    return json.dumps(to_payload(event), separators=(",", ":"), ensure_ascii=False)


def decode(type_name: str, payload: dict[str, Any] | str) -> Event:
    data = json.loads(payload) if isinstance(payload, str) else payload
    cls = _REGISTRY.get(type_name)
    if cls is None:
        return UnknownEvent(type_name=type_name, payload=dict(data))
    known = {f.name for f in dataclasses.fields(cls)}
    try:
        return cls(**{k: v for k, v in data.items() if k in known})
    except TypeError:  # a required field is missing: treat like an unknown shape
        return UnknownEvent(type_name=type_name, payload=dict(data))


def registered_types() -> list[str]:
    return sorted(_REGISTRY)
