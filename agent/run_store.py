"""Keyword-only data functions for long runs: checkpoints, leases, escalations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agent.models import Checkpoint, Escalation, Run, utcnow

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


def hand_over(session: Session, *, run_id: int, owner: str) -> None:
    """Give up the lease at the end of a slice so the continuation can claim it at once."""
    session.execute(sa.update(Run).where(col(Run.id) == run_id, col(Run.lease_owner) == owner)
                    .values(lease_owner="", lease_expires_at=None))
    session.commit()


def set_status(session: Session, *, run_id: int, status: str) -> None:
    session.execute(sa.update(Run).where(col(Run.id) == run_id)
                    .values(status=status, lease_owner="", lease_expires_at=None))
    session.commit()


def stalled_runs(session: Session, *, kinds: tuple[str, ...], now: datetime | None = None) -> list[Run]:
    """Running runs whose worker stopped renewing the lease (it died): the reconciler restarts them."""
    now = now or utcnow()
    return list(session.exec(select(Run).where(col(Run.kind).in_(kinds), Run.status == "running",
                                               col(Run.lease_expires_at) < now)))


def escalate(session: Session, *, run_id: int, problem: str, attempts: list[str], recommendation: str,
             options: list[str], signature: str = "") -> Escalation:
    row = Escalation(run_id=run_id, signature=signature, problem=problem, attempts=attempts,
                     recommendation=recommendation, options=options)
    session.add(row)
    session.execute(sa.update(Run).where(col(Run.id) == run_id)
                    .values(status="needs_input", lease_owner="", lease_expires_at=None))
    session.commit()
    return row
