"""The preview over real sockets: the product (its routes and middleware, served by uvicorn) in
front of a founder's "running app" (a small Starlette app served on a Unix socket in the sandboxes'
socket folder, the way a sandbox's supervisor exposes it) with pages, cookies and a websocket.

A preview is a host of its own, `{token}.localhost`: with a live token the app answers, HTTP and
websockets both ways (text and bytes, the subprotocol, the query string); without one (never issued,
revoked, made up) nothing does. The app's cookies are rewritten for a framed cross-site preview and
never see the founder's session. An address the product may not connect to is never connected to."""

import asyncio
import uuid

import httpx
import pytest
import websockets
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route, WebSocketRoute

from agent import events as ev
from agent import preview_tokens, store
from cofounder_app import deps, preview_proxy
from cofounder_app.api import build_api
from cofounder_app.auth import COOKIE_NAME
from cofounder_app.headers import OriginCheck, SecurityHeaders
from tests.support.servers import Served


async def page(request):
    return HTMLResponse(f"<h1>Hello</h1><p>{request.headers.get('host', '')}</p><a href='/about'>About</a>")


async def sign_in(request):
    response = HTMLResponse("signed in")
    response.set_cookie("sid", "abc", path="/", httponly=True, domain="example.com", samesite="lax")
    return response


async def whoami(request):
    return JSONResponse({"cookie": request.headers.get("cookie", "(none)")})


async def echo(socket):
    await socket.accept(subprotocol="chat" if "chat" in socket.scope.get("subprotocols", []) else None)
    await socket.send_text(f"hello {socket.url.query}")
    while True:
        message = await socket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes") is not None:
            await socket.send_bytes(message["bytes"][::-1])
        elif message["text"] == "bye":
            await socket.close(code=4000)
            return
        else:
            await socket.send_text("echo: " + message["text"])


APP = Starlette(routes=[Route("/", page), Route("/sign-in", sign_in), Route("/whoami", whoami),
                        WebSocketRoute("/live", echo)])


@pytest.fixture(scope="module")
def upstream():
    served = Served(APP, uds=deps.settings.sockets_dir / f"project-test-{uuid.uuid4().hex[:6]}.sock")
    yield served
    served.stop()


@pytest.fixture(scope="module")
def proxy():
    served = Served(preview_proxy.PreviewHosts(OriginCheck(SecurityHeaders(build_api()), allowed=deps.allowed_origins)))
    yield served
    served.stop()


def project_with_app(address: str) -> int:
    """A founder's project whose build reported its app running at `address`."""
    with deps.db().session() as s:
        user = store.create_user(s, email=f"preview-{uuid.uuid4().hex[:10]}@example.com", password_hash="x")
        project, _ = store.create_project(s, owner_id=user.id, name="Walkies")
        run = store.create_run(s, project_id=project.id, kind="build")
        store.insert_event(s, run_id=run.id, event=ev.PreviewReady(url=address))
    return project.id


async def token_for(project_id: int) -> str:
    token, _ = await preview_tokens.issue(deps.redis(), project_id=project_id, user_id=1, seconds=600)
    return token


def host(token: str, proxy) -> str:
    return f"{token}.localhost:{proxy.port}"


async def get(proxy, token, path="/", **headers):
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{proxy.port}{path}", headers={"host": host(token, proxy), **headers})


def socket_to(proxy, token, path="/live?room=1", **options):
    return websockets.connect(f"ws://{host(token, proxy)}{path}", host="127.0.0.1", port=proxy.port, **options)


async def test_the_app_answers_on_its_own_host_over_http_and_websockets(upstream, proxy):
    token = await token_for(project_with_app(upstream.url))
    response = await get(proxy, token)
    assert response.status_code == 200 and "<h1>Hello</h1>" in response.text
    assert f"<p>{host(token, proxy)}</p>" in response.text  # the app sees its public host: absolute links work
    assert "frame-ancestors" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "same-origin"  # the token never leaves in a Referer
    async with socket_to(proxy, token, subprotocols=["chat"]) as socket:
        assert socket.subprotocol == "chat"
        assert await socket.recv() == "hello room=1"
        await socket.send("ping")
        assert await socket.recv() == "echo: ping"
        await socket.send(b"\x00\x01\x02")
        assert await socket.recv() == b"\x02\x01\x00"
        await socket.send("bye")  # the app closes: the browser's side sees it, with the app's code
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), 5)
        assert socket.close_code == 4000


async def test_no_live_token_no_preview(upstream, proxy):
    project_id = project_with_app(upstream.url)
    token = await token_for(project_id)
    await preview_tokens.revoke(deps.redis(), project_id=project_id)  # a new build, or the app stopped
    for dead in (token, preview_tokens.new_token(), "a" * 26):
        response = await get(proxy, dead)
        assert response.status_code == 404 and "expired" in response.text and "Hello" not in response.text
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with socket_to(proxy, dead):
                pass
        assert refused.value.response.status_code == 403
    assert (await get(proxy, "not-a-token")).headers["x-preview"] == "expired"


async def test_a_preview_host_never_reaches_the_product(upstream, proxy):
    token = await token_for(project_with_app(upstream.url))
    health = await get(proxy, token, "/api/health")
    assert "services" not in health.text  # the app's own page (or its 404), never the product's route
    assert (await get(proxy, "x" * 26, "/api/health")).headers["x-preview"] == "expired"


async def test_the_apps_cookies_are_its_own_and_never_see_ours(upstream, proxy):
    token = await token_for(project_with_app(upstream.url))
    signed = await get(proxy, token, "/sign-in")
    [cookie] = signed.headers.get_list("set-cookie")
    assert cookie.startswith("sid=abc") and "HttpOnly" in cookie and "Domain" not in cookie
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie and "lax" not in cookie
    seen = await get(proxy, token, "/whoami", cookie=f"{COOKIE_NAME}=the-founders-session; sid=abc")
    assert seen.json() == {"cookie": "sid=abc"}


async def test_an_address_the_product_may_not_use_is_never_connected_to(upstream, proxy):
    for address in ("http://127.0.0.1:6379", f"unix:{upstream.uds.parent.parent / 'elsewhere.sock'}",
                    "unix:/run/redis/redis.sock", "file:///etc/passwd"):
        token = await token_for(project_with_app(address))
        response = await get(proxy, token)
        assert response.status_code == 503 and response.headers["x-preview"] == "asleep"


async def test_an_app_that_dies_is_asleep_at_once_whatever_was_remembered():
    served = Served(APP, uds=deps.settings.sockets_dir / f"dying-{uuid.uuid4().hex[:6]}.sock")
    project_id = project_with_app(served.url)
    assert await preview_proxy.preview_alive(project_id, max_age=60) == "live"
    served.stop()
    assert await preview_proxy.preview_alive(project_id, max_age=0) == "asleep"
    assert await preview_proxy.preview_alive(project_id, max_age=60) == "asleep"  # the old "live" is forgotten
