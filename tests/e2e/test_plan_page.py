"""The Plan page: the strategy graph, the Kanban board, and changing the plan before the build."""

from playwright.sync_api import expect


def titles(page):
    return [t.split(". ", 1)[1] for t in page.locator("#column-pending .card-title").all_inner_texts()]


def test_the_plan_can_be_reordered_edited_and_trimmed(live_app, signed_in, make_founder, planned_project):
    founder = make_founder()
    project = planned_project(founder)
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}/plan")
    page.wait_for_selector("#strategy-graph .graph-node[data-kind='goal']")
    assert page.locator("#strategy-graph .graph-node[data-kind='feature']").count() == 5
    assert page.locator("#strategy-graph .graph-node[data-kind='decision']").count() == 1
    assert "$" in page.inner_text("#plan-forecast") and "offline co-founder builds for free" in page.inner_text("#plan-forecast")
    before = titles(page)
    assert before[0] == "Foundation" and len(before) == 7
    assert page.locator("#column-in_progress .plan-card").count() == 0

    page.locator(".plan-card").nth(1).locator(".move-down").click()
    page.wait_for_function("t => document.querySelectorAll('#column-pending .card-title')[2].innerText.endsWith(t)",
                           arg=before[1])
    page.reload()
    page.wait_for_selector("#column-pending .plan-card")
    assert titles(page)[1:3] == [before[2], before[1]]  # kept in the database

    card = page.locator(".plan-card").nth(0)
    old_cost = card.locator(".card-cost").inner_text()
    card.locator(".edit-card").click()
    page.fill("#edit-title", "")
    page.click("#save-card")
    page.wait_for_selector("#edit-card-error:has-text('Give the phase a title')")
    page.fill("#edit-title", "Project skeleton")
    page.click("#edit-effort")
    page.get_by_role("option", name="L").click()
    page.click("#save-card")
    page.wait_for_function("() => document.querySelector('#column-pending .card-title').innerText === '1. Project skeleton'")
    assert page.locator(".plan-card").nth(0).locator(".card-cost").inner_text() != old_cost

    # a feature taken out of the plan is redrawn in the graph as left out
    dropped = titles(page)[2]
    page.locator(".plan-card").nth(2).locator(".remove-card").click()
    page.click(".confirm-remove")
    page.wait_for_function("() => document.querySelectorAll('#column-pending .plan-card').length === 6")
    expect(page.locator("#strategy-graph .graph-node[data-kind='feature']")).to_have_count(4)
    expect(page.locator("#strategy-graph .graph-node[data-kind='cut']")).to_contain_text(dropped[:30])

    page.locator(".plan-card").last.locator(".remove-card").click()
    page.click(".confirm-remove")
    page.wait_for_function("() => document.querySelectorAll('#column-pending .plan-card').length === 5")
    assert "Polish and docs" not in titles(page)
    expect(page.locator("#strategy-graph .graph-node[data-kind='feature']")).to_have_count(4)


def test_another_founder_cannot_see_or_change_the_plan(live_app, signed_in, make_founder, planned_project):
    owner, intruder = make_founder(), make_founder()
    project = planned_project(owner)
    page = signed_in(intruder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}/plan")
    page.wait_for_selector("#project-not-found")
    assert page.locator(".plan-card").count() == 0 and page.locator("#strategy-graph").count() == 0
