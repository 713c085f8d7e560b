"""The build's events: phases, the agent's thinking and tool calls, the preview, screenshots, guides,
the founder's controls (paused, stopped, needs input), the technical log, the download pack and the
evidence report. Same rules as `agent/events.py`, which imports and re-exports them (so decoding always
knows them and `events.PreviewReady` works).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from agent.event_base import Event


@dataclass(frozen=True, kw_only=True)
class PhaseStarted(Event):
    type: ClassVar[str] = "phase.started"
    number: int
    title: str

    @property
    def summary(self) -> str:
        return f"Started phase {self.number}: {self.title}"


@dataclass(frozen=True, kw_only=True)
class PhaseCompleted(Event):
    type: ClassVar[str] = "phase.completed"
    number: int
    title: str

    @property
    def summary(self) -> str:
        return f"Finished phase {self.number}: {self.title}"


@dataclass(frozen=True, kw_only=True)
class Thinking(Event):
    """What the model said alongside its tool calls (verbose feed only)."""

    type: ClassVar[str] = "agent.thinking"
    text: str
    quiet: bool = True

    @property
    def summary(self) -> str:
        return self.text[:300]


@dataclass(frozen=True, kw_only=True)
class ToolCalled(Event):
    """A tool call about to run, with a human label (verbose feed; shows long commands in progress)."""

    type: ClassVar[str] = "tool.called"
    tool: str
    label: str
    quiet: bool = True

    @property
    def summary(self) -> str:
        return self.label


@dataclass(frozen=True, kw_only=True)
class ToolUsed(Event):
    """One tool call and how it went (the verbose feed shows these; the default feed does not)."""

    type: ClassVar[str] = "tool.used"
    tool: str
    label: str
    ok: bool = True
    detail: str = ""  # a short, cleaned excerpt of the result
    quiet: bool = True

    @property
    def summary(self) -> str:
        return self.label


@dataclass(frozen=True, kw_only=True)
class PreviewReady(Event):
    type: ClassVar[str] = "preview.ready"
    url: str
    command: str = ""  # how the app was started, so a sleeping preview can be woken
    port: int = 0

    @property
    def summary(self) -> str:
        return "Your app is running: the preview is ready"


@dataclass(frozen=True, kw_only=True)
class ScreenshotTaken(Event):
    type: ClassVar[str] = "screenshot.taken"
    key: str
    name: str
    phase: str = ""

    @property
    def summary(self) -> str:
        return f"Took a screenshot: {self.name}"


DOC_NAMES = {"overview": "overview", "features": "features", "getting_started": "getting started", "faq": "FAQ"}


def doc_name(kind: str) -> str:
    """How a guide is named to the founder ("getting started", "FAQ")."""
    return DOC_NAMES.get(kind, kind.replace("_", " "))


def doc_title(kind: str) -> str:
    """The guide's name as a title ("Getting started", "FAQ")."""
    name = doc_name(kind)
    return name[:1].upper() + name[1:]


@dataclass(frozen=True, kw_only=True)
class DocWritten(Event):
    type: ClassVar[str] = "doc.written"
    kind: str

    @property
    def summary(self) -> str:
        return f"Wrote the {doc_name(self.kind)} guide"


@dataclass(frozen=True, kw_only=True)
class NeedsInput(Event):
    """The agent stopped and asks the founder to decide."""

    type: ClassVar[str] = "agent.needs_input"
    problem: str
    options: list = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"Needs your input: {self.problem}"


@dataclass(frozen=True, kw_only=True)
class RunPaused(Event):
    type: ClassVar[str] = "run.paused"
    reason: str = ""

    @property
    def summary(self) -> str:
        return self.reason or "Paused"


@dataclass(frozen=True, kw_only=True)
class RunStopped(Event):
    type: ClassVar[str] = "run.stopped"
    reason: str = ""

    @property
    def summary(self) -> str:
        return self.reason or "Stopped"


@dataclass(frozen=True, kw_only=True)
class LogOutput(Event):
    """The cleaned output of one command: the technical log, persisted a command at a time."""

    type: ClassVar[str] = "log.output"
    command: str
    text: str
    status: str = ""
    quiet: bool = True

    @property
    def summary(self) -> str:
        return f"$ {self.command[:80]}"


@dataclass(frozen=True, kw_only=True)
class DownloadReady(Event):
    """The handover pack (code, docs, brief, plan, screenshots) is in storage under `key`."""

    type: ClassVar[str] = "download.ready"
    key: str
    size: int = 0

    @property
    def summary(self) -> str:
        return "Your download pack is ready: code, guides, Idea Brief, plan and screenshots"


@dataclass(frozen=True, kw_only=True)
class EvidenceReported(Event):
    """Each MVP feature with the screenshot and test that show it working, or "not verified"."""

    type: ClassVar[str] = "evidence.reported"
    features: list = field(default_factory=list)  # [{"feature", "screenshot", "test", "verified"}]

    @property
    def summary(self) -> str:
        verified = sum(1 for f in self.features if f.get("verified"))
        return f"Checked the MVP: {verified} of {len(self.features)} features shown working"


@dataclass(frozen=True, kw_only=True)
class FixAttempt(Event):
    """A call failed and the agent is trying again with a different approach (see agent/healing.py)."""

    type: ClassVar[str] = "agent.fixing"
    attempt: int
    of: int = 3
    tool: str = ""
    signature: str = ""
    problem: str = ""

    @property
    def summary(self) -> str:
        return f"Auto-fixing (attempt {self.attempt} of {self.of}): {self.problem}" if self.problem \
            else f"Auto-fixing (attempt {self.attempt} of {self.of})"


@dataclass(frozen=True, kw_only=True)
class Sleeping(Event):
    """The run rests and wakes by itself at `wake_at` (ISO, UTC): today's allowance is spent, or
    (`reason`, a sentence for the founder) Claude could not be reached and the run waits to retry."""

    type: ClassVar[str] = "agent.sleeping"
    wake_at: str
    spent: str = ""
    allowance: str = ""
    reason: str = ""

    @property
    def summary(self) -> str:
        if self.reason:
            return f"Waiting: {self.reason} I'll carry on by myself at {self.wake_at[11:16]} UTC on {self.wake_at[:10]}."
        return (f"Resting: today's allowance ({self.allowance}) is spent. I'll carry on by myself at "
                f"{self.wake_at[11:16]} UTC.")


@dataclass(frozen=True, kw_only=True)
class BudgetExceeded(Event):
    """A day's spend went more than 10% over its allowance: the run was stopped at once."""

    type: ClassVar[str] = "budget.exceeded"
    reason: str

    @property
    def summary(self) -> str:
        return self.reason
