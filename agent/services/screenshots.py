"""PNG screenshots of a URL with Playwright driving the system's Chromium (no browser download).

One browser per process, started on first use and reused; each capture gets a fresh page. Failures
raise; the screenshot tool turns them into a warning, so a screenshot never fails a build.
"""

from __future__ import annotations

import asyncio
import os
import shutil

from agent.priority import nice_session, sessions_started_by

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


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

    async def capture(self, url: str, *, timeout: float = 20.0) -> bytes:
        browser = await self._ensure()
        page = await browser.new_page(viewport=self.viewport)
        try:
            await page.goto(url, wait_until="load", timeout=timeout * 1000)
            return await page.screenshot(full_page=True, type="png")
        finally:
            await page.close()

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None
