"""Keyword-only data functions for long runs: checkpoints, leases, failures and escalations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agent import build_events as bev
from agent import healing
from agent import journey_store as js
from agent.healing import HealNote
from agent.models import Checkpoint, ErrorSignature, Escalation, Run, RunEvent, UsageEntry, utcnow

KEEP_CHECKPOINTS = 3


def save_checkpoint(session: Session, *, run_id: int, step: int, data: dict[str, Any]) -> None:
    """Store the state after `step`; a step saved twice (a re-run after a crash) keeps the newest."""
    updated = session.execute(sa.update(Checkpoint).where(col(Checkpoint.run_id) == run_id,
                                                          col(Checkpoint.step) == step).values(data=data))
    if updated.rowcount == 0:
        session.execute(sa.insert(Checkpoint).values(run_id=run_id, step=step, data=data, created_at=utcnow()))
    session.execute(sa.delete(Checkpoint).where(col(Checkpoint.run_id) == run_id,
                                                col(Checkpoint.step) <= step - KEEP_CHECKPOINTS))
    session.commit()


def latest_checkpoint(session: Session, *, run_id: int) -> dict[str, Any] | None:
    row = session.exec(select(Checkpoint).where(Checkpoint.run_id == run_id)
                       .order_by(col(Checkpoint.step).desc())).first()
    return row.data if row else None


def renew_lease(session: Session, *, run_id: int, owner: str, lease: timedelta) -> bool:
    """Extend the lease this worker holds; False if it lost it (another worker took over)."""
    result = session.execute(sa.update(Run).where(col(Run.id) == run_id, col(Run.lease_owner) == owner)
                             .values(lease_expires_at=utcnow() + lease))
    session.commit()
    return result.rowcount == 1


def hand_over(session: Session, *, run_id: int, owner: str, within: timedelta) -> None:
    """Give up the lease at the end of a slice so the continuation can claim it at once; if nothing
    has claimed it `within` (its job was lost with Redis), the reconciler sees a stalled run."""
    session.execute(sa.update(Run).where(col(Run.id) == run_id, col(Run.lease_owner) == owner)
                    .values(lease_owner="", lease_expires_at=utcnow() + within))
    session.commit()


def set_status(session: Session, *, run_id: int, status: str) -> None:
    session.execute(sa.update(Run).where(col(Run.id) == run_id)
                    .values(status=status, lease_owner="", lease_expires_at=None))
    session.commit()


def stalled_runs(session: Session, *, kinds: tuple[str, ...], now: datetime | None = None) -> list[Run]:
    """Running runs whose worker stopped renewing the lease (it died): the reconciler restarts them."""
    now = now or utcnow()
    lapsed = sa.or_(col(Run.lease_expires_at) < now,  # a dead worker's, or a hand-over nobody took up
                    sa.and_(col(Run.lease_expires_at).is_(None), col(Run.lease_owner) == ""))  # handed over before
    return list(session.exec(select(Run).where(col(Run.kind).in_(kinds), Run.status == "running", lapsed)))


def held_runs(session: Session, *, kinds: tuple[str, ...], now: datetime) -> list[Run]:
    """Running runs a slice holds a live lease on."""
    return list(session.exec(select(Run).where(col(Run.kind).in_(kinds), Run.status == "running",
                                               col(Run.lease_owner) != "", col(Run.lease_expires_at) >= now)))


def unclaimed_runs(session: Session, *, kinds: tuple[str, ...], settled: datetime, within: timedelta) -> list[Run]:
    """Runs handed over between slices (`hand_over(within=...)`) before `settled` that nobody has taken
    up yet: the reconciler enqueues those whose continuation is not in the queue (Redis lost it)."""
    return list(session.exec(select(Run).where(
        col(Run.kind).in_(kinds), col(Run.lease_owner) == "", Run.status == "running",
        col(Run.lease_expires_at).is_not(None), col(Run.lease_expires_at) <= settled + within)))


def book_call(session: Session, *, entry: UsageEntry, project_id: int, phase: int) -> bool:
    """Book a build step's model call in the ledger and in its phase's actual cost. A step re-run after a
    crash or a SIGTERM has the same seq: it is booked once (False), the founder is not billed for it twice."""
    if entry.seq and session.exec(select(UsageEntry.id).where(UsageEntry.run_id == entry.run_id,
                                                               UsageEntry.seq == entry.seq)).first() is not None:
        return False
    session.add(entry)
    session.commit()
    if phase:
        js.add_phase_cost(session, project_id=project_id, number=phase, micros=entry.cost_micros)
    return True


def escalate(session: Session, *, run_id: int, problem: str, attempts: list[str], recommendation: str,
             options: list[str], signature: str = "") -> Escalation:
    row = Escalation(run_id=run_id, signature=signature, problem=problem, attempts=attempts,
                     recommendation=recommendation, options=options)
    session.add(row)
    session.execute(sa.update(Run).where(col(Run.id) == run_id)
                    .values(status="needs_input", lease_owner="", lease_expires_at=None))
    session.commit()
    return row


def record_failure(session: Session, *, run_id: int, failure: healing.Failure, key: str, label: str,
                   call: str = "") -> HealNote:
    """Count a failed call against its signature (a verbatim repeat is not a new approach) and say
    what to do; the attempts stay in the database across sleeps and restarts."""
    row = session.exec(select(ErrorSignature).where(ErrorSignature.run_id == run_id,
                                                    ErrorSignature.signature == failure.signature)).first()
    if row is None:
        row = ErrorSignature(run_id=run_id, signature=failure.signature, error_type=failure.error_type,
                             message=failure.message)
    tried, note = healing.decide(list(row.approaches), key, label, failure.message, failure.signature, call)
    row.approaches, row.attempts, row.escalated = tried, len(tried), note.escalate
    row.message, row.updated_at = failure.message, utcnow()
    session.add(row)
    session.commit()
    return note


def solved(session: Session, *, run_id: int, call: str) -> int:
    """A call that had failed now works: the problems it met are solved, their tries start again at
    zero (three unrelated failures across a build never add up to an escalation). Returns how many."""
    rows = [row for row in session.exec(select(ErrorSignature).where(ErrorSignature.run_id == run_id,
                                                                       ErrorSignature.attempts > 0))
            if any(t.get("call") == call for t in row.approaches)]
    for row in rows:
        row.approaches, row.attempts, row.escalated, row.updated_at = [], 0, False, utcnow()
        session.add(row)
    session.commit()
    return len(rows)


def open_escalation(session: Session, *, run_id: int) -> Escalation | None:
    return session.exec(select(Escalation).where(Escalation.run_id == run_id, Escalation.status == "open")
                        .order_by(col(Escalation.id).desc())).first()


def answer_escalation(session: Session, *, run_id: int, answer: str) -> Escalation | None:
    """The founder's decision on the open question; its signature gets a fresh set of approaches."""
    row = open_escalation(session, run_id=run_id)
    if row is None:
        return None
    row.status, row.answer, row.answered_at = "answered", answer, utcnow()
    session.add(row)
    if row.signature:
        session.execute(sa.update(ErrorSignature).where(col(ErrorSignature.run_id) == run_id,
                                                        col(ErrorSignature.signature) == row.signature)
                        .values(approaches=[], attempts=0, escalated=False, updated_at=utcnow()))
    session.commit()
    return row


def take_decision(session: Session, *, run_id: int) -> str:
    """The founder's answer not yet given to the agent ("" when none); marks it delivered."""
    row = session.exec(select(Escalation).where(Escalation.run_id == run_id, Escalation.status == "answered")
                       .order_by(col(Escalation.id).desc())).first()
    if row is None:
        return ""
    row.status = "delivered"
    session.add(row)
    session.commit()
    return row.answer


def healing_costs(session: Session, *, run_id: int) -> list[dict[str, Any]]:
    """What self-healing cost, per failure signature: the model calls made while fixing it."""
    rows = session.exec(select(UsageEntry.signature, sa.func.count(), sa.func.sum(UsageEntry.cost_micros))
                        .where(UsageEntry.run_id == run_id, UsageEntry.signature != "")
                        .group_by(UsageEntry.signature).order_by(UsageEntry.signature)).all()
    return [{"signature": sig, "calls": int(calls), "cost_micros": int(cost or 0)} for sig, calls, cost in rows]


# --- a phase is done only when something checked it ------------------------------------------------

TEST_COMMAND = re.compile(r"\b(pytest|unittest|npm test|jest|vitest)\b")


def unchecked(session: Session, *, run_id: int, number: int) -> str:
    """Why phase `number` of this run cannot be marked done yet ("" when it can): the tests failed the
    last time they ran since the phase started, or nothing (no test run, no screenshot) checked it.
    Read from the run's own events, so it holds across slices and restarts."""
    rows = list(session.exec(select(RunEvent).where(
        RunEvent.run_id == run_id,
        col(RunEvent.type).in_([bev.PhaseStarted.type, bev.LogOutput.type, bev.ScreenshotTaken.type]))
        .order_by(col(RunEvent.seq))))
    started = [r.seq for r in rows if r.type == bev.PhaseStarted.type and r.payload.get("number") == number]
    since = [r for r in rows if not started or r.seq > started[-1]]
    tests = [r.payload for r in since
             if r.type == bev.LogOutput.type and TEST_COMMAND.search(str(r.payload.get("command", "")))]
    if tests and tests[-1].get("status") != "exit code 0":
        return ("The tests failed the last time they ran in this phase: fix what they found and run them again "
                "before completing it.")
    if not tests and not any(r.type == bev.ScreenshotTaken.type for r in since):
        return ("Nothing in this phase has been checked yet: run the app's tests (or start the app and take a "
                "screenshot of what the phase made), then complete it.")
    return ""
