"""Markdown never renders raw HTML: finding 7 of the containment issue, replayed.

A guide (here written straight into the project's docs, as a model or a founder's words would reach
it) carrying a script, an `<iframe srcdoc>` with a script, an `onerror=` image and a `javascript:`
link: on the build page none of it runs or becomes an element; the ordinary Markdown around it
still renders.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from playwright.sync_api import expect

from agent import journey_store as js
from agent.db import Database

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_DOC = """# Welcome

<script>window.__pwned = 'script'</script>

<iframe id="evil" srcdoc="<script>parent.__pwned = 'srcdoc'</script>"></iframe>

<img src="x" onerror="window.__pwned = 'onerror'">

[Open the dashboard](javascript:window.__pwned='link')

Plain **bold words** stay as they are.
"""


def test_every_markdown_on_our_pages_goes_through_the_safe_component():
    calls = []
    for path in (ROOT / "cofounder_app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "markdown":
                calls.append(str(path.relative_to(ROOT)))
    assert calls == ["cofounder_app/components/markdown.py"]


def test_html_in_a_guide_is_never_rendered(live_app, signed_in, make_founder, planned_project):
    founder = make_founder()
    project = planned_project(founder)
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        js.save_version(s, project_id=project.id, kind="docs", content={"overview": HOSTILE_DOC},
                        author="offline co-founder")
    db.dispose()
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}/build")
    guide = page.locator("#doc-overview")
    expect(guide.locator("strong")).to_have_text("bold words")
    for element in ("script", "iframe", "img", "a[href^='javascript']"):
        assert guide.locator(element).count() == 0, element
    if guide.get_by_text("Open the dashboard").count():
        guide.get_by_text("Open the dashboard").click()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("iframe#evil").count() == 0
