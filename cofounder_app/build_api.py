"""HTTP routes of the build page: the project's files (screenshots, the download pack, the log) and
the preview of the founder's running app through an authenticated reverse proxy.

Every route checks the session cookie and that the signed-in founder owns the project; anyone else
gets the same 404 as for a project that does not exist. With the local sandbox the app runs on the
worker's machine, so the browser reaches it through `/preview/{project}/...` here (so it works when
the founder's browser is on another machine); E2B previews use the sandbox's public host instead.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from agent import build_control, store
from agent import events as ev
from agent.accounts import hash_token
from agent.models import Project
from agent.services.storage import ObjectMissing
from cofounder_app import deps
from cofounder_app.auth import session_token

PREVIEW_PREFIX = "/preview"
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
               "proxy-authenticate", "host", "content-length", "content-encoding", "cookie"}
NOT_FOUND = PlainTextResponse("Not found", status_code=404)
_client: httpx.AsyncClient | None = None


def files_url(project_id: int, key: str) -> str:
    return f"/api/projects/{project_id}/files/{key}"


def preview_path(project_id: int) -> str:
    return f"{PREVIEW_PREFIX}/{project_id}/"


def is_local_url(url: str) -> bool:
    return urlsplit(url).hostname in ("127.0.0.1", "localhost")


async def owned_project(request: Request) -> Project | None:
    token = session_token(request.headers.get("cookie", ""))
    raw = request.path_params.get("project_id", "")
    if not token or not str(raw).isdigit():
        return None
    token_hash, project_id = hash_token(token), int(raw)

    def _read(s):
        user = store.user_for_token_hash(s, token_hash=token_hash)
        return store.owned_project(s, owner_id=user.id, project_id=project_id) if user else None

    return await deps.db().run(_read)


async def project_file(request: Request) -> Response:
    project = await owned_project(request)
    key = request.path_params.get("key", "")
    prefix = (project.storage_prefix or f"projects/{project.id}/") if project else ""
    if project is None or not key.startswith(prefix) or ".." in key.split("/"):
        return NOT_FOUND
    try:
        data = await deps.storage().get(key)
    except ObjectMissing:
        return NOT_FOUND
    name = key.rsplit("/", 1)[-1]
    kind = "image/png" if name.endswith(".png") else "application/gzip" if name.endswith(".gz") else "text/plain"
    headers = {"cache-control": "private, max-age=3600"}
    if request.query_params.get("download"):
        headers["content-disposition"] = f'attachment; filename="{name}"'
    return Response(data, media_type=kind, headers=headers)


async def build_log(request: Request) -> Response:
    """The whole technical log of the project's latest build, as a text file."""
    project = await owned_project(request)
    if project is None:
        return NOT_FOUND

    def _read(s):
        run = build_control.latest_build(s, project_id=project.id)
        if run is None:
            return []
        rows = store.events_between(s, run_id=run.id, after_seq=0, newest=100_000)
        return [r.payload for r in rows if r.type == ev.LogOutput.type]

    chunks = await deps.db().run(_read)
    text = "".join(f"$ {c['command']}\n{c['text'].rstrip()}\n[{c.get('status', '')}]\n\n" for c in chunks)
    return PlainTextResponse(text or "Nothing has been run yet.\n", headers={
        "content-disposition": f'attachment; filename="build-log-project-{project.id}.txt"'})


def _frame_ancestors() -> str:
    origins = deps.settings.allowed_origins
    if any(is_local_url(o) for o in origins):  # local use: the pages may come from another port
        origins = [*origins, "http://127.0.0.1:*", "http://localhost:*"]
    return "frame-ancestors 'self' " + " ".join(origins)


def asleep_page() -> HTMLResponse:
    return HTMLResponse("<!doctype html><meta charset='utf-8'><title>Your app is asleep</title>"
                        "<body style='font-family:system-ui;padding:2rem;color:#444'><h2>Your app is asleep</h2>"
                        "<p>Go back to the build page and press <b>Wake up</b> to start it again.</p></body>",
                        status_code=503, headers={"x-preview": "asleep"})


async def preview_target(project_id: int) -> str | None:
    started = await deps.db().run(lambda s: build_control.latest_event(s, project_id=project_id,
                                                                       type_name=ev.PreviewReady.type))
    url = started.payload.get("url", "") if started else ""
    return url if url and is_local_url(url) else None


async def preview(request: Request) -> Response:
    project = await owned_project(request)
    if project is None:
        return NOT_FOUND
    target = await preview_target(project.id)
    if target is None:
        return asleep_page()
    prefix = preview_path(project.id).rstrip("/")
    path = "/" + request.path_params.get("path", "")
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
    headers["x-forwarded-prefix"] = prefix
    global _client
    if _client is None:
        _client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=2.0), follow_redirects=False)
    try:
        upstream = await _client.request(request.method, target.rstrip("/") + path,
                                         params=request.query_params, headers=headers, content=await request.body())
    except httpx.HTTPError:
        return asleep_page()
    out = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_HEADERS | {"set-cookie"}}
    location = out.get("location", "")
    if location.startswith("/") and not location.startswith(prefix + "/"):
        out["location"] = prefix + location
    out["content-security-policy"] = _frame_ancestors()
    out["cache-control"] = "no-store"
    return Response(upstream.content, status_code=upstream.status_code, headers=out)


async def preview_alive(project_id: int) -> str:
    """ "live", "asleep" (started once, not answering now) or "" (never started), for the build page."""
    started = await deps.db().run(lambda s: build_control.latest_event(s, project_id=project_id,
                                                                       type_name=ev.PreviewReady.type))
    if started is None:
        return ""
    url = started.payload.get("url", "")
    try:
        async with httpx.AsyncClient(timeout=1.5) as client:
            await asyncio.wait_for(client.get(url), timeout=2.0)
    except Exception:
        return "asleep"
    return "live"


ROUTES = [
    Route("/api/projects/{project_id}/files/{key:path}", project_file, methods=["GET"]),
    Route("/api/projects/{project_id}/build-log", build_log, methods=["GET"]),
    Route(PREVIEW_PREFIX + "/{project_id}/{path:path}", preview, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
]
