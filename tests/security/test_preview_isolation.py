"""The preview cannot act as the founder: finding 5 of the containment issue, replayed in the browser.

A hostile page stands in for agent-written code: it is the founder's "running app", framed on the
build page as every preview is. From inside the frame it tries what the probe did: read the parent
page, call the product's routes and its event websocket with the founder's cookies, read another
project's preview (even knowing its link) and guess one. None of it works, and the founder is still
signed in afterwards.
"""

from __future__ import annotations

import json
import os
import uuid

from playwright.sync_api import expect
from sqlmodel import col, select

from agent import events as ev
from agent import store
from agent.db import Database
from agent.models import AuditEntry
from cofounder_app import deps
from tests.support.servers import Served

HOSTILE = """<!doctype html><html><body><h1 id="hostile">Totally normal app</h1><script>
const results = {};
const api = [`http://127.0.0.1:${location.port}`, `http://localhost:${location.port}`, PAGES];
async function attempt(name, run) {
  try { results[name] = "allowed: " + String(await run()).slice(0, 120); }
  catch (error) { results[name] = "refused: " + error.name; }
}
(async () => {
  await attempt("read the parent page", () => parent.document.body.innerText);
  await attempt("read the founder's email", () => parent.document.querySelector("[data-email]").textContent);
  for (const base of api) {
    await attempt(`GET ${base} build log`, async () => {
      const r = await fetch(`${base}/api/projects/${PROJECT}/build-log`, {credentials: "include"});
      return r.status + " " + (await r.text());
    });
    await attempt(`POST ${base} sign-out`, async () => {
      const r = await fetch(`${base}/api/auth/sign-out`, {method: "POST", credentials: "include"});
      return r.status;
    });
    await attempt(`websocket ${base}`, () => new Promise((resolve, reject) => {
      const socket = new WebSocket(base.replace("http", "ws") + "/_event/?EIO=4&transport=websocket");
      socket.onmessage = (m) => resolve("message " + m.data);
      socket.onerror = () => reject(new Error("closed"));
      socket.onclose = () => reject(new Error("closed"));
      setTimeout(() => reject(new Error("timeout")), 5000);
    }));
  }
  await attempt("read another project's preview", async () => (await fetch(OTHER, {credentials: "include"})).text());
  await attempt("guess a preview", async () => {
    const r = await fetch(`http://${"b".repeat(26)}.localhost:${location.port}/`);
    return r.status + " " + (await r.text());
  });
  results.cookies = document.cookie;
  window.results = results;
})();
</script></body></html>"""


def _app(body: bytes):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": body})

    return app


def _previewed(project_id: int, address: str) -> None:
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        run = store.create_run(s, project_id=project_id, kind="build")
        store.insert_event(s, run_id=run.id, event=ev.PreviewReady(url=address, command="python3 app.py", port=8000))
    db.dispose()


def test_a_hostile_preview_cannot_act_as_the_founder(live_app, signed_in, make_founder, planned_project):
    founder = make_founder()
    hostile_project, other_project = planned_project(founder), planned_project(founder)
    sockets = deps.settings.sockets_dir
    other = Served(_app(b"<h1>The other project's private app</h1>"), uds=sockets / f"other-{uuid.uuid4().hex[:6]}.sock")
    _previewed(other_project.id, other.url)
    page = signed_in(founder).new_page()
    page.goto(f"{live_app.url}/projects/{other_project.id}/build")
    other_link = page.locator("#preview-frame").get_attribute("src")  # as if it had leaked
    html = (HOSTILE.replace("PAGES", json.dumps(live_app.url)).replace("PROJECT", str(hostile_project.id))
            .replace("OTHER", json.dumps(other_link)))
    hostile = Served(_app(html.encode()), uds=sockets / f"hostile-{uuid.uuid4().hex[:6]}.sock")
    try:
        _previewed(hostile_project.id, hostile.url)
        page.goto(f"{live_app.url}/projects/{hostile_project.id}/build")
        frame = page.frame_locator("#preview-frame")
        expect(frame.locator("#hostile")).to_be_visible()
        results = page.frame_locator("#preview-frame").locator("body").evaluate(
            "() => new Promise(done => { const wait = () => window.results ? done(window.results) : "
            "setTimeout(wait, 100); wait(); })")
    finally:
        hostile.stop()
        other.stop()
    allowed = {name: outcome for name, outcome in results.items() if name != "cookies" and outcome.startswith("allowed")}
    # the only answers a page may get are refusals: a 404 for a guessed preview, a 403 for a post
    assert all(outcome.split(" ")[1] in ("403", "404") for outcome in allowed.values()), allowed
    assert not any("private app" in outcome or "$ " in outcome for outcome in results.values())
    assert "cofounder_session" not in results["cookies"]
    page.goto(f"{live_app.url}/projects/{hostile_project.id}/build")  # the founder is still signed in
    expect(page.locator("#agent-state")).to_be_visible()
    # the audit log has the preview links issued, the refused guess and the product's refusals
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:
        entries = s.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(500)).all()
    db.dispose()
    actions = {(e.action, e.detail.get("project_id")) for e in entries}
    assert {("preview_token_issued", hostile_project.id), ("preview_token_issued", other_project.id)} <= actions
    assert ("preview_refused", None) in actions and ("project_refused", hostile_project.id) in actions
