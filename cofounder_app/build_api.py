"""HTTP routes of the build page: the project's files (screenshots, the download pack) and the log.
The preview of the running app has its own module, `preview_proxy`.

Every route checks the session cookie and that the signed-in founder owns the project; anyone else
gets the same 404 as for a project that does not exist.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from agent import build_control, store
from agent import events as ev
from agent.accounts import hash_token
from agent.models import Project
from agent.services.storage import ObjectMissing
from cofounder_app import deps
from cofounder_app.auth import session_token

NOT_FOUND = PlainTextResponse("Not found", status_code=404)


def files_url(project_id: int, key: str) -> str:
    return f"/api/projects/{project_id}/files/{key}"


async def owned_project(request: HTTPConnection) -> Project | None:
    """The project in the path if the session cookie's founder owns it (an HTTP request or a websocket)."""
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


ROUTES = [
    Route("/api/projects/{project_id}/files/{key:path}", project_file, methods=["GET"]),
    Route("/api/projects/{project_id}/build-log", build_log, methods=["GET"]),
]
