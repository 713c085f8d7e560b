"""PNG screenshots of the founder's app with Playwright driving the system's Chromium (no browser
download).

The page is agent-written code, so the browser gets no network at all: every request it makes is
answered by Playwright from the app itself (through `app_http`, the same way the preview proxy
reaches it) when it is for the app's own (made-up) origin and refused otherwise; websockets are
closed; service workers are blocked; and whatever could still try the network goes to a proxy that
is not there. So a page cannot reach Redis, the database, the web app, another preview or anything
else from the worker's machine.

One browser per process, started on first use and reused; each capture gets a fresh context. Failures
raise; the screenshot tool turns them into a warning, so a screenshot never fails a build.
"""

from __future__ import annotations

import asyncio
import os
import shutil

from agent.priority import nice_session, sessions_started_by
from agent.services import app_http

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 # nothing reaches the network: a proxy that does not exist, for loopback too
                 "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                 "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"]
PAGE_ORIGIN = "http://app.preview.invalid"  # the origin the app is shown under (never resolved)
DROPPED = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


class ChromiumScreenshots:
    def __init__(self, executable: str | None = None, *, width: int = 1280, height: int = 800):
        self.executable = executable or chromium_path()
        self.viewport = {"width": width, "height": height}
        self._playwright = None
        self._browser = None
        self._lock = asyncio.Lock()

    async def _ensure(self):
        async with self._lock:
            if self._browser is None or not self._browser.is_connected():
                if self.executable is None:
                    raise RuntimeError("Chromium is not installed, so screenshots are off")
                from playwright.async_api import async_playwright

                self._playwright = self._playwright or await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(executable_path=self.executable,
                                                                       args=CHROMIUM_ARGS)
                if niceness := os.nice(0):  # Chromium starts a session of its own: weigh it as this process
                    for pid in sessions_started_by(os.getpid()):
                        nice_session(niceness, pid)
        return self._browser

    async def capture(self, address: str, path: str = "/", *, timeout: float = 20.0, width: int | None = None,
                      kind: str = "png") -> bytes:
        """A full-page PNG of `path` of the app at `address` (a sandbox's app address), `width` px wide
        (phone: 390); kind "jpeg" is the visible part only, small, for the model to look at."""
        browser = await self._ensure()
        viewport = self.viewport if width is None else {"width": width, "height": 844 if width < 600 else 800}
        context = await browser.new_context(viewport=viewport, service_workers="block")
        async with app_http.client(address, timeout=timeout) as app:
            async def answer(route) -> None:
                request = route.request
                if not request.url.startswith(PAGE_ORIGIN + "/"):
                    await route.abort("blockedbyclient")
                    return
                headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED}
                try:
                    response = await app.request(request.method, request.url[len(PAGE_ORIGIN):], headers=headers,
                                                 content=request.post_data_buffer)
                except Exception:
                    await route.abort("connectionrefused")
                    return
                await route.fulfill(status=response.status_code, body=response.content,
                                    headers={k: v for k, v in response.headers.items() if k.lower() not in DROPPED})

            await context.route("**/*", answer)
            await context.route_web_socket("**/*", lambda ws: ws.close())
            page = await context.new_page()
            try:
                await page.goto(PAGE_ORIGIN + "/" + path.lstrip("/"), wait_until="load", timeout=timeout * 1000)
                if kind == "jpeg":
                    return await page.screenshot(type="jpeg", quality=55)
                return await page.screenshot(full_page=True, type="png")
            finally:
                await context.close()

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None
