"""The dashboard lists a founder's projects and creates one; the worker sets it up live."""

import re


def test_creating_a_project_shows_its_setup_live(live_app, signed_in, make_founder):
    founder = make_founder()
    page = signed_in(founder).new_page()
    page.goto(live_app.url + "/dashboard")
    page.wait_for_selector("#projects-empty")

    page.click("#create-project")  # an empty name
    page.wait_for_selector("#project-error:has-text('Give your project a name')")

    page.fill("#project-name", "  Dog   walking marketplace ")
    page.click("#create-project")
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    page.wait_for_selector("#project-title:has-text('Dog walking marketplace')")
    # the real worker runs the setup job; its events arrive without a reload
    page.wait_for_selector(".feed-summary:has-text('Your project is ready')", timeout=30_000)
    page.wait_for_selector("#project-status:has-text('Ready for your idea')")
    page.wait_for_selector("#next-step-title:has-text('Describe your idea')")
    summaries = page.locator(".feed-summary").all_inner_texts()
    assert summaries == ["Your project is ready", "Set aside storage for your files and screenshots",
                         "Created a private workspace for your project", "Setting up your project"]

    page.click("text=Projects >> nth=0")
    page.wait_for_url(re.compile(r"/dashboard$"))
    page.wait_for_selector(".project-card:has-text('Dog walking marketplace')")
    assert page.locator(".project-card").count() == 1
