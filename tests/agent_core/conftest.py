"""Shared by the agent-core tests: a project as a finished journey leaves it, and a job queue that
records what was enqueued."""

import uuid

import pytest

from agent import brief as brief_rules
from agent import interview as iv
from agent import journey_store as js
from agent import plan as plan_rules
from agent import store


def planned_project(db, user, name="Walkies"):
    """A project of `user` as a finished journey leaves it: a brief and a plan, ready to build."""
    with db.session() as s:
        project, _ = store.create_project(s, owner_id=user.id, name=name)
        content = brief_rules.draft_offline(iv.facts(name, "Dog owners meet trusted local walkers nearby.",
                                                     "Owners"), [])
        js.save_version(s, project_id=project.id, kind="brief", content=content, author="offline co-founder")
        js.replace_plan(s, project_id=project.id,
                        phases=plan_rules.normalise(plan_rules.phases_offline(content), "claude-sonnet-4-5"))
        store.update_project(s, project_id=project.id, status="planned")
        s.refresh(project)
    return project


@pytest.fixture
def planned(db):
    with db.session() as s:
        user = store.create_user(s, email=f"b-{uuid.uuid4().hex[:12]}@example.com", password_hash="x")
    return user, planned_project(db, user)


class Queue:
    def __init__(self):
        self.jobs = []

    async def __call__(self, job, run_id, job_id):
        self.jobs.append((job, run_id, job_id))
