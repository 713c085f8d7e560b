"""HTTP routes of the build page: the project's files (screenshots, the download pack) and the log.
The preview of the running app has its own module, `preview_proxy`.

Every route checks the session cookie and that the signed-in founder owns the project; anyone else
gets the same 404 as for a project that does not exist, and so does any key that is not a plain path
under the project's own storage prefix. Refusals and downloads go to the audit log.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from agent import build_control, store
from agent.handover import slug
from agent import events as ev
from agent.accounts import hash_token
from agent.models import Project
from agent.services.storage import ObjectMissing, StorageError, check_key
from cofounder_app import audit, deps
from cofounder_app.auth import session_token

NOT_FOUND = PlainTextResponse("Not found", status_code=404)


def files_url(project_id: int, key: str) -> str:
    return f"/api/projects/{project_id}/files/{key}"


async def owned_project(request: HTTPConnection) -> Project | None:
    """The project in the path if the session cookie's founder owns it (an HTTP request or a websocket);
    a refusal is audited."""
    token = session_token(request.headers.get("cookie", ""))
    raw = str(request.path_params.get("project_id", ""))
    if not raw.isdigit() or len(raw) > 12:
        return None
    token_hash, project_id = hash_token(token) if token else "", int(raw)

    def _read(s):
        user = store.user_for_token_hash(s, token_hash=token_hash) if token_hash else None
        return (user.id if user else None), (store.owned_project(s, owner_id=user.id, project_id=project_id)
                                             if user else None)

    user_id, project = await deps.db().run(_read)
    if project is None:
        client = request.client.host if request.client else "unknown"
        await audit.refused("project_refused", key=f"{user_id or client}:{project_id}", user_id=user_id,
                            project_id=project_id, path=request.url.path[:200], client=client)
    return project


def _plain_key(key: str, prefix: str) -> bool:
    """A storage key this route may serve: under the project's prefix, a plain relative path."""
    if not key.startswith(prefix) or len(key) > 512 or "\\" in key or "\x00" in key:
        return False
    try:
        check_key(key)
    except StorageError:
        return False
    return True


def download_name(product: str, name: str) -> str:
    """What a download is saved as: named after the product ("plotshare-mvp.tar.gz"), never "run-17"."""
    if name.startswith("run-") and name.endswith(".tar.gz"):
        return f"{slug(product)}-mvp.tar.gz"
    return f"{slug(product)}-{name}"


async def project_file(request: Request) -> Response:
    project = await owned_project(request)
    key = request.path_params.get("key", "")
    prefix = project.files_prefix() if project else ""
    if project is None or not _plain_key(key, prefix):
        return NOT_FOUND
    try:
        data = await deps.storage().get(key)
    except (ObjectMissing, StorageError):
        return NOT_FOUND
    name = key.rsplit("/", 1)[-1]
    kind = "image/png" if name.endswith(".png") else "application/gzip" if name.endswith(".gz") else "text/plain"
    headers = {"cache-control": "private, max-age=3600"}
    if request.query_params.get("download"):
        headers["content-disposition"] = f'attachment; filename="{download_name(project.name, name)}"'
        await audit.record("download", user_id=project.owner_id, project_id=project.id, file=name)
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
    await audit.record("download", user_id=project.owner_id, project_id=project.id, file="build log")
    text = "".join(f"$ {c['command']}\n{c['text'].rstrip()}\n[{c.get('status', '')}]\n\n" for c in chunks)
    return PlainTextResponse(text or "Nothing has been run yet.\n", headers={
        "content-disposition": f'attachment; filename="{slug(project.name)}-build-log.txt"'})


ROUTES = [
    Route("/api/projects/{project_id}/files/{key:path}", project_file, methods=["GET"]),
    Route("/api/projects/{project_id}/build-log", build_log, methods=["GET"]),
]
