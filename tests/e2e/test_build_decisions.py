"""The build page when the co-founder retries and when it stops to ask: the "Auto-fixing (attempt N
of 3)" banner, and the decision console (what went wrong, what was tried, a recommendation, options,
or the founder's own words), answered in the browser, after which the real worker builds on."""

import json
import os

from playwright.sync_api import expect

from agent import events as ev
from agent import journey_store as js
from agent import run_store as rs
from agent import store
from agent.db import Database
from tests.support import scripted_claude
from tests.support.browser import wait_hydrated
from tests.e2e.test_build_page import snap


def test_the_banner_shows_while_the_agent_retries(live_app, signed_in, make_founder, planned_project):
    founder = make_founder()
    project = planned_project(founder)
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:  # a build mid-way (not queued to the worker): its second try at one failure
        run = store.create_run(s, project_id=project.id, kind="build")
        store.update_project(s, project_id=project.id, status="building")
        store.insert_event(s, run_id=run.id, event=ev.ToolUsed(tool="bash", label="Ran the tests", ok=False))
        store.insert_event(s, run_id=run.id, event=ev.FixAttempt(attempt=2, tool="bash", problem="A test failed"))
    db.dispose()
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}/build")
    expect(page.locator("#fixing-banner")).to_have_text("Auto-fixing (attempt 2 of 3)")
    expect(page.locator("#decision-console")).to_have_count(0)
    snap(page, "7-fixing")


def test_the_founder_answers_the_question_and_the_build_goes_on(live_app, signed_in, make_founder, planned_project):
    founder = make_founder()
    project = planned_project(founder)
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        run = store.create_run(s, project_id=project.id, kind="build")
        store.update_project(s, project_id=project.id, status="building")
        options = ["Skip this part for now and carry on with the rest", "Try a simpler version of this feature",
                   "Stop the build here"]
        rs.escalate(s, run_id=run.id, signature="ModuleNotFoundError:abc",
                    problem="I hit a problem while working on “Payments” that I couldn't fix after 3 different tries.",
                    attempts=["Ran “pip install stripe”", "Edited requirements.txt", "Vendored the library"],
                    recommendation=options[0], options=options)
        store.insert_event(s, run_id=run.id, event=ev.NeedsInput(problem="Payments", options=options))
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}/build")
    expect(page.locator("#agent-state")).to_have_text("Needs your input")
    expect(page.locator("#agent-state-detail")).to_contain_text("couldn't fix after 3 different tries")
    expect(page.locator("#question-attempts li")).to_have_count(3)
    expect(page.locator("#question-recommendation")).to_contain_text("Skip this part for now")
    expect(page.locator("#question-options button")).to_have_count(3)
    snap(page, "8-needs-input")
    page.click("#send-instruction")  # nothing written, nothing picked: a clear message, nothing lost
    expect(page.locator("#answer-error")).to_contain_text("Pick one of the options")
    page.fill("#instruction", "Leave payments out; use a 'Pay in person' note instead.")
    page.click("#send-instruction")
    # the worker picks the run up again and builds on (the offline co-founder, from the plan)
    expect(page.locator("#agent-state")).to_have_text("Building", timeout=20_000)
    expect(page.locator("#decision-console")).to_have_count(0)
    expect(page.locator("#agent-state")).to_have_text("Done", timeout=150_000)
    with db.session() as s:
        assert rs.open_escalation(s, run_id=run.id) is None
        assert store.get_run(s, run_id=run.id).status == "succeeded"
    db.dispose()


def test_a_resting_build_counts_down_to_its_wake(live_app, signed_in, make_founder, planned_project):
    import sqlalchemy as sa
    from datetime import timedelta

    from agent.models import Run, utcnow

    founder = make_founder()
    project = planned_project(founder)
    wake_at = utcnow() + timedelta(hours=3)
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        run = store.create_run(s, project_id=project.id, kind="build")
        store.update_project(s, project_id=project.id, status="building")
        store.insert_event(s, run_id=run.id, event=ev.Sleeping(wake_at=wake_at.isoformat(), spent="$0.67",
                                                               allowance="$0.67"))
        s.execute(sa.update(Run).where(Run.id == run.id).values(status="sleeping", wake_at=wake_at))
        s.commit()
    db.dispose()
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}/build")
    expect(page.locator("#agent-state")).to_have_text("Resting")
    expect(page.locator("#agent-countdown")).to_contain_text("wakes in 2h 5")
    expect(page.locator("#activity-feed")).to_contain_text("I'll carry on by myself at")
    snap(page, "9-resting")
    page.click("#stop-build")  # a resting build can be stopped without waiting for it to wake
    page.click("#confirm-stop")
    expect(page.locator("#agent-state")).to_have_text("Stopped")


def test_a_real_build_stops_to_ask_and_the_founders_answer_finishes_it(live_app, signed_in, make_founder,
                                                                        planned_project):
    """The worker on the Claude adapter (the real SDK, a local Messages API playing the model) fails one
    way three times, stops to ask; the founder answers in the browser; the run goes on with the answer."""
    from tests.support.fake_messages_api import FakeMessagesAPI

    founder = make_founder()
    project = planned_project(founder)
    failing = "python3 -c \"import stripe_payments_sdk\""
    with FakeMessagesAPI() as api:
        api.turn(("text", "Adding payments."), ("tool_use", "bash", {"command": failing}))
        api.turn(("tool_use", "bash", {"command": "pip install --no-index stripe_payments_sdk; " + failing}))
        api.turn(("tool_use", "bash", {"command": "PYTHONPATH=vendor " + failing}))
        db = Database(os.environ["DATABASE_URL"])
        with db.session() as s:  # after the answer it builds the whole plan, without payments
            scripted_claude.script(api, len(js.plan_phases(s, project_id=project.id)))
        db.dispose()
        with live_app.other_worker(ANTHROPIC_API_KEY="sk-ant-test", ANTHROPIC_BASE_URL=api.url):
            page = signed_in(founder).new_page()
            page.goto(f"{live_app.url}/projects/{project.id}/build")
            wait_hydrated(page, "#start-build")
            page.click("#start-build")
            expect(page.locator("#agent-state")).to_have_text("Needs your input", timeout=30_000)
            expect(page.locator("#question-attempts li")).to_have_count(3)
            expect(page.locator("#agent-state-detail")).to_contain_text("3 different tries")
            assert len(api.requests) == 3  # it stopped to ask instead of paying for a fourth try
            page.fill("#instruction", "Leave payments out; say 'Pay in person' instead.")
            page.click("#send-instruction")
            expect(page.locator("#agent-state")).to_have_text("Done", timeout=90_000)
            expect(page.locator("#decision-console")).to_have_count(0)
            expect(page.frame_locator("#preview-frame").locator("h1")).to_have_text("Walkies")
    told = json.dumps(api.requests[3]["body"]["messages"][-1])
    assert "Leave payments out; say 'Pay in person' instead." in told
