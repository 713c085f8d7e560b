"""The build page as `make run` serves it (production mode, one port): every download works when the
founder clicks it, and the preview opens on its own origin on that same port.

The harness's development server puts pages and API on different origins, so a link to `/api/...`
looked fine there while in production the page router answered it with "404: Page not found"."""

from __future__ import annotations

import io
import os
import tarfile
import uuid

import pytest
from playwright.sync_api import expect

from agent import events as ev
from agent import store
from agent.db import Database
from agent.services.storage import LocalStorage
from cofounder_app import deps
from cofounder_app.auth import COOKIE_NAME
from tests.support.prod_app import ProdApp
from tests.support.servers import Served

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 6000


@pytest.fixture(scope="module")
def prod_app():
    app = ProdApp()
    yield app
    app.stop()


def _pack() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in (("walkies/README.md", b"# Walkies\n"), ("walkies/code/app/server.py", b"print('hi')\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _async(coro):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's sync API holds this thread's loop
        return pool.submit(asyncio.run, coro).result()


def test_downloads_and_the_preview_in_production_mode(prod_app, browser, make_founder, planned_project):
    founder = make_founder()
    project = planned_project(founder)
    prefix = f"projects/{project.id}/"
    storage = LocalStorage(os.environ["DATA_DIR"] + "/storage")
    pack_key, shot_key = f"{prefix}downloads/run-1.tar.gz", f"{prefix}screenshots/run-1/00001-home-page.png"
    _async(storage.put(pack_key, _pack()))
    _async(storage.put(shot_key, PNG))
    app = Served(_live_app, uds=deps.settings.sockets_dir / f"prod-{uuid.uuid4().hex[:6]}.sock")
    db = Database(os.environ["DATABASE_URL"])
    with db.session() as s:  # a finished build, as the worker leaves one
        run = store.create_run(s, project_id=project.id, kind="build")
        for event in (ev.LogOutput(command="python3 -m unittest", text="OK", status="exit code 0"),
                      ev.ScreenshotTaken(key=shot_key, name="Home page"), ev.PreviewReady(url=app.url, port=8000),
                      ev.DownloadReady(key=pack_key, size=2048), ev.RunCompleted(kind="build", message="Built")):
            store.insert_event(s, run_id=run.id, event=event)
        store.finish_run(s, run_id=run.id, status="succeeded")
        store.update_project(s, project_id=project.id, status="built")
    db.dispose()
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    context.set_default_timeout(30_000)
    context.add_cookies([{"name": COOKIE_NAME, "value": founder.token, "url": prod_app.base, "httpOnly": True,
                          "sameSite": "Lax"}])
    try:
        page = context.new_page()
        page.goto(f"{prod_app.base}/projects/{project.id}/build")
        expect(page.locator("#agent-state")).to_have_text("Done")
        for selector, name, check in (
                ("#download-pack", "walkies-mvp.tar.gz", lambda data: tarfile.open(fileobj=io.BytesIO(data)).getnames()),
                ("#screenshots .shot-download >> nth=0", "walkies-00001-home-page.png", lambda data: data == PNG),
                ("#download-log", "walkies-build-log.txt", lambda data: b"python3 -m unittest" in data)):
            if selector == "#download-log":
                page.click("#technical-details summary")
            with page.expect_download() as started:
                page.click(selector)
            download = started.value
            assert download.suggested_filename == name
            assert check(open(download.path(), "rb").read()), selector
        assert page.url.endswith(f"/projects/{project.id}/build")  # still on the page: no "404: Page not found"
        src = page.locator("#preview-frame").get_attribute("src")
        assert src.startswith("http://") and f".localhost:{prod_app.port}/" in src  # its own origin, the same port
        expect(page.frame_locator("#preview-frame").locator("h1")).to_have_text("Walkies, live")
    finally:
        context.close()
        app.stop()


async def _live_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": b"<h1>Walkies, live</h1>"})
