"""The founder journey in the browser with the offline co-founder and the real worker: sign up,
onboard, interview, brief (edit, restore, export), the gate (proceed, pivot, park), the strategy
graph and the Kanban plan."""

import os
import re
import uuid

from playwright.sync_api import expect

from agent import brief as brief_rules
from agent import interview as iv
from agent import journey_store as js
from agent import store
from agent.db import Database
from tests.journey.test_interview import ANSWERS

TOPIC_KEYS = {label: topic for topic, label in iv.TOPIC_LABELS.items()}
IDEA = "<b>Walkies</b>: a marketplace that connects busy dog owners with trusted local dog walkers."


def sign_up(page, live_app):
    page.goto(live_app.url + "/sign-up")
    page.wait_for_selector("#sign-up-submit")
    page.fill("#email", f"journey-{uuid.uuid4().hex[:8]}@example.com")
    page.fill("#password", "correct horse battery 7")
    page.click("#sign-up-submit")
    page.wait_for_selector("#project-name")


def new_project(page, live_app, name="Walkies"):
    """A new founder's new project, on its idea form."""
    sign_up(page, live_app)
    page.fill("#project-name", name)
    page.click("#create-project")
    page.wait_for_selector("#next-step-button:has-text('Describe the idea')", timeout=30_000)
    page.click("#next-step-button")
    page.wait_for_selector("#idea")


def submit_expecting_error(page, expected):
    """Submit the idea form and wait for the error that names `expected` (an earlier error may still show)."""
    page.click("#idea-submit")
    expect(page.locator("#idea-error")).to_contain_text(expected, timeout=10_000)


def current_question(page):
    page.wait_for_selector("#question-text, #interview-done", timeout=30_000)
    if page.locator("#interview-done").count():
        return None
    return page.inner_text("#question-text")


def answer_current(page, text):
    question = page.inner_text("#question-text")
    page.fill("#answer", text)
    page.click("#answer-submit")
    page.wait_for_function("q => !document.querySelector('#question-text') || "
                           "document.querySelector('#question-text').innerText !== q", arg=question)


def test_idea_to_plan_with_edits_versions_export_and_a_pivot(live_app, new_context):
    page = new_context(accept_downloads=True).new_page()
    new_project(page, live_app)

    # onboarding: clear messages for every kind of bad input
    page.fill("#audience", "Dog owners in cities")
    submit_expecting_error(page, "Describe your idea")
    page.fill("#idea", "     \n   ")
    submit_expecting_error(page, "Describe your idea")
    page.fill("#idea", "Dog app")
    submit_expecting_error(page, "a bit short")
    page.fill("#idea", "word " * 2001)
    submit_expecting_error(page, "more than 10,000 characters")
    page.fill("#idea", IDEA)
    page.click("#idea-submit")

    # the interview: one question at a time; skip one, edit an earlier answer, leave and come back
    page.wait_for_url(re.compile(r"/interview$"))
    assert current_question(page).startswith("What problem are you solving")
    assert page.locator("#offline-note").count() == 1  # the offline co-founder says so
    answer_current(page, ANSWERS["problem"])
    current_question(page)
    page.click("#skip-question")
    page.wait_for_selector(".answer-row:has-text('Skipped')")
    page.click(".edit-answer >> nth=0")
    page.fill(".edit-box textarea", ANSWERS["problem"] + " Rainy days are the worst.")
    page.click(".save-edit")
    page.wait_for_selector(".answer-text:has-text('Rainy days are the worst')")
    waiting = current_question(page)
    page.click("#tab-overview")
    page.wait_for_selector("#next-step-title:has-text('Answer the interview')")
    page.click("#tab-interview")
    assert current_question(page) == waiting  # exactly where they were
    asked = 2
    while (question := current_question(page)) is not None:
        topic_label = page.locator("#answer-form").locator("xpath=..").locator(".rt-Badge").first.inner_text()
        answer_current(page, ANSWERS.get(TOPIC_KEYS.get(topic_label, ""), "About thirty walks a week, in 2 areas."))
        asked += 1
        assert asked <= 12, question
    assert asked >= 6
    progress = page.inner_text("#interview-progress")
    assert progress == f"{asked} of about {asked} questions"

    # the brief arrives live, section by section, and can be edited, restored and exported
    page.click("#to-brief")
    page.wait_for_selector("#brief-document", timeout=30_000)
    assert page.inner_text("#brief-version").startswith("Version 1 of 1 · by offline co-founder")
    assert "Rainy days are the worst" in page.inner_text("#section-problem")
    assert "Walker profiles" in page.inner_text("#section-mvp_features")
    page.click("#edit-brief")
    page.fill("#edit-problem", "Busy owners feel guilty leaving their dog alone all day.")
    page.click("#save-brief")
    page.wait_for_selector("#brief-version:has-text('Version 2 of 2 · by founder')")
    assert page.inner_text("#section-problem").endswith("Busy owners feel guilty leaving their dog alone all day.")
    changed = page.locator("#brief-changes")  # the edit is shown as a change, word by word
    expect(changed).to_contain_text("What changed in version 2")
    assert "guilty" in changed.locator("ins").all_inner_texts()[0] and changed.locator("del").count() >= 1
    page.click(".version-row:has-text('Version 1') .view-version")
    page.wait_for_selector("#brief-version:has-text('Version 1 of 2')")
    page.click("#restore-version")
    page.wait_for_selector("#brief-version:has-text('Version 3 of 3 · by founder')")
    assert "Rainy days are the worst" in page.inner_text("#section-problem")
    with page.expect_download() as download:
        page.click("#export-brief")
    exported = open(download.value.path(), encoding="utf-8").read()
    assert download.value.suggested_filename == "idea-brief-walkies-v3.md"
    assert exported.startswith("# Idea Brief: Walkies") and "## MVP features" in exported
    assert "Rainy days are the worst" in exported

    # pasted HTML is shown as text, never run
    page.click("#tab-idea")
    page.wait_for_selector("#idea-text")
    assert page.inner_text("#idea-text") == IDEA and page.locator("#idea-text b").count() == 0
    page.click("#tab-brief")
    page.wait_for_selector("#decision-gate")

    # proceed: the strategy graph and the Kanban plan
    page.click("#choice-proceed")
    page.fill("#decision-reason", "This is the one")
    page.click("#decide-button")
    page.wait_for_url(re.compile(r"/plan$"))
    page.wait_for_selector("#strategy-graph .graph-node", timeout=30_000)
    page.wait_for_selector("#column-pending .plan-card", timeout=30_000)
    assert page.locator("#strategy-graph .graph-node[data-kind='feature']").count() >= 3
    assert page.locator("#strategy-graph .graph-node[data-kind='decision']").count() == 1
    cards = page.locator("#column-pending .plan-card").all_inner_texts()
    assert "Foundation" in cards[0] and "Polish and docs" in cards[-1]
    assert all("$" in card for card in cards)

    # a pivot goes back to the interview, keeping the answers that still apply
    page.click("#tab-brief")
    page.wait_for_selector("#decision-gate")
    page.click("#choice-pivot")
    page.click("#decide-button")
    page.wait_for_selector("#decision-error:has-text('new direction')")
    page.fill("#decision-reason", "Cat sitting while owners travel")
    page.click("#decide-button")
    page.wait_for_url(re.compile(r"/interview$"))
    assert current_question(page).startswith("What problem are you solving")
    kept = page.locator(".answer-row").all_inner_texts()
    assert len(kept) == 2 and any("15% fee" in k for k in kept)
    page.click("#tab-idea")  # the new direction is the idea now, and can be refined on purpose
    expect(page.locator("#idea-text")).to_contain_text("Cat sitting while owners travel")
    page.click("#change-idea")
    expect(page.locator("#change-idea-note")).to_contain_text("Your 2 answers so far are kept")
    assert page.input_value("#idea").startswith("Cat sitting while owners travel")


def test_park_archives_and_reopen_brings_the_project_back(live_app, signed_in, make_founder):
    founder = make_founder()
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        project, _ = store.create_project(s, owner_id=founder.id, name="Side project")
        idea = iv.facts("Side project", "A newsletter about local history for curious neighbours.", "Neighbours")
        js.save_version(s, project_id=project.id, kind="brief", author="offline co-founder",
                        content=brief_rules.draft_offline(idea, []))
        store.update_project(s, project_id=project.id, status="brief_ready")
    db.dispose()
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}/brief")
    page.wait_for_selector("#decision-gate")
    page.click("#choice-park")
    page.fill("#decision-reason", "Not this year")
    page.click("#decide-button")
    page.wait_for_selector("#next-step-title:has-text('This project is parked')")
    assert page.inner_text("#project-status") == "Parked"
    assert "Not this year" in page.inner_text("#decision-list")
    page.click("#reopen-button")
    page.wait_for_selector("#project-status:has-text('Decision needed')")
    # an artifact can start a new project: the copy goes straight to the gate with the same brief
    page.click(".artifact-row:has-text('Idea Brief') button")
    page.wait_for_selector("#project-title:has-text('Side project (copy)')")
    page.wait_for_selector("#project-status:has-text('Decision needed')", timeout=30_000)
    page.click("#tab-brief")
    page.wait_for_selector("#brief-version:has-text('Version 1 of 1 · by founder')")


def test_the_idea_changes_mid_interview_only_on_purpose_and_says_so(live_app, new_context):
    page = new_context().new_page()
    new_project(page, live_app)
    page.fill("#idea", IDEA)
    page.fill("#audience", "Dog owners in cities")
    page.click("#idea-submit")
    page.wait_for_url(re.compile(r"/interview$"))
    current_question(page)
    answer_current(page, ANSWERS["problem"])
    page.click("#tab-idea")
    expect(page.locator("#idea-text")).to_have_text(IDEA)  # shown, not an open form that restarts anything
    expect(page.locator("#idea-submit")).to_have_count(0)
    page.click("#change-idea")
    expect(page.locator("#change-idea-note")).to_contain_text("Your answer so far is kept")
    expect(page.locator("#idea-submit")).to_have_text("Save the new idea")
    page.fill("#idea", "Walkies: dog owners share walking rotas with neighbours, and trusted walkers fill the gaps.")
    page.click("#idea-submit")
    page.wait_for_url(re.compile(r"/interview$"))
    page.click("#tab-overview")
    expect(page.locator("#activity-feed")).to_contain_text("You changed the idea")
