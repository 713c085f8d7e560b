"""Keyword-only data functions for the founder journey: versioned artifacts, the interview,
gate decisions and the Kanban plan. Every function takes a session; callers check ownership first
(`store.owned_project`), these functions then scope every query by project id.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agent.founder_safe import redact, redact_all
from agent import plan as plan_rules
from agent import strategy
from agent.models import (
    Artifact,
    ArtifactVersion,
    Decision,
    InterviewAnswer,
    InterviewSession,
    PlanPhase,
    Project,
    Run,
    utcnow,
)

ARTIFACT_TITLES = {"brief": "Idea Brief", "plan": "Build plan", "strategy": "Strategy graph"}


# --- versioned artifacts --------------------------------------------------------------------------

def artifact(session: Session, *, project_id: int, kind: str) -> Artifact | None:
    return session.exec(select(Artifact).where(Artifact.project_id == project_id, Artifact.kind == kind)).first()


def save_version(
    session: Session, *, project_id: int, kind: str, content: dict[str, Any], author: str, note: str = ""
) -> ArtifactVersion:
    """A new version of the project's artifact of this kind (created on first save)."""
    item = artifact(session, project_id=project_id, kind=kind)
    if item is None:
        item = Artifact(project_id=project_id, kind=kind, title=ARTIFACT_TITLES.get(kind, kind.capitalize()))
        session.add(item)
        session.flush()
    number = session.execute(
        sa.update(Artifact).where(col(Artifact.id) == item.id)
        .values(current_version=col(Artifact.current_version) + 1, updated_at=utcnow())
        .returning(col(Artifact.current_version))
    ).scalar_one()
    version = ArtifactVersion(artifact_id=item.id, version=number, content=redact_all(content), author=author[:80],
                              note=redact(note[:300]))
    session.add(version)
    session.commit()
    return version


def latest(session: Session, *, project_id: int, kind: str) -> ArtifactVersion | None:
    item = artifact(session, project_id=project_id, kind=kind)
    if item is None:
        return None
    return version(session, artifact_id=item.id, number=item.current_version)


def version(session: Session, *, artifact_id: int, number: int) -> ArtifactVersion | None:
    return session.exec(select(ArtifactVersion).where(
        ArtifactVersion.artifact_id == artifact_id, ArtifactVersion.version == number)).first()


def versions(session: Session, *, artifact_id: int) -> list[ArtifactVersion]:
    """Every version, newest first."""
    return list(session.exec(select(ArtifactVersion).where(ArtifactVersion.artifact_id == artifact_id)
                             .order_by(col(ArtifactVersion.version).desc())))


def restore(session: Session, *, project_id: int, kind: str, number: int, author: str) -> ArtifactVersion:
    """Bring back an old version as the newest one (history is never rewritten)."""
    item = artifact(session, project_id=project_id, kind=kind)
    old = version(session, artifact_id=item.id, number=number) if item else None
    if old is None:
        raise LookupError(f"version {number} does not exist")
    return save_version(session, project_id=project_id, kind=kind, content=old.content, author=author,
                        note=f"Restored version {number}")


def project_artifacts(session: Session, *, project_id: int) -> list[Artifact]:
    return list(session.exec(select(Artifact).where(Artifact.project_id == project_id).order_by(col(Artifact.id))))


def duplicate(session: Session, *, project: Project, kind: str, name: str) -> tuple[Project, Run]:
    """A new project for the same founder, starting from this artifact's current content."""
    source = latest(session, project_id=project.id, kind=kind)
    if source is None:
        raise LookupError(f"the project has no {kind}")
    copy = Project(owner_id=project.owner_id, name=name[:80], idea=project.idea, audience=project.audience,
                   stage=project.stage)
    session.add(copy)
    session.flush()
    run = Run(project_id=copy.id, kind="setup")
    session.add(run)
    session.commit()
    save_version(session, project_id=copy.id, kind=kind, content=source.content, author="founder",
                 note=f"Copied from “{project.name}”, version {source.version}")
    return copy, run


# --- the interview --------------------------------------------------------------------------------

def current_interview(session: Session, *, project_id: int) -> InterviewSession | None:
    return session.exec(select(InterviewSession).where(InterviewSession.project_id == project_id)
                        .order_by(col(InterviewSession.id).desc())).first()


def start_interview(session: Session, *, project_id: int, keep_topics: tuple[str, ...] = ()) -> InterviewSession:
    """A new interview; answers on `keep_topics` from the previous one carry over (a pivot)."""
    previous = current_interview(session, project_id=project_id)
    interview = InterviewSession(project_id=project_id)
    session.add(interview)
    session.flush()
    if previous is not None:
        previous.status = "superseded"
        kept = [a for a in answers(session, interview_id=previous.id) if a.topic in keep_topics and (a.answer or a.skipped)]
        for position, a in enumerate(kept):
            session.add(InterviewAnswer(session_id=interview.id, position=position, question_key=a.question_key,
                                        topic=a.topic, question=a.question, why=a.why, answer=a.answer,
                                        skipped=a.skipped))
    session.commit()
    return interview


def answers(session: Session, *, interview_id: int) -> list[InterviewAnswer]:
    return list(session.exec(select(InterviewAnswer).where(InterviewAnswer.session_id == interview_id)
                             .order_by(col(InterviewAnswer.position))))


def pending_question(session: Session, *, interview_id: int) -> InterviewAnswer | None:
    """The question asked and not yet answered or skipped."""
    return next((a for a in answers(session, interview_id=interview_id) if not a.answer and not a.skipped), None)


def ask(session: Session, *, interview_id: int, key: str, topic: str, question: str, why: str = "") -> InterviewAnswer:
    existing = answers(session, interview_id=interview_id)
    row = InterviewAnswer(session_id=interview_id, position=len(existing), question_key=key, topic=topic,
                          question=question, why=why[:300])
    session.add(row)
    interview = session.get(InterviewSession, interview_id)
    interview.current_question, interview.updated_at = key, utcnow()
    session.commit()
    return row


def answer(session: Session, *, interview_id: int, answer_id: int, text: str, skipped: bool = False) -> InterviewAnswer:
    row = session.get(InterviewAnswer, answer_id)
    if row is None or row.session_id != interview_id:
        raise LookupError("no such question in this interview")
    row.answer, row.skipped, row.updated_at = ("" if skipped else text), skipped, utcnow()
    session.commit()
    return row


def finish_interview(session: Session, *, interview_id: int) -> None:
    interview = session.get(InterviewSession, interview_id)
    interview.status, interview.current_question, interview.updated_at = "done", "", utcnow()
    session.commit()


# --- gate decisions ---------------------------------------------------------------------------------

def record_decision(session: Session, *, project_id: int, user_id: int | None, choice: str, reason: str,
                    gate: str = "brief") -> Decision:
    row = Decision(project_id=project_id, user_id=user_id, gate=gate, choice=choice, reason=reason)
    session.add(row)
    session.commit()
    return row


def decisions(session: Session, *, project_id: int) -> list[Decision]:
    """Oldest first."""
    return list(session.exec(select(Decision).where(Decision.project_id == project_id).order_by(col(Decision.id))))


def refresh_strategy(session: Session, *, project_id: int) -> None:
    """Redraw the strategy graph from the current brief, every decision so far, the features earlier
    brief versions had that this one dropped, and the plan as edited (the features it builds, and
    those it left out)."""
    item = artifact(session, project_id=project_id, kind="brief")
    if item is None:
        return
    history = versions(session, artifact_id=item.id)
    current = {f["name"] for f in history[0].content.get("mvp_features", [])}
    cut = list(dict.fromkeys(f["name"] for v in history[1:] for f in v.content.get("mvp_features", [])
                             if f["name"] not in current))
    chosen = [{"choice": d.choice, "reason": d.reason} for d in decisions(session, project_id=project_id)]
    phases = [{"title": p.title, "goal": p.goal, "acceptance": p.acceptance}
              for p in plan_phases(session, project_id=project_id)]
    brief = history[0].content
    graph = strategy.build(brief, chosen, cut_features=cut,
                           features=plan_rules.planned_features(brief, phases) if phases else None,
                           left_out=plan_rules.left_out(brief, phases))
    drawn = latest(session, project_id=project_id, kind="strategy")
    if drawn is not None and drawn.content == graph:
        return  # nothing to redraw (a move of two phases changes no node): no new version
    save_version(session, project_id=project_id, kind="strategy", content=graph, author="co-founder")


# --- the Kanban plan ---------------------------------------------------------------------------------

def replace_plan(session: Session, *, project_id: int, phases: list[dict[str, Any]]) -> list[PlanPhase]:
    session.execute(sa.delete(PlanPhase).where(col(PlanPhase.project_id) == project_id))
    rows = [PlanPhase(project_id=project_id, position=i, title=p["title"], goal=p["goal"], acceptance=p["acceptance"],
                      effort=p["effort"], cost_forecast_micros=p["cost_forecast_micros"]) for i, p in enumerate(phases)]
    session.add_all(rows)
    session.commit()
    return rows


def plan_phases(session: Session, *, project_id: int) -> list[PlanPhase]:
    return list(session.exec(select(PlanPhase).where(PlanPhase.project_id == project_id).order_by(col(PlanPhase.position))))


def _phase(session: Session, project_id: int, phase_id: int) -> PlanPhase:
    row = session.get(PlanPhase, phase_id)
    if row is None or row.project_id != project_id:
        raise LookupError("no such phase in this project")
    return row


def update_phase(session: Session, *, project_id: int, phase_id: int, **values: Any) -> PlanPhase:
    row = _phase(session, project_id, phase_id)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.commit()
    return row


def reprice(session: Session, *, project_id: int, model: str) -> None:
    """Forecast every phase again for where it now sits in the plan (after an edit, move or removal)."""
    rows = plan_phases(session, project_id=project_id)
    calls = measured_calls(session, owner_id=session.get(Project, project_id).owner_id)
    for row, forecast in zip(rows, plan_rules.forecasts([r.effort for r in rows], model, calls=calls)):
        row.cost_forecast_micros = forecast
    session.commit()


def measured_calls(session: Session, *, owner_id: int) -> dict[str, int]:
    """The model calls the founder's finished phases of each effort took on average, for the efforts
    with at least plan.MEASURED_AFTER such phases built by a paid model (the offline co-founder books
    no cost, so no calls)."""
    rows = session.execute(
        sa.select(PlanPhase.effort, sa.func.avg(PlanPhase.calls_actual), sa.func.count())
        .join(Project, col(Project.id) == col(PlanPhase.project_id))
        .where(col(Project.owner_id) == owner_id, col(PlanPhase.status) == "done", col(PlanPhase.calls_actual) > 0)
        .group_by(col(PlanPhase.effort)))
    return {effort: max(1, round(float(mean)) - plan_rules.PLAN_CALLS) for effort, mean, count in rows
            if effort in plan_rules.EFFORTS and count >= plan_rules.MEASURED_AFTER}


def add_phase_cost(session: Session, *, project_id: int, number: int, micros: int) -> None:
    """Add a model call's cost to the actual cost of the plan's phase `number` (1-based)."""
    rows = plan_phases(session, project_id=project_id)
    if 1 <= number <= len(rows) and micros:
        session.execute(sa.update(PlanPhase).where(col(PlanPhase.id) == rows[number - 1].id)
                        .values(cost_actual_micros=PlanPhase.cost_actual_micros + micros,
                                calls_actual=PlanPhase.calls_actual + 1))
        session.commit()


def move_phase(session: Session, *, project_id: int, phase_id: int, offset: int) -> None:
    rows = plan_phases(session, project_id=project_id)
    index = next(i for i, r in enumerate(rows) if r.id == _phase(session, project_id, phase_id).id)
    target = min(max(index + offset, 0), len(rows) - 1)
    rows.insert(target, rows.pop(index))
    for position, row in enumerate(rows):
        row.position = position
    session.commit()


def remove_phase(session: Session, *, project_id: int, phase_id: int) -> None:
    session.delete(_phase(session, project_id, phase_id))
    session.commit()
    for position, row in enumerate(plan_phases(session, project_id=project_id)):
        row.position = position
    session.commit()
