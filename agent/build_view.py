"""What the build page shows, read from the database: the agent's state card, the stage, the board,
the screenshots, guides, log, cost, preview, download and evidence. Pure functions over rows and the
run's folded events (`agent/build_fold.py`), so the page and the tests read the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from agent import build_control
from agent import events as ev
from agent import run_store as rs
from agent.build_fold import VIEW_TYPES, Fold, FoldCache, apply
from agent import spend
from agent import journey_store as js
from agent.build_events import doc_title
from agent.models import Escalation, Run, RunEvent, utcnow
from agent.pricing import dollars

STAGES = ("Planning", "Writing code", "Installing", "Testing", "Starting the app", "Ready")


@dataclass(frozen=True)
class Card:
    kind: str  # idle / building / resting / paused / needs_input / error / stopped / done
    title: str
    detail: str
    since: str = ""  # ISO time the state began (building: elapsed), or ends (resting: countdown)


def state_card(run: Run | None, escalation: Escalation | None, fold: Fold) -> Card:
    if run is None:
        return Card("idle", "Ready to build", "Start the build and your co-founder gets to work on the plan.")
    if run.status in ("queued", "running"):
        since = (run.started_at or run.created_at).astimezone(UTC).isoformat()
        return Card("building", "Building", "Your co-founder is working through the plan.", since)
    if run.status == "sleeping":
        wake = (run.wake_at or utcnow()).astimezone(UTC)
        why = fold.rest_reason or "Today's allowance is used up."
        when = f"{wake:%H:%M} UTC" if wake - utcnow() < timedelta(hours=20) else f"{wake:%-d %b} at {wake:%H:%M} UTC"
        return Card("resting", "Resting", f"{why} Back at {when}.", wake.isoformat())
    if run.status == "paused":
        return Card("paused", "Paused", "Your co-founder stopped between steps. Resume whenever you like.")
    if run.status == "needs_input":
        problem = escalation.problem if escalation else "Your co-founder needs a decision from you."
        return Card("needs_input", "Needs your input", problem)
    if run.status == "budget_exceeded":
        return Card("error", "Budget exceeded", fold.budget_reason or "Today's spend went over your allowance, so I stopped.")
    if run.status == "failed":
        return Card("error", "Error", fold.last_failure or "The build stopped because something went wrong.")
    if run.status == "stopped":
        return Card("stopped", "Stopped", "You stopped the build. Your work so far is kept; start again any time.")
    return Card("done", "Done", "Your MVP is built. Try it in the preview and download everything.")


def fixing(run: Run | None, fold: Fold) -> str:
    """ "Auto-fixing (attempt N of 3)" while the agent retries a failure: from its latest attempt until
    the tool that failed succeeds again (or the run stops building)."""
    if run is None or run.status not in ("queued", "running") or fold.fix is None:
        return ""
    return f"Auto-fixing (attempt {fold.fix.get('attempt', 1)} of {fold.fix.get('of', 3)})"


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


def stage_of(run: Run | None, fold: Fold) -> str:
    """Planning, Writing code, Installing, Testing, Starting the app, Taking screenshots, Writing the
    guides or Ready, from the last tool used."""
    if run is None:
        return ""
    if run.status == "succeeded":
        return "Ready"
    if fold.stage_event is None:
        return "Planning"
    kind, tool, label = fold.stage_event[0], fold.stage_event[1], fold.stage_event[2].lower()
    if tool == "document":
        return "Writing the guides"
    if tool == "take_screenshot":
        return "Taking screenshots"
    if kind == ev.PreviewReady.type or tool == "start_app":
        return "Starting the app"
    if tool == "bash" and any(word in label for word in ("install", "pip ", "npm ", "apt")):
        return "Installing"
    if tool == "bash" and any(word in label for word in ("test", "pytest", "unittest", "check")):
        return "Testing"
    return "Writing code"


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


def read(session: Session, *, project_id: int, user_id: int, now: datetime | None = None,
         folds: FoldCache | None = None) -> dict[str, Any]:
    """Everything the build page shows except the feed (which arrives event by event). With `folds`,
    only the run's events after those already folded there are read."""
    now = now or utcnow()
    run = build_control.latest_build(session, project_id=project_id)
    fold, escalation = Fold(0), None
    if run is not None:
        fold = folds.get(run.id) if folds is not None else Fold(run.id)
        escalation = session.exec(select(Escalation).where(Escalation.run_id == run.id, Escalation.status == "open")
                                  .order_by(col(Escalation.id).desc())).first()
    with fold.lock:  # the tabs watching one run re-read it from several threads
        if run is not None:
            apply(fold, list(session.exec(select(RunEvent).where(RunEvent.run_id == run.id,
                                                                 RunEvent.seq > fold.last_seq,
                                                                 col(RunEvent.type).in_(VIEW_TYPES))
                                          .order_by(col(RunEvent.seq)))))
        fold_view = _from_fold(fold, run, escalation)
    docs = js.latest(session, project_id=project_id, kind="docs")
    day = spend.today(session, user_id=user_id, now=now)
    return {
        **fold_view,
        "run_status": run.status if run else "",
        "healing_cost": healing_cost(rs.healing_costs(session, run_id=run.id) if run else []),
        "question": question(escalation),
        "phases": [{"id": str(p.id), "number": str(i + 1), "title": p.title, "status": p.status,
                    "cost": phase_cost(p.cost_forecast_micros, p.cost_actual_micros)}
                   for i, p in enumerate(js.plan_phases(session, project_id=project_id))],
        "docs": [{"kind": kind, "title": doc_title(kind), "text": text}
                 for kind, text in (docs.content.items() if docs else [])],
        "today_tokens": day.tokens,
        "today_cost": dollars(day.spent_micros),
        "allowance_cost": dollars(day.allowance_micros) if day.allowance_micros else "$0.00",
        "allowance_used": min(100, round(100 * day.spent_micros / day.allowance_micros)) if day.allowance_micros
        else (100 if day.spent_micros else 0),
        "tier_name": day.tier.name,
    }


def _from_fold(fold: Fold, run: Run | None, escalation: Escalation | None) -> dict[str, Any]:
    """The parts of the view that come from the run's events (copies: the fold keeps changing)."""
    preview, download = fold.preview, fold.download
    return {
        "card": state_card(run, escalation, fold),
        "stage": stage_of(run, fold),
        "fixing": fixing(run, fold),
        "caching_saved": f"Prompt caching saved {dollars(fold.saved)} on this build" if fold.saved > 0 else "",
        "screenshots": [dict(shot) for shot in fold.screenshots],
        "logs": fold.log,
        "preview_url": preview["url"] if preview else "",
        "download_key": download["key"] if download else "",
        "download_size": download.get("size", 0) if download else 0,
        "evidence": [{"feature": f["feature"], "screenshot": f.get("screenshot", ""), "test": f.get("test", ""),
                      "verified": "yes" if f.get("verified") else ""} for f in fold.evidence],
        "run_cost": dollars(fold.cost),
        "run_tokens": fold.tokens,
        "chart": cost_chart(fold.chart_points()),
    }

