"""The Build page with the offline co-founder and the real worker: start (a double click starts one
run), watch it live without refreshing, preview the app, see screenshots and guides, download the
pack; the verbose toggle, a reload, another founder, and waking a sleeping preview."""

import io
import os
import signal
import tarfile
import time

import psutil
from playwright.sync_api import expect
from sqlmodel import select

from agent import store
from agent import events as ev
from agent.db import Database
from agent.models import Run

SHOTS = os.environ.get("BUILD_PAGE_SHOTS", "")  # a folder to keep screenshots of the page in, when set


def snap(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"build-{name}.png"), full_page=True)
        if page.locator("#preview-frame").count():  # a full-page capture leaves frames blank: the frame as seen
            page.locator("#preview-frame").screenshot(path=os.path.join(SHOTS, f"build-{name}-preview.png"))


def clicked_download(page, selector):
    """(file name, bytes) of what the browser downloads when the founder clicks `selector`."""
    with page.expect_download() as started:
        page.click(selector)
    download = started.value
    assert download.failure() is None, download.failure()
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, handle.read()


def build_runs(project_id):
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        runs = list(s.exec(select(Run).where(Run.project_id == project_id, Run.kind == "build")))
    db.dispose()
    return runs


def kill_app_of(project_id):
    """Kills the project's app server (its sandbox's supervisor), as a crash would."""
    for process in psutil.process_iter(["cmdline"]):
        line = " ".join(process.info["cmdline"] or [])
        if "supervisor.py" in line and f"/project-{project_id} " in line and process.name() == "bwrap":
            os.kill(process.pid, signal.SIGKILL)
            return True
    return False


def same_feed(*pages, within=10.0):
    """The feed row ids of each page, once they agree (tabs get the last events a moment apart)."""
    deadline = time.monotonic() + within
    while True:
        ids = [p.locator("#activity-feed .feed-row").evaluate_all("rows => rows.map(r => r.id)") for p in pages]
        if all(i == ids[0] for i in ids) or time.monotonic() > deadline:
            return ids
        time.sleep(0.2)


def test_a_founder_watches_the_build_live_and_takes_the_app_home(live_app, signed_in, make_founder,
                                                                  planned_project, new_context):
    founder = make_founder()
    project = planned_project(founder)
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}/build")
    expect(page.locator("#agent-state")).to_have_text("Ready to build")
    expect(page.locator("#preview-empty")).to_be_visible()
    snap(page, "1-ready")

    page.dblclick("#start-build")  # a double click starts one run, not two
    expect(page.locator("#agent-state")).to_have_text("Building")
    page.wait_for_selector("#activity-feed .feed-row:not(.quiet)")
    snap(page, "2-building")
    # a second tab joins mid-build, and the first reloads mid-build: both end up with every event once
    second = page.context.new_page()
    second.goto(f"{live_app.url}/projects/{project.id}/build")
    expect(second.locator("#agent-state")).to_have_text("Building")
    page.reload()
    expect(page.locator("#agent-state")).to_have_text("Building")

    expect(page.locator("#agent-state")).to_have_text("Done", timeout=150_000)
    expect(second.locator("#agent-state")).to_have_text("Done")
    first_ids, second_ids = same_feed(page, second)
    assert len(first_ids) == len(set(first_ids)) > 10 and first_ids == second_ids
    expect(second.locator("#column-done .timeline-card")).to_have_count(
        page.locator("#build-timeline .timeline-card").count())
    second.close()
    assert len(build_runs(project.id)) == 1
    total = page.locator("#build-timeline .timeline-card").count()
    expect(page.locator("#column-done .timeline-card")).to_have_count(total)
    assert total >= 3
    expect(page.locator("#build-stage")).to_have_text("Ready")

    # the preview: the app itself, through the app's authenticated proxy
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("h1")).to_have_text("Walkies")
    first_page = frame.locator("a[href*='/p/']").first
    title = first_page.inner_text().strip()
    first_page.click()  # links keep working inside the proxy
    expect(frame.locator("h1")).to_have_text(title)
    expect(frame.locator("main")).to_contain_text("Sign in to add")  # a visitor is asked to sign in to add
    assert page.locator("#screenshots figure").count() >= 3
    expect(page.locator("#docs")).to_be_visible()
    page.click("#doc-tab-faq")
    expect(page.locator("#doc-faq")).to_be_visible()
    expect(page.locator("#evidence")).to_contain_text("Shown working")
    expect(page.locator("#run-cost")).to_be_visible()
    snap(page, "3-done")

    # the verbose toggle reveals each tool call, with a human label, never raw JSON
    quiet = page.locator("#activity-feed .feed-row.quiet")
    assert quiet.count() > 0 and not quiet.first.is_visible()
    page.click("#verbose-toggle")
    expect(quiet.first).to_be_visible()
    assert not any(t.lstrip().startswith("{") for t in quiet.all_inner_texts())

    # the technical log: cleaned output, and the whole of it as a download, by clicking the button
    page.click("#technical-details summary")
    expect(page.locator("#build-log")).to_contain_text("pytest")
    name, log = clicked_download(page, "#download-log")
    assert name == "walkies-build-log.txt" and "$ python3 -m pytest" in log.decode()

    # the download pack: the app, the guides, the brief, the plan and the screenshots
    name, pack = clicked_download(page, "#download-pack")
    assert name == "walkies-mvp.tar.gz" and len(pack) > 10_000  # named after the product
    with tarfile.open(fileobj=io.BytesIO(pack), mode="r:gz") as archive:
        names = archive.getnames()
    assert any(n.endswith("/code/app/main.py") for n in names) and any(n.endswith("/code/requirements.txt") for n in names)
    assert not any("/code/data/" in n for n in names)  # the running app's database and key stay out
    assert {"README.md", "idea-brief.md", "plan.md"} <= {n.split("/", 1)[1] for n in names}
    assert sum(n.endswith(".png") for n in names) >= 3 and any("/docs/faq.md" in n for n in names)
    href = page.locator("#download-pack").get_attribute("href")

    # each screenshot downloads as the PNG it shows
    name, png = clicked_download(page, "#screenshots figure .shot-download >> nth=0")
    assert name.endswith(".png") and png.startswith(b"\x89PNG") and len(png) > 5_000

    # a reload shows every event once
    page.reload()
    expect(page.locator("#agent-state")).to_have_text("Done")
    ids = page.locator("#activity-feed .feed-row").evaluate_all("rows => rows.map(r => r.id)")
    assert ids and len(ids) == len(set(ids))

    # another founder sees nothing of it: not the page, the files, nor the preview
    stranger = signed_in(make_founder()).new_page()
    stranger.goto(f"{live_app.url}/projects/{project.id}/build")
    stranger.wait_for_selector("#project-not-found")
    base = live_app.url
    assert stranger.request.get(href if href.startswith("http") else base + href).status == 404
    # the preview is its own origin, a per-project token as its host name: without the token, nothing
    preview_src = page.locator("#preview-frame").get_attribute("src")
    assert ".localhost:" in preview_src and not preview_src.startswith(base)
    made_up = preview_src.split("//", 1)[0] + "//" + "a" * 26 + "." + preview_src.split(".", 1)[1]
    stranger.goto(made_up)  # (the browser resolves *.localhost; Playwright's own HTTP client does not)
    expect(stranger.locator("h2")).to_have_text("This preview link has expired")

    # the app goes to sleep (its server dies): the page says so and Wake brings it back
    assert kill_app_of(project.id)
    page.reload()
    expect(page.locator("#preview-asleep")).to_be_visible(timeout=20_000)
    snap(page, "4-asleep")
    page.click("#wake-preview")
    expect(page.frame_locator("#preview-frame").locator("h1")).to_have_text("Walkies", timeout=30_000)


def test_a_failed_build_says_why_and_offers_to_build_again(live_app, signed_in, make_founder, planned_project):
    founder = make_founder()
    project = planned_project(founder)  # a failed build leaves the project planned (see build_job._fail)
    reason = "I couldn't reach Claude: it is overloaded right now. Your work is saved; try again in a few minutes."
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        run = store.create_run(s, project_id=project.id, kind="build")
        store.insert_event(s, run_id=run.id, event=ev.RunFailed(reason=reason))
        store.finish_run(s, run_id=run.id, status="failed", error="LLMError('overloaded')")
    db.dispose()
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{project.id}/build")
    expect(page.locator("#agent-state")).to_have_text("Error")
    expect(page.get_by_text(reason).first).to_be_visible()
    expect(page.locator("#start-build")).to_have_text("Build again")
    expect(page.locator("#failure-text")).to_have_count(0)  # said once, on the card, not again in a banner
    assert "overloaded')" not in page.inner_text("body")  # the technical error stays out of sight
    snap(page, "5-error")
