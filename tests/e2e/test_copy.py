"""Every page tells the truth in every state: for each project status, the overview's next step is the
one that status calls for, and no founder page speaks of releases, environment variables, commands,
file paths or token counts. The offline badge explains itself in plain words; a signed-in founder's
home page leads to their projects."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from agent import store
from agent.db import Database
from cofounder_app.pages.project import NEXT_STEP
from cofounder_app.styles import PROJECT_STATUS

FOR_DEVELOPERS = re.compile(r"\b(next release|API[_ ]KEY|E2B|environment variable|restart|python3?|pytest|"
                            r"unittest|npm|tokens?)\b|[A-Z]{2,}_[A-Z_]{2,}|\b[\w-]+/[\w/-]*\.(py|json|js)\b", re.I)
TABS = ("", "idea", "interview", "brief", "plan", "build")


def test_every_status_has_a_next_step_of_its_own():
    assert set(PROJECT_STATUS) <= set(NEXT_STEP)
    assert NEXT_STEP["built"][4] == NEXT_STEP["building"][4] == "build" and NEXT_STEP["planned"][4] == "plan"
    for status, (_, title, body, button, _) in NEXT_STEP.items():
        assert not FOR_DEVELOPERS.search(" ".join((title, body, button))), status


@pytest.mark.parametrize("status", ["ready", "interviewing", "brief_ready", "planned", "building", "built",
                                    "archived"])
def test_each_page_reads_true_in_each_state(status, live_app, signed_in, make_founder, planned_project):
    founder = make_founder()
    project = planned_project(founder)
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        store.update_project(s, project_id=project.id, status=status)
    db.dispose()
    page = signed_in(founder).new_page()
    for tab in TABS:
        page.goto(f"{live_app.url}/projects/{project.id}" + (f"/{tab}" if tab else ""))
        expect(page.locator("#project-status")).to_have_text(PROJECT_STATUS[status][0])
        if tab == "":
            expect(page.locator("#next-step-title")).to_have_text(NEXT_STEP[status][1])
        if tab == "idea" and status not in ("ready", "interviewing"):
            hint = page.locator("#idea-locked-hint").inner_text()
            assert ("Pivot" in hint) == (status == "brief_ready"), hint  # only where Pivot is on offer
        page.wait_for_timeout(300)  # what the page loads after its first paint
        text = page.locator("body").inner_text()
        found = FOR_DEVELOPERS.search(text)
        assert found is None, f"{status} /{tab}: “{found.group(0)}” in {text[max(0, found.start() - 80):found.end() + 80]!r}"


def test_the_offline_badge_explains_itself_and_home_knows_the_founder(live_app, signed_in, make_founder,
                                                                      planned_project):
    founder = make_founder()
    project = planned_project(founder)
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}")
    page.click("#cofounder-label")
    expect(page.locator("#about-offline")).to_have_text("About the offline co-founder")
    assert not FOR_DEVELOPERS.search(page.locator("body").inner_text())
    page.goto(live_app.url + "/")
    expect(page.locator("#home-projects")).to_be_visible()
    page.click("#home-projects")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
