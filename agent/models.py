"""Every SQL table of the product, as plain SQLModel classes shared by the web app and the worker.

Times are stored as UTC and always come back timezone-aware (SQLite drops the zone; `UTCDateTime` puts it back).
JSON columns hold plain data only, never pickles. Columns come in Alembic migrations, with defaults, never renamed.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from agent.columns import UTCDateTime, foreign_key, json_column, timestamp, utcnow

__all__ = ["UTCDateTime", "utcnow"]  # re-exported: callers take them from here


# --- accounts ---------------------------------------------------------------------------------

class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    created_at: datetime = timestamp()


class AuthSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "auth_sessions"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = foreign_key("users.id")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp(index=True)
    user_agent: str = Field(default="", max_length=300)


class PasswordReset(SQLModel, table=True):
    """A link to choose a new password: works once, for a while. Only its token's SHA-256 is stored."""

    __tablename__ = "password_resets"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = foreign_key("users.id")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp()
    used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)


# --- founder journey -------------------------------------------------------------------------

class Project(SQLModel, table=True):
    __tablename__ = "projects"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = foreign_key("users.id")
    name: str = Field(max_length=80)
    idea: str = Field(default="", sa_type=sa.Text)
    audience: str = Field(default="", max_length=2000)
    stage: str = Field(default="", max_length=40)
    # setting_up -> ready -> (journey statuses) ; setup_failed ; archived
    status: str = Field(default="setting_up", max_length=30, index=True)
    workspace_dir: str = Field(default="", max_length=500)
    storage_prefix: str = Field(default="", max_length=300)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    archived_at: datetime | None = timestamp(nullable=True, default=False)

    def files_prefix(self) -> str:  # where its snapshots, screenshots, guides and downloads are stored
        return self.storage_prefix or f"projects/{self.id}/"


class Artifact(SQLModel, table=True):
    """A versioned document of a project: the Idea Brief, the plan, the strategy."""

    __tablename__ = "artifacts"
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = foreign_key("projects.id")
    kind: str = Field(max_length=30)
    title: str = Field(max_length=200)
    current_version: int = 0
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ArtifactVersion(SQLModel, table=True):
    __tablename__ = "artifact_versions"
    __table_args__ = (sa.UniqueConstraint("artifact_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    artifact_id: int = foreign_key("artifacts.id")
    version: int
    content: dict = json_column()
    author: str = Field(max_length=80)  # "founder" or "co-founder (offline)" / model name
    note: str = Field(default="", max_length=300)
    created_at: datetime = timestamp()


class InterviewSession(SQLModel, table=True):
    __tablename__ = "interview_sessions"
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = foreign_key("projects.id")
    status: str = Field(default="in_progress", max_length=20)
    current_question: str = Field(default="", max_length=80)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class InterviewAnswer(SQLModel, table=True):
    __tablename__ = "interview_answers"
    __table_args__ = (sa.UniqueConstraint("session_id", "question_key"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = foreign_key("interview_sessions.id")
    position: int
    question_key: str = Field(max_length=80)
    topic: str = Field(default="", max_length=30)
    question: str = Field(sa_type=sa.Text)
    why: str = Field(default="", max_length=300)
    answer: str = Field(default="", sa_type=sa.Text)
    skipped: bool = False
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Decision(SQLModel, table=True):
    """What the founder chose at a gate, and why."""

    __tablename__ = "decisions"
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = foreign_key("projects.id")
    user_id: int | None = foreign_key("users.id", nullable=True, ondelete="SET NULL")
    gate: str = Field(max_length=40)
    choice: str = Field(max_length=20)  # proceed / narrow / pivot / park
    reason: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = timestamp()


class PlanPhase(SQLModel, table=True):
    """One card of the Kanban build plan (a GSD phase)."""

    __tablename__ = "plan_phases"
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = foreign_key("projects.id")
    position: int
    title: str = Field(max_length=120)
    goal: str = Field(default="", sa_type=sa.Text)
    acceptance: list = json_column(list)
    effort: str = Field(default="", max_length=40)
    cost_forecast_micros: int = 0
    cost_actual_micros: int = 0
    calls_actual: int = 0  # model calls booked to it (what the forecast's measured averages come from)
    status: str = Field(default="pending", max_length=20)  # pending / in_progress / done
    updated_at: datetime = timestamp()


# --- runs and the agent ------------------------------------------------------------------------

class Run(SQLModel, table=True):
    """One unit of worker activity for a project (setup, a brief draft, a build)."""

    __tablename__ = "runs"
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = foreign_key("projects.id")
    kind: str = Field(max_length=30)
    # queued / running / sleeping / needs_input / succeeded / failed / stopped / budget_exceeded
    status: str = Field(default="queued", max_length=20, index=True)
    tier: str = Field(default="", max_length=30)
    model: str = Field(default="", max_length=80)
    lease_owner: str = Field(default="", max_length=120)
    lease_expires_at: datetime | None = timestamp(nullable=True, default=False, index=True)
    last_seq: int = 0
    error: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = timestamp()
    started_at: datetime | None = timestamp(nullable=True, default=False)
    finished_at: datetime | None = timestamp(nullable=True, default=False)
    wake_at: datetime | None = timestamp(nullable=True, default=False, index=True)


class RunEvent(SQLModel, table=True):
    """The durable record of everything a run did; `(run_id, seq)` makes re-emission harmless."""

    __tablename__ = "run_events"
    __table_args__ = (sa.UniqueConstraint("run_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = foreign_key("runs.id")
    seq: int
    type: str = Field(max_length=60)
    payload: dict = json_column()
    created_at: datetime = timestamp()


class Checkpoint(SQLModel, table=True):
    __tablename__ = "checkpoints"
    __table_args__ = (sa.UniqueConstraint("run_id", "step"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = foreign_key("runs.id")
    step: int
    data: dict = json_column()
    created_at: datetime = timestamp()


class UsageEntry(SQLModel, table=True):
    """One model call's tokens and cost (the ledger); a build step's is keyed by its event's seq: booked once."""

    __tablename__ = "usage_ledger"
    __table_args__ = (sa.Index("ix_usage_ledger_run_seq", "run_id", "seq", unique=True,
                               sqlite_where=sa.text("seq > 0"), postgresql_where=sa.text("seq > 0")),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = foreign_key("runs.id", nullable=True)
    seq: int = 0  # the build event that reported it (0: not a build step's call)
    user_id: int = foreign_key("users.id")
    model: str = Field(max_length=80)
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    cost_micros: int = 0
    signature: str = Field(default="", max_length=120)
    created_at: datetime = timestamp(index=True)


class ErrorSignature(SQLModel, table=True):
    __tablename__ = "error_signatures"
    __table_args__ = (sa.UniqueConstraint("run_id", "signature"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = foreign_key("runs.id")
    signature: str = Field(max_length=120)
    error_type: str = Field(max_length=80)
    message: str = Field(default="", sa_type=sa.Text)
    attempts: int = 0
    approaches: list = json_column(list)
    escalated: bool = False
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Escalation(SQLModel, table=True):
    """A question the agent put to the founder after it ran out of approaches."""

    __tablename__ = "escalations"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = foreign_key("runs.id")
    signature: str = Field(default="", max_length=120)
    problem: str = Field(sa_type=sa.Text)
    attempts: list = json_column(list)
    recommendation: str = Field(default="", sa_type=sa.Text)
    options: list = json_column(list)
    status: str = Field(default="open", max_length=20)
    answer: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = timestamp()
    answered_at: datetime | None = timestamp(nullable=True, default=False)


# --- billing -------------------------------------------------------------------------------------

class Plan(SQLModel, table=True):
    """A subscription tier: the model it builds with, its monthly budget and its concurrency."""

    __tablename__ = "plans"
    key: str = Field(primary_key=True, max_length=30)
    name: str = Field(max_length=60)
    monthly_budget_micros: int
    model: str = Field(max_length=80)
    max_concurrent_runs: int = 1
    price_cents: int = 0
    stripe_price_id: str = Field(default="", max_length=120)


class Subscription(SQLModel, table=True):
    __tablename__ = "subscriptions"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True, ondelete="CASCADE")
    plan_key: str = Field(foreign_key="plans.key", max_length=30)
    status: str = Field(default="active", max_length=20)
    renews_at: datetime = timestamp()
    stripe_customer_id: str = Field(default="", max_length=120)
    stripe_subscription_id: str = Field(default="", max_length=120)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ProcessedWebhook(SQLModel, table=True):
    """A payment-provider event already handled; its id makes a replay a no-op."""

    __tablename__ = "processed_webhooks"
    event_id: str = Field(primary_key=True, max_length=120)
    type: str = Field(max_length=80)
    received_at: datetime = timestamp()


class AuditEntry(SQLModel, table=True):
    """Security-relevant actions: sign-ups, sign-ins, sign-outs, refused attempts."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = foreign_key("users.id", nullable=True, ondelete="SET NULL")
    action: str = Field(max_length=60, index=True)
    detail: dict = json_column()
    created_at: datetime = timestamp(index=True)
