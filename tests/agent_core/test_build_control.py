"""The founder's build controls and what the build page reads: one run per start however many
clicks, pause, resume and stop; the state card, the stage labels; the download pack's contents."""

import asyncio
import io
import tarfile

import pytest

from agent import build_control, build_view, handover, jobs, store
from agent import brief as brief_rules
from agent import events as ev
from agent import interview as iv
from agent.build_control import BuildControls
from agent.journey import JourneyError
from tests.agent_core.conftest import Queue, planned_project


async def test_many_clicks_start_one_run(db, redis, planned):
    user, project = planned
    queue = Queue()
    controls = BuildControls(db=db, redis=redis, enqueue=queue)
    results = await asyncio.gather(*(controls.start(project) for _ in range(5)), return_exceptions=True)
    started = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, JourneyError)]
    assert len(started) == 1 and len(refused) == 4
    assert all("already building" in str(r) for r in refused)
    assert [j[0] for j in queue.jobs] == [jobs.BUILD_SLICE]
    with db.session() as s:
        assert store.get_run(s, run_id=started[0]).kind == "build"
        assert s.get(type(project), project.id).status == "building"


async def test_pause_resume_and_stop(db, redis, planned):
    user, project = planned
    queue = Queue()
    controls = BuildControls(db=db, redis=redis, enqueue=queue)
    with pytest.raises(JourneyError, match="no build yet"):
        await controls.pause(project)
    run_id = await controls.start(project)
    await controls.pause(project)
    assert await redis.get(build_control.control_key(run_id)) in ("pause", b"pause")
    await controls.resume(project)  # before the loop reached a step boundary: the pause is simply taken back
    assert await redis.get(build_control.control_key(run_id)) is None
    with db.session() as s:
        s.execute(build_control.sa.update(build_control.Run).where(build_control.Run.id == run_id)
                  .values(status="paused"))
        s.commit()
    await controls.resume(project)
    assert queue.jobs[-1][0] == jobs.BUILD_SLICE and "resume" in queue.jobs[-1][2]
    with db.session() as s:
        s.execute(build_control.sa.update(build_control.Run).where(build_control.Run.id == run_id)
                  .values(status="paused"))
        s.commit()
    await controls.stop(project)  # a paused run stops at once
    with db.session() as s:
        assert store.get_run(s, run_id=run_id).status == "stopped"
        assert s.get(type(project), project.id).status == "planned"
        rows = store.events_between(s, run_id=run_id, after_seq=0)
    assert rows[-1].type == ev.RunStopped.type
    with pytest.raises(JourneyError, match="already ended"):
        await controls.stop(project)


def test_state_card_and_stage_labels(db, planned):
    user, project = planned
    with db.session() as s:
        view = build_view.read(s, project_id=project.id, user_id=user.id)
        assert view["card"].title == "Ready to build" and view["stage"] == ""
        run = store.create_run(s, project_id=project.id, kind="build")
        for event in (ev.ToolUsed(tool="write_file", label="Wrote 3 lines to a.py"),
                      ev.ToolUsed(tool="bash", label="Ran “python3 -m unittest”: exit code 0")):
            store.insert_event(s, run_id=run.id, event=event)
        view = build_view.read(s, project_id=project.id, user_id=user.id)
        assert (view["card"].title, view["stage"]) == ("Building", "Testing")
        store.insert_event(s, run_id=run.id, event=ev.ToolUsed(tool="bash", label="Ran “pip install flask”"))
        assert build_view.read(s, project_id=project.id, user_id=user.id)["stage"] == "Installing"
        store.insert_event(s, run_id=run.id, event=ev.RunFailed(reason="The tests kept failing."))
        store.finish_run(s, run_id=run.id, status="failed")
        view = build_view.read(s, project_id=project.id, user_id=user.id)
        assert (view["card"].kind, view["card"].detail) == ("error", "The tests kept failing.")


def test_the_pack_holds_the_app_docs_brief_plan_and_screenshots(planned):
    user, project = planned
    brief = brief_rules.draft_offline(iv.facts("Walkies", "Dog owners meet trusted local walkers nearby.", "Owners"), [])
    contents = handover.PackContents(project_name="Walkies & Co", brief=brief,
                                     phases=[{"title": "Foundation", "goal": "Pages", "acceptance": ["Home works"],
                                              "status": "done"}],
                                     docs={"overview": "# Overview\n", "faq": "# FAQ\n"},
                                     code={"app/server.py": b"print('hi')\n"}, screenshots={"home-page.png": b"\x89PNG"},
                                     run_command="python3 app/server.py --port 8000")
    with tarfile.open(fileobj=io.BytesIO(handover.make_pack(contents)), mode="r:gz") as archive:
        names = set(archive.getnames())
        readme = archive.extractfile("walkies-co/README.md").read().decode()
        plan = archive.extractfile("walkies-co/plan.md").read().decode()
    assert names == {"walkies-co/README.md", "walkies-co/idea-brief.md", "walkies-co/plan.md",
                     "walkies-co/docs/overview.md", "walkies-co/docs/faq.md", "walkies-co/code/app/server.py",
                     "walkies-co/screenshots/home-page.png"}
    assert "python3 app/server.py --port 8000" in readme and "1. Foundation (done)" in plan


def test_evidence_is_honest():
    features = [{"name": "Search and filter"}, {"name": "Messages"}]
    shots = [{"name": "Search and filter", "key": "k1"}]
    passed = [{"command": "python3 -m unittest", "status": "exit code 0"}]
    report = handover.evidence(features, shots, passed)
    assert [r["verified"] for r in report] == [True, False]
    failed = handover.evidence(features, shots, [{"command": "pytest", "status": "exit code 1"}])
    assert not any(r["verified"] for r in failed) and "did not pass" in failed[0]["test"]
    assert handover.evidence(features, [], [])[0]["test"] == "no automated check was run"
    assert not any("pytest" in r["test"] for r in failed)  # plain words, never the command


async def test_a_failed_build_says_why_in_plain_english_and_can_be_started_again(db, redis, planned, tmp_path):
    from agent.build_job import BuildDeps, build_slice
    from agent.services.llm import LLMError
    from agent.services.confinement import UNCONFINED
    from agent.services.local_sandbox import LocalSandbox

    user, project = planned
    queue = Queue()
    controls = BuildControls(db=db, redis=redis, enqueue=queue)
    run_id = await controls.start(project)

    class RefusedKey:
        label, model, offline = "Claude (test)", "claude-test", False

        async def turn(self, **_kwargs):
            raise LLMError("Claude didn't accept the API key. Check ANTHROPIC_API_KEY and try again.")

    async def open_sandbox(workspace, _sandbox_id):
        return LocalSandbox(workspace, confinement=UNCONFINED)

    async def nothing(*_args):
        return None

    deps = BuildDeps(db=db, redis=redis, storage=None, llm=RefusedKey(), capture=nothing, enqueue=queue,
                     open_sandbox=open_sandbox, workspaces_root=tmp_path, worker_id="test")
    assert await build_slice(deps, run_id) == "failed"
    with db.session() as s:
        card = build_view.read(s, project_id=project.id, user_id=user.id)["card"]
        assert (card.kind, card.title) == ("error", "Error")
        assert card.detail == ("Claude didn't accept the API key. Check ANTHROPIC_API_KEY and try again. "
                               "Your plan and the build's progress so far are kept.")  # what is true of the work
        again = s.get(type(project), project.id)
    assert again.status == "planned"  # not stuck in "building": the founder can try again
    assert await controls.start(again) != run_id


async def test_a_tier_builds_only_so_many_projects_at_once(db, redis, planned):
    user, project = planned
    other = planned_project(db, user, "Cat sitters")  # bootstrapper: one build at a time
    controls = BuildControls(db=db, redis=redis, enqueue=Queue())
    await controls.start(project)
    with pytest.raises(JourneyError, match="Bootstrapper plan builds 1 project at a time"):
        await controls.start(other)
    with db.session() as s:
        assert s.get(type(other), other.id).status == "planned"  # nothing changed: it can start later
        build_control.finish_stopped(s, run_id=build_control.latest_build(s, project_id=project.id).id,
                                     project_id=project.id)  # the first build stops: its slot is free
    assert await controls.start(other)
