"""Keyword-only data functions over a session: users, sessions, projects, runs and run events.

`record` is the one write path for run events: the row first (the source of truth, next `seq`),
then the Redis Stream entry `{seq}-1`. Ownership checks live here too, so every caller that takes a
project id from a founder goes through `owned_project`.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from agent.founder_safe import redact_all
from agent import events as ev
from agent import streams
from agent.db import Database
from agent.models import AuditEntry, AuthSession, Project, Run, RunEvent, User, utcnow


class EmailTaken(Exception):
    """An account with this email already exists."""


# --- users and sign-in sessions ------------------------------------------------------------------

def create_user(session: Session, *, email: str, password_hash: str) -> User:
    user = User(email=email, password_hash=password_hash)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise EmailTaken(email) from None
    session.refresh(user)
    return user


def find_user_by_email(session: Session, *, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def create_auth_session(
    session: Session, *, user_id: int, token_hash: str, lifetime: timedelta, user_agent: str = ""
) -> AuthSession:
    row = AuthSession(
        user_id=user_id,
        token_hash=token_hash,
        expires_at=utcnow() + lifetime,
        user_agent=user_agent[:300],
    )
    session.add(row)
    session.commit()
    return row


def user_for_token_hash(session: Session, *, token_hash: str, now: datetime | None = None) -> User | None:
    now = now or utcnow()
    statement = (
        select(User)
        .join(AuthSession, col(AuthSession.user_id) == col(User.id))
        .where(AuthSession.token_hash == token_hash, AuthSession.expires_at > now)
    )
    return session.exec(statement).first()


def delete_auth_session(session: Session, *, token_hash: str) -> int | None:
    """Remove a sign-in session; returns the user id it belonged to, if any."""
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash)).first()
    if row is None:
        return None
    session.delete(row)
    session.commit()
    return row.user_id


def audit(session: Session, *, action: str, user_id: int | None = None, **detail: object) -> None:
    session.add(AuditEntry(action=action, user_id=user_id, detail=detail))
    session.commit()


# --- projects and runs ----------------------------------------------------------------------------

def create_project(session: Session, *, owner_id: int, name: str) -> tuple[Project, Run]:
    """A new project and its setup run, committed together."""
    project = Project(owner_id=owner_id, name=name)
    session.add(project)
    session.flush()
    run = Run(project_id=project.id, kind="setup")
    session.add(run)
    session.commit()
    return project, run


def list_projects(session: Session, *, owner_id: int, include_archived: bool = True) -> list[Project]:
    statement = select(Project).where(Project.owner_id == owner_id)
    if not include_archived:
        statement = statement.where(Project.status != "archived")
    return list(session.exec(statement.order_by(col(Project.created_at).desc(), col(Project.id).desc())))


def owned_project(session: Session, *, owner_id: int, project_id: int) -> Project | None:
    """The project if this founder owns it; None for someone else's or a missing project."""
    return session.exec(
        select(Project).where(Project.id == project_id, Project.owner_id == owner_id)
    ).first()


def update_project(session: Session, *, project_id: int, **values: object) -> None:
    values["updated_at"] = utcnow()
    session.execute(sa.update(Project).where(col(Project.id) == project_id).values(**values))
    session.commit()


def create_run(session: Session, *, project_id: int, kind: str, tier: str = "", model: str = "") -> Run:
    run = Run(project_id=project_id, kind=kind, tier=tier, model=model)
    session.add(run)
    session.commit()
    return run


def project_runs(session: Session, *, project_id: int) -> list[Run]:
    return list(session.exec(select(Run).where(Run.project_id == project_id).order_by(col(Run.id))))


def get_run(session: Session, *, run_id: int) -> Run | None:
    return session.get(Run, run_id)


def claim_run(
    session: Session, *, run_id: int, owner: str, lease: timedelta, now: datetime | None = None
) -> bool:
    """Take the run's lease unless another live worker holds it; marks the run running."""
    now = now or utcnow()
    result = session.execute(
        sa.update(Run)
        .where(
            col(Run.id) == run_id,
            col(Run.status).in_(["queued", "running"]),
            sa.or_(
                col(Run.lease_owner) == "",
                col(Run.lease_owner) == owner,
                col(Run.lease_expires_at) < now,
            ),
        )
        .values(
            lease_owner=owner,
            lease_expires_at=now + lease,
            status="running",
            started_at=sa.func.coalesce(col(Run.started_at), now),
        )
    )
    session.commit()
    return result.rowcount == 1


def finish_run(session: Session, *, run_id: int, status: str, error: str = "") -> None:
    session.execute(
        sa.update(Run)
        .where(col(Run.id) == run_id)
        .values(status=status, error=error, finished_at=utcnow(), lease_owner="", lease_expires_at=None)
    )
    session.commit()


# --- run events -----------------------------------------------------------------------------------

def _insert_ignoring_duplicates(session: Session, table, values: dict, returning):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING `returning`: None when the row already existed."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return session.execute(insert(table).values(**values).on_conflict_do_nothing().returning(returning)).scalar()


def insert_event(session: Session, *, run_id: int, event: ev.Event, seq: int | None = None) -> RunEvent:
    """Write one event row. With `seq` given, an existing row for it is returned unchanged.

    Plain SQL statements rather than ORM objects: this runs for every event of every run."""
    values = {"run_id": run_id, "type": ev.type_of(event), "payload": redact_all(ev.to_payload(event)),
              "created_at": utcnow()}  # no secret the settings know reaches the database or the stream
    if seq is None:
        seq = session.execute(
            sa.update(Run).where(col(Run.id) == run_id).values(last_seq=col(Run.last_seq) + 1)
            .returning(col(Run.last_seq))
        ).scalar_one()
        event_id = session.execute(sa.insert(RunEvent).values(seq=seq, **values).returning(col(RunEvent.id))).scalar_one()
    else:
        event_id = _insert_ignoring_duplicates(session, RunEvent, {"seq": seq, **values}, col(RunEvent.id))
        if event_id is None:
            session.rollback()
            return session.exec(select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.seq == seq)).one()
        session.execute(sa.update(Run).where(col(Run.id) == run_id, col(Run.last_seq) < seq).values(last_seq=seq))
    session.commit()
    return RunEvent(id=event_id, seq=seq, **values)


def events_between(
    session: Session, *, run_id: int, after_seq: int, before_seq: int | None = None, newest: int = 500
) -> list[RunEvent]:
    """Events with after_seq < seq (< before_seq), the newest `newest` of them, in seq order."""
    statement = select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.seq > after_seq)
    if before_seq is not None:
        statement = statement.where(RunEvent.seq < before_seq)
    rows = list(session.exec(statement.order_by(col(RunEvent.seq).desc()).limit(newest)))
    return rows[::-1]


def latest_events(session: Session, *, run_ids: list[int], limit: int,
                  before: tuple[int, int] | None = None) -> list[RunEvent]:
    """The newest `limit` events across runs, oldest first (for a page's first view); with `before`
    (run id, seq) of an event, the `limit` recorded just before that one (to page further back)."""
    if not run_ids:
        return []
    statement = select(RunEvent).where(col(RunEvent.run_id).in_(run_ids))
    if before is not None:
        anchor = select(RunEvent.id).where(RunEvent.run_id == before[0], RunEvent.seq == before[1]).scalar_subquery()
        statement = statement.where(col(RunEvent.id) < anchor)
    statement = statement.order_by(col(RunEvent.id).desc()).limit(limit)
    return list(reversed(list(session.exec(statement))))


async def record(
    *,
    db: Database,
    redis: Redis,
    run_id: int,
    event: ev.Event,
    seq: int | None = None,
    maxlen: int = 1000,
) -> RunEvent:
    """Record an event durably, then publish it live. Publishing twice is harmless."""
    row = await db.run(lambda s: insert_event(s, run_id=run_id, event=event, seq=seq))
    await streams.publish(
        redis,
        run_id=run_id,
        seq=row.seq,
        type_name=row.type,
        payload_json=json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False),
        at=time.time(),
        maxlen=maxlen,
    )
    return row
