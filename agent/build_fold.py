"""The build page's view of a run's events, folded as they arrive: what a re-read needs is then only
the events after the last one folded, not the whole run again.

A long Claude build records thousands of tool, usage and log events, and every tab watching it
re-reads the view a few times a second while it runs; reading them all each time made the cost of a
re-read grow with the build (and, in the web process, kept the event loop waiting for the CPU).
`Fold` holds exactly what the page derives from the events; `apply` is the only place that reads
them, and folding a run's events in any number of slices gives the same view as folding them at once.
`FoldCache` keeps the folds of the runs being watched in this process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from agent import events as ev
from agent.models import RunEvent

LOG_KEEP_CHARS = 40_000  # the log panel shows the end of the log; the download has all of it
CHART_POINTS = 120  # the cost chart is drawn from at most this many points
VIEW_TYPES = (ev.ScreenshotTaken.type, ev.DocWritten.type, ev.LogOutput.type, ev.UsageRecorded.type,
              ev.PreviewReady.type, ev.DownloadReady.type, ev.EvidenceReported.type, ev.ToolCalled.type,
              ev.ToolUsed.type, ev.PhaseStarted.type, ev.RunFailed.type, ev.RunStopped.type, ev.FixAttempt.type,
              ev.BudgetExceeded.type, ev.Sleeping.type)
STAGE_TOOLS = ("write_file", "edit_file", "bash", "start_app", "take_screenshot", "document")  # they set the stage
_TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens")


@dataclass
class Fold:
    run_id: int
    last_seq: int = 0
    log: str = ""  # the end of the log, at most LOG_KEEP_CHARS
    costs: list[int] = field(default_factory=list)  # the run's cost after each model call (micros)
    tokens: int = 0
    saved: int = 0  # what prompt caching saved (micros)
    screenshots: list[dict[str, str]] = field(default_factory=list)  # newest first
    preview: dict[str, Any] | None = None
    download: dict[str, Any] | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    last_failure: str = ""
    budget_reason: str = ""
    rest_reason: str = ""  # why the run rests when it is not the day's allowance (Claude unreachable)
    stage_event: tuple[str, str, str] | None = None  # (type, tool, label): the last preview or STAGE_TOOLS event
    fix: dict[str, Any] | None = None  # the latest fix attempt, until the tool that failed works again
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def cost(self) -> int:
        return self.costs[-1] if self.costs else 0

    def chart_points(self) -> list[int]:
        """At most CHART_POINTS of the cumulative costs, evenly spread, always with the last."""
        if len(self.costs) <= CHART_POINTS:
            return list(self.costs)
        step = (len(self.costs) - 1) / (CHART_POINTS - 1)
        return [self.costs[round(i * step)] for i in range(CHART_POINTS)]


def apply(fold: Fold, events: list[RunEvent]) -> None:
    """Folds events (in seq order, each after `fold.last_seq`) into the view."""
    for event in events:
        if event.seq <= fold.last_seq:
            continue
        fold.last_seq = event.seq
        kind, data = event.type, event.payload
        if kind == ev.UsageRecorded.type:
            fold.costs.append(fold.cost + int(data.get("cost_micros", 0)))
            fold.tokens += sum(int(data.get(name, 0)) for name in _TOKEN_FIELDS)
            fold.saved += int(data.get("saved_micros", 0))
        elif kind == ev.LogOutput.type:
            entry = f"$ {data['command']}\n{data['text'].rstrip()}\n[{data.get('status', '')}]\n\n"
            fold.log = (fold.log + entry)[-LOG_KEEP_CHARS:]
        elif kind == ev.ScreenshotTaken.type:
            fold.screenshots.insert(0, {"key": data["key"], "name": data["name"], "phase": data.get("phase", ""),
                                        "id": f"shot-{event.seq}"})
        elif kind == ev.PreviewReady.type:
            fold.preview = data
        elif kind == ev.DownloadReady.type:
            fold.download = data
        elif kind == ev.EvidenceReported.type:
            fold.evidence = data["features"]
        elif kind == ev.RunFailed.type:
            fold.last_failure = data.get("reason", "")
        elif kind == ev.BudgetExceeded.type:
            fold.budget_reason = data.get("reason", "")
        elif kind == ev.Sleeping.type:
            fold.rest_reason = data.get("reason", "")
        elif kind == ev.FixAttempt.type:
            fold.fix = data
        if kind == ev.PreviewReady.type or (kind in (ev.ToolCalled.type, ev.ToolUsed.type)
                                            and data.get("tool") in STAGE_TOOLS):
            fold.stage_event = (kind, data.get("tool", ""), data.get("label", ""))
        if (kind == ev.ToolUsed.type and data.get("ok") and fold.fix is not None
                and data.get("tool") == fold.fix.get("tool")):
            fold.fix = None  # the tool that failed works again


class FoldCache:
    """The folds of the runs this process is showing, the most recently used kept (a fold is only
    a cache: dropping one costs one full read)."""

    def __init__(self, size: int = 64) -> None:
        self.size, self._folds, self._lock = size, OrderedDict[int, Fold](), threading.Lock()

    def get(self, run_id: int) -> Fold:
        with self._lock:
            fold = self._folds.pop(run_id, None) or Fold(run_id)
            self._folds[run_id] = fold
            while len(self._folds) > self.size:
                self._folds.popitem(last=False)
            return fold
