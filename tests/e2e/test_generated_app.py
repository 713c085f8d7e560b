"""The app the offline co-founder builds, used as its first user would: PlotShare, from the corpus,
built by the offline build script into a workspace, run on the generated apps' stack and driven in
Chromium at desktop and phone sizes: create an account, log a harvest, see it listed, search the offers."""

from __future__ import annotations

import subprocess
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from agent import appstack, offline_builder
from agent import brief as brief_rules
from agent import plan as plan_rules
from tests.support.founders import FOUNDERS
from tests.support.servers import free_port

STACK_ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(appstack.location()), "LANG": "C.UTF-8"}


@pytest.fixture
def plotshare(tmp_path_factory):
    """PlotShare's app as the offline build leaves it, running (a fresh one for each test)."""
    founder = FOUNDERS[0]
    brief = brief_rules.draft_offline(founder.facts(), founder.answered())
    workspace = tmp_path_factory.mktemp("plotshare")
    for turn in offline_builder.script(brief, plan_rules.phases_offline(brief), port=8000):
        for tool, arguments in turn:
            if tool == "write_file":
                path = workspace / arguments["path"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(arguments["content"])
    port = free_port()
    server = subprocess.Popen(["/usr/bin/python3", "app/main.py", "--port", str(port)], cwd=workspace,
                              env=STACK_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.parametrize("size", [(1280, 860), (390, 844)], ids=["desktop", "phone"])
def test_a_first_user_logs_a_harvest_and_finds_an_offer(plotshare, new_context, size):
    width, height = size
    page = new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(plotshare)
    expect(page.locator("h1")).to_contain_text("PlotShare")
    for title in FOUNDERS[0].features:  # a card on the home page for every feature
        expect(page.locator("main")).to_contain_text(title)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    page.get_by_role("link", name="Log harvests").first.click()
    expect(page.get_by_text("No harvests yet")).to_be_visible()
    page.get_by_role("link", name="Create an account").first.click()
    page.fill("#f-name", "Jan")
    page.fill("#f-email", f"jan-{width}@example.com")
    page.fill("#f-password", "allotment-14")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("button", name="Add harvest")).to_be_visible()
    page.get_by_role("button", name="Add harvest").click()  # nothing filled in: plain errors, nothing added
    expect(page.locator("main")).to_contain_text("What")
    expect(page.get_by_text("No harvests yet")).to_be_visible()
    page.fill("#f-what", "Runner beans")
    page.fill("#f-how_much", "2.5")
    page.fill("#f-when", "2026-08-14")
    page.fill("#f-who", "Sam")
    page.get_by_role("button", name="Add harvest").click()
    card = page.locator(".record").filter(has_text="Runner beans")
    expect(card).to_contain_text("2.5")
    expect(card).to_contain_text("14 Aug 2026")
    expect(card).to_contain_text("Sam")
    expect(card).to_contain_text("Jan")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    page.get_by_role("link", name="Offer part of their plot").first.click()
    page.fill("#f-plot", f"Plot 14, north side {width}")
    page.fill("#f-size", "3 m by 4 m")
    page.get_by_role("button", name="Add offer").click()
    expect(page.locator(".record").filter(has_text=f"Plot 14, north side {width}")).to_be_visible()
    page.get_by_role("link", name="Browse offers near them").first.click()
    page.fill("input[name=q]", f"north side {width}")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".record")).to_have_count(1)
    page.fill("input[name=q]", "no such plot")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Nothing matches")).to_be_visible()
