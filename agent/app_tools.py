"""The agent's tools for the app it is building: start it, read its output, request a page over the
same route the preview uses, and look at it (a screenshot for the founder's gallery and, downscaled,
for the model itself)."""

from __future__ import annotations

import asyncio
import re

import httpx

from agent import events as ev
from agent import secret_scan
from agent.founder_safe import clean_output
from agent.services import app_http
from agent.services.sandbox import APP_LOG, SandboxError
from agent.tool_base import ToolContext, ToolResult, text

MIN_SCREENSHOT_BYTES = 5_000
SERVE_SECONDS = 15.0  # how long a started app has to answer before start_app reports it did not start
BODY_CHARS = 3_000  # the start of a page's body that http_check returns
LOG_LINES = 80
SIZES = {"desktop": 1280, "phone": 390}
_HEADERS = ("content-type", "location", "set-cookie", "content-length")


async def start_app(ctx: ToolContext, command: str, port: int) -> ToolResult:
    try:
        address = await ctx.sandbox.start_server(command, port=int(port))
        await app_http.wait_until_serving(address, SERVE_SECONDS)  # announced once it answers, never before
    except SandboxError as exc:  # the supervisor's words: the port, or the app's own output (a traceback)
        return ToolResult(str(exc), "The app did not start", is_error=True)
    except httpx.HTTPError:
        return ToolResult(f"The app listens on port {port} but did not answer HTTP within {SERVE_SECONDS:.0f} s: "
                          f"check that it is a web server; its output:\n{await _log_tail(ctx, 40)}",
                          "The app did not start", is_error=True)
    warning = await _secrets_in_code(ctx)  # before the preview is announced
    await ctx.emit(ev.PreviewReady(url=address, command=command, port=int(port)))
    return ToolResult(f"Started: the app is listening on port {port}. Check a page with http_check, read its "
                      f"output with app_logs, look at it with take_screenshot.{warning}", "Started the app")


async def _log_tail(ctx: ToolContext, lines: int) -> str:
    try:
        output = clean_output(text(await ctx.sandbox.read_file(APP_LOG)))
    except SandboxError:
        return "(no output yet)"
    return "\n".join(output.splitlines()[-lines:]) or "(no output yet)"


async def app_logs(ctx: ToolContext, lines: int = LOG_LINES) -> ToolResult:
    """The end of what the app server printed (requests, tracebacks)."""
    running = await ctx.sandbox.preview_url() is not None
    tail = await _log_tail(ctx, min(max(int(lines), 1), 400))
    state = "The app is running." if running else "The app is not running (start it with start_app)."
    return ToolResult(f"{state} The last lines of its output:\n{tail}", "Read the app's output")


async def http_check(ctx: ToolContext, path: str = "/", method: str = "GET",
                     form: dict[str, str] | None = None) -> ToolResult:
    """A request to the running app: its status, the headers that matter and the start of the body."""
    address = await ctx.sandbox.preview_url()
    if address is None:
        return ToolResult("The app is not running; start it with start_app first.", "Could not check the app",
                          is_error=True)
    method = method.upper()
    if method not in ("GET", "POST", "HEAD"):
        return ToolResult("method must be GET, POST or HEAD.", "Could not check the app", is_error=True)
    target = "/" + path.lstrip("/")
    try:
        async with app_http.client(address, timeout=20.0) as app:
            response = await app.request(method, target, data={str(k): str(v) for k, v in (form or {}).items()}
                                         if method == "POST" else None, headers={"host": "localhost"})
    except httpx.HTTPError as exc:
        return ToolResult(f"The app did not answer {method} {target} ({type(exc).__name__}); read app_logs.",
                          f"Checked {target}: no answer", is_error=True)
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items() if k in _HEADERS)
    warning = absolute_links(response.text) + absolute_links(response.headers.get("location", ""))
    body = response.text[:BODY_CHARS]
    more = f"\n[{len(response.text) - BODY_CHARS:,} more characters]" if len(response.text) > BODY_CHARS else ""
    failed = response.status_code >= 500
    return ToolResult(f"{method} {target} -> {response.status_code} {response.reason_phrase}\n{headers}\n\n{body}{more}"
                      f"{warning}", f"Checked {target}: {response.status_code}", is_error=failed)


_LOCAL_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?(https?://(?:127\.0\.0\.1|localhost|0\.0\.0\.0)[:/][^"'\s>]*)""",
                        re.IGNORECASE)


def absolute_links(html: str) -> str:
    """A note for the model when a page links to the sandbox's own address: in the founder's preview
    (and anywhere but the sandbox) such links lead nowhere."""
    found = sorted(set(_LOCAL_URL.findall(html)))[:3] or (
        [html] if re.match(r"https?://(?:127\.0\.0\.1|localhost|0\.0\.0\.0)[:/]", html) else [])
    if not found:
        return ""
    return (f"\n\n[Warning: this page points at the sandbox's own address ({', '.join(found)}). In the founder's "
            "preview such links lead nowhere: use relative links (href=\"/offers\") and redirects (\"/\").]")


async def _secrets_in_code(ctx: ToolContext) -> str:
    """Scans the project for secrets; the founder is told once per new finding, the agent every time."""
    files = {}
    for path in (await ctx.sandbox.list_files())[:500]:
        try:
            files[path] = await ctx.sandbox.read_file(path)
        except SandboxError:
            continue
    _, found = await asyncio.to_thread(secret_scan.clean, files)
    if not found:
        return ""
    seen = "|".join(sorted({f"{f.path}:{f.line}" for f in found}))  # kept in the checkpoint (JSON) with the phase
    if seen != ctx.phase.get("secrets_told"):
        ctx.phase["secrets_told"] = seen
        await ctx.emit(ev.Narration(text=secret_scan.told(found)))
    return "\n" + secret_scan.for_agent(found)


async def take_screenshot(ctx: ToolContext, path: str, name: str, size: str = "desktop",
                          gallery: bool = True) -> ToolResult:
    """A screenshot of a page: into the founder's gallery (unless `gallery` is false: a working shot)
    and back to the model as a picture it can look at."""
    base = await ctx.sandbox.preview_url()
    if base is None:
        return ToolResult("The app is not running; start it first.", "Could not take a screenshot", is_error=True)
    width = SIZES.get(size)
    if width is None:
        return ToolResult("size must be desktop or phone.", "Could not take a screenshot", is_error=True)
    target = "/" + path.lstrip("/")
    try:
        png = await (ctx.capture(base, target) if size == "desktop" else ctx.capture(base, target, width=width))
    except Exception as exc:  # a screenshot never fails the build
        return ToolResult(f"The screenshot failed ({type(exc).__name__}); carry on.", "Screenshot failed", is_error=True)
    if len(png) < MIN_SCREENSHOT_BYTES:
        return ToolResult(f"The screenshot was almost empty ({len(png)} bytes) and was discarded; is the page blank?",
                          "Discarded an empty screenshot", is_error=True)
    seen = await _for_the_model(ctx, base, target, width)
    if not gallery:
        return ToolResult(f"Took a working screenshot of {target} at {width} px (not shown to the founder).",
                          f"Looked at {target}", image=seen)
    try:
        key = await ctx.save_screenshot(name, png)
    except Exception as exc:  # storage is best-effort: the build goes on, the gallery just lacks this one
        return ToolResult(f"The screenshot was taken but could not be stored ({type(exc).__name__}); carry on.",
                          "Could not store a screenshot", is_error=True, image=seen)
    await ctx.emit(ev.ScreenshotTaken(key=key, name=name, phase=ctx.phase["title"]))
    return ToolResult(f"Saved screenshot {name} ({len(png):,} bytes) of {target} at {width} px.",
                      f"Took a screenshot of {name}", image=seen)


async def _for_the_model(ctx: ToolContext, base: str, target: str, width: int) -> bytes | None:
    """The visible part of the page as a small JPEG for the model (None if the browser cannot)."""
    if not ctx.sees_images:
        return None
    try:
        return await ctx.capture(base, target, width=width, kind="jpeg")
    except Exception:
        return None
