"""What the build page shows, read from the database: the agent's state card, the stage, the board,
the screenshots, guides, log, cost, preview, download and evidence. Pure functions over rows, so
the page and the tests read the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from agent import build_control
from agent import events as ev
from agent import run_store as rs
from agent import spend
from agent import journey_store as js
from agent.build_events import doc_title
from agent.models import Escalation, Run, RunEvent, utcnow
from agent.pricing import dollars

LOG_KEEP_CHARS = 40_000  # the log panel shows the end of the log; the download has all of it
VIEW_TYPES = (ev.ScreenshotTaken.type, ev.DocWritten.type, ev.LogOutput.type, ev.UsageRecorded.type,
              ev.PreviewReady.type, ev.DownloadReady.type, ev.EvidenceReported.type, ev.ToolCalled.type,
              ev.ToolUsed.type, ev.PhaseStarted.type, ev.RunFailed.type, ev.RunStopped.type, ev.FixAttempt.type,
              ev.BudgetExceeded.type, ev.Sleeping.type)
STAGES = ("Planning", "Writing code", "Installing", "Testing", "Starting the app", "Ready")


@dataclass(frozen=True)
class Card:
    kind: str  # idle / building / resting / paused / needs_input / error / stopped / done
    title: str
    detail: str
    since: str = ""  # ISO time the state began (building: elapsed), or ends (resting: countdown)


def state_card(run: Run | None, escalation: Escalation | None, events: list[RunEvent]) -> Card:
    if run is None:
        return Card("idle", "Ready to build", "Start the build and your co-founder gets to work on the plan.")
    last_failure = next((e.payload.get("reason", "") for e in reversed(events) if e.type == ev.RunFailed.type), "")
    if run.status in ("queued", "running"):
        since = (run.started_at or run.created_at).astimezone(UTC).isoformat()
        return Card("building", "Building", "Your co-founder is working through the plan.", since)
    if run.status == "sleeping":
        wake = (run.wake_at or utcnow()).astimezone(UTC)
        return Card("resting", "Resting", f"Today's allowance is used up; back at {wake:%H:%M} UTC.", wake.isoformat())
    if run.status == "paused":
        return Card("paused", "Paused", "Your co-founder stopped between steps. Resume whenever you like.")
    if run.status == "needs_input":
        problem = escalation.problem if escalation else "Your co-founder needs a decision from you."
        return Card("needs_input", "Needs your input", problem)
    if run.status == "budget_exceeded":
        reason = next((e.payload.get("reason", "") for e in reversed(events) if e.type == ev.BudgetExceeded.type), "")
        return Card("error", "Budget exceeded", reason or "Today's spend went over your allowance, so I stopped.")
    if run.status == "failed":
        return Card("error", "Error", last_failure or "The build stopped because something went wrong.")
    if run.status == "stopped":
        return Card("stopped", "Stopped", "You stopped the build. Your work so far is kept; start again any time.")
    return Card("done", "Done", "Your MVP is built. Try it in the preview and download everything.")


def fixing(run: Run | None, events: list[RunEvent]) -> str:
    """ "Auto-fixing (attempt N of 3)" while the agent retries a failure: from its latest attempt until
    the tool that failed succeeds again (or the run stops building)."""
    if run is None or run.status not in ("queued", "running"):
        return ""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.type == ev.FixAttempt.type:
            tool = event.payload.get("tool", "")
            if any(e.type == ev.ToolUsed.type and e.payload.get("ok") and e.payload.get("tool") == tool
                   for e in events[index + 1:]):
                return ""
            return f"Auto-fixing (attempt {event.payload.get('attempt', 1)} of {event.payload.get('of', 3)})"
    return ""


def phase_cost(forecast: int, actual: int) -> str:
    """ "est. $0.85" before the phase is worked on, "$0.62 of est. $0.85" once it costs something."""
    if actual:
        return f"{dollars(actual)} of est. {dollars(forecast)}"
    return f"est. {dollars(forecast)}" if forecast else ""


def healing_cost(costs: list[dict[str, Any]]) -> str:
    """ "Fixing 2 problems cost $0.04 of this build", from the ledger's costs per signature."""
    if not costs:
        return ""
    total = sum(c["cost_micros"] for c in costs)
    problems = f"{len(costs)} problem" + ("s" if len(costs) != 1 else "")
    return f"Fixing {problems} cost {dollars(total)} of this build"


def question(escalation: Escalation | None) -> dict[str, Any]:
    """The open question for the founder's decision console (empty when none)."""
    if escalation is None:
        return {"problem": "", "attempts": [], "recommendation": "", "options": []}
    return {"problem": escalation.problem, "attempts": [str(a) for a in escalation.attempts],
            "recommendation": escalation.recommendation, "options": [str(o) for o in escalation.options]}


def stage_of(run: Run | None, events: list[RunEvent]) -> str:
    """Planning, Writing code, Installing, Testing, Starting the app or Ready, from the last tool used."""
    if run is None:
        return ""
    if run.status == "succeeded":
        return "Ready"
    for event in reversed(events):
        if event.type not in (ev.ToolCalled.type, ev.ToolUsed.type, ev.PreviewReady.type):
            continue
        tool, label = event.payload.get("tool", ""), event.payload.get("label", "").lower()
        if event.type == ev.PreviewReady.type or tool == "start_app" or tool == "take_screenshot":
            return "Starting the app"
        if tool in ("write_file", "edit_file"):
            return "Writing code"
        if tool == "bash":
            if any(word in label for word in ("install", "pip ", "npm ", "apt")):
                return "Installing"
            if any(word in label for word in ("test", "pytest", "unittest", "check")):
                return "Testing"
            return "Writing code"
    return "Planning"


def cost_chart(points: list[int], width: int = 240, height: int = 48) -> str:
    """An SVG polyline of the run's cumulative cost (already escaped numbers only)."""
    if len(points) < 2 or points[-1] <= 0:
        return ""
    top = points[-1]
    step = width / (len(points) - 1)
    coords = " ".join(f"{i * step:.1f},{height - (p / top) * (height - 4) - 2:.1f}" for i, p in enumerate(points))
    return (f'<svg viewBox="0 0 {width} {height}" width="100%" height="{height}" role="img" '
            f'aria-label="Cost over the build"><polyline fill="none" stroke="var(--violet-9)" stroke-width="2" '
            f'points="{coords}"/></svg>')


def read(session: Session, *, project_id: int, user_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Everything the build page shows except the feed (which arrives event by event)."""
    now = now or utcnow()
    run = build_control.latest_build(session, project_id=project_id)
    events: list[RunEvent] = []
    escalation = None
    if run is not None:
        events = list(session.exec(select(RunEvent).where(RunEvent.run_id == run.id,
                                                          col(RunEvent.type).in_(VIEW_TYPES))
                                   .order_by(col(RunEvent.seq))))
        escalation = session.exec(select(Escalation).where(Escalation.run_id == run.id, Escalation.status == "open")
                                  .order_by(col(Escalation.id).desc())).first()
    docs = js.latest(session, project_id=project_id, kind="docs")
    day = spend.today(session, user_id=user_id, now=now)
    usage = [e.payload for e in events if e.type == ev.UsageRecorded.type]
    running, cumulative = 0, []
    for u in usage:
        running += int(u.get("cost_micros", 0))
        cumulative.append(running)
    logs = "".join(f"$ {e.payload['command']}\n{e.payload['text'].rstrip()}\n[{e.payload.get('status', '')}]\n\n"
                   for e in events if e.type == ev.LogOutput.type)
    card = state_card(run, escalation, events)
    preview = next((e.payload for e in reversed(events) if e.type == ev.PreviewReady.type), None)
    download = next((e.payload for e in reversed(events) if e.type == ev.DownloadReady.type), None)
    evidence = next((e.payload["features"] for e in reversed(events) if e.type == ev.EvidenceReported.type), [])
    return {
        "run_status": run.status if run else "",
        "card": card,
        "stage": stage_of(run, events),
        "fixing": fixing(run, events),
        "healing_cost": healing_cost(rs.healing_costs(session, run_id=run.id) if run else []),
        "question": question(escalation),
        "phases": [{"id": str(p.id), "number": str(i + 1), "title": p.title, "status": p.status,
                    "cost": phase_cost(p.cost_forecast_micros, p.cost_actual_micros)}
                   for i, p in enumerate(js.plan_phases(session, project_id=project_id))],
        "caching_saved": (f"Prompt caching saved {dollars(saved)} on this build"
                          if (saved := sum(int(u.get("saved_micros", 0)) for u in usage)) > 0 else ""),
        "screenshots": [{"key": e.payload["key"], "name": e.payload["name"], "phase": e.payload.get("phase", ""),
                         "id": f"shot-{e.seq}"} for e in reversed(events) if e.type == ev.ScreenshotTaken.type],
        "docs": [{"kind": kind, "title": doc_title(kind), "text": text}
                 for kind, text in (docs.content.items() if docs else [])],
        "logs": logs[-LOG_KEEP_CHARS:],
        "preview_url": preview["url"] if preview else "",
        "download_key": download["key"] if download else "",
        "download_size": download.get("size", 0) if download else 0,
        "evidence": [{"feature": f["feature"], "screenshot": f.get("screenshot", ""), "test": f.get("test", ""),
                      "verified": "yes" if f.get("verified") else ""} for f in evidence],
        "run_cost": dollars(running),
        "run_tokens": sum(int(u.get("input_tokens", 0)) + int(u.get("output_tokens", 0))
                          + int(u.get("cache_write_tokens", 0)) + int(u.get("cache_read_tokens", 0)) for u in usage),
        "today_tokens": day.tokens,
        "today_cost": dollars(day.spent_micros),
        "allowance_cost": dollars(day.allowance_micros) if day.allowance_micros else "$0.00",
        "allowance_used": min(100, round(100 * day.spent_micros / day.allowance_micros)) if day.allowance_micros
        else (100 if day.spent_micros else 0),
        "tier_name": day.tier.name,
        "chart": cost_chart(cumulative),
    }

