"""Works on a phone: at 390 x 844 no page scrolls sideways, public or the founder's, in a project with
everything on its pages (a brief, a plan, a finished build's timeline, feed, guides and screenshots).

MOBILE_SHOTS=folder keeps a screenshot of each page, to look at."""

from __future__ import annotations

import os

from playwright.sync_api import expect

from agent import events as ev
from agent import journey_store as js
from agent import store
from agent.db import Database

SHOTS = os.environ.get("MOBILE_SHOTS", "")
PHONE = {"width": 390, "height": 844}
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect(); return r.width > 0 && r.right > innerWidth + 1 && getComputedStyle(e).position !== 'fixed';
}).slice(0, 5).map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`.slice(0, 120))"""


def _built(project, db) -> None:
    with db.session() as s:
        run = store.create_run(s, project_id=project.id, kind="build")
        for n, phase in enumerate(js.plan_phases(s, project_id=project.id), start=1):
            js.update_phase(s, project_id=project.id, phase_id=phase.id, status="done")
            store.insert_event(s, run_id=run.id, event=ev.PhaseCompleted(number=n, title=phase.title))
        store.insert_event(s, run_id=run.id, event=ev.Narration(text="I'm laying the foundation of Walkies, "
                                                                     "with a long sentence that has to wrap on a phone."))
        js.save_version(s, project_id=project.id, kind="docs", author="offline co-founder",
                        content={"overview": "# Walkies\n\n" + "A long line of the guide that must wrap. " * 10})
        store.insert_event(s, run_id=run.id, event=ev.RunCompleted(kind="build", message="Built"))
        store.finish_run(s, run_id=run.id, status="succeeded")
        store.update_project(s, project_id=project.id, status="built")


def test_no_page_scrolls_sideways_on_a_phone(live_app, new_context, make_founder, planned_project, signed_in):
    from cofounder_app.auth import COOKIE_NAME

    founder = make_founder()
    project = planned_project(founder)
    db = Database(os.environ["DATABASE_URL"])
    _built(project, db)
    db.dispose()
    public = new_context(viewport=PHONE).new_page()
    mine = new_context(viewport=PHONE)
    mine.add_cookies([{"name": COOKIE_NAME, "value": founder.token, "url": live_app.url, "httpOnly": True,
                       "sameSite": "Lax"}])
    page = mine.new_page()
    pages = [(public, "/", "home"), (public, "/sign-in", "sign-in"), (public, "/sign-up", "sign-up"),
             (public, "/offline-co-founder", "about-offline"), (public, "/reset-password", "reset-password"),
             (page, "/dashboard", "dashboard")]
    pages += [(page, f"/projects/{project.id}" + (f"/{tab}" if tab else ""), tab or "overview")
              for tab in ("", "idea", "interview", "brief", "plan", "build")]
    wide = {}
    for tab, path, name in pages:
        tab.goto(live_app.url + path)
        tab.wait_for_function("document.body.innerText.length > 40 && !document.querySelector('.rt-Spinner')")
        if "/projects/" in path:
            expect(tab.locator("#project-title")).to_have_text("Walkies")
        tab.wait_for_timeout(800)  # the page's data and fonts are in
        if name == "plan":  # every phase done: the empty Kanban columns go
            expect(tab.locator("#column-pending")).to_be_hidden()
            expect(tab.locator("#column-in_progress")).to_be_hidden()
            expect(tab.locator("#column-done .plan-card")).to_have_count(tab.locator(".plan-card").count())
        if SHOTS:
            tab.screenshot(path=os.path.join(SHOTS, f"mobile-{name}.png"), full_page=True)
        overflow = tab.evaluate("document.documentElement.scrollWidth - innerWidth")
        if overflow > 0:
            wide[name] = (overflow, tab.evaluate(WIDER_THAN_THE_SCREEN))
    assert wide == {}, wide
