"""The preview proxy over real sockets: the app's routes served by uvicorn in front of a founder's
"running app" (a small Starlette app, also served by uvicorn) with pages, cookies and a websocket.

Websockets pass both ways for the owner (text and bytes, the subprotocol, the query string and the
public prefix); a stranger, a signed-out browser or a sleeping app get the handshake refused. The
app's own cookies work, confined to its preview path, and never see the founder's session. An app
that refuses to be framed is noticed, so the page offers a new tab instead of a blank frame."""

import asyncio
from datetime import timedelta

import httpx
import pytest
import websockets
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route, WebSocketRoute

from agent import events as ev
from agent import store
from agent.accounts import new_session_token
from cofounder_app import deps, preview_proxy
from cofounder_app.api import build_api
from cofounder_app.auth import COOKIE_NAME
from cofounder_app.headers import SecurityHeaders
from tests.support.servers import Served, free_port


async def page(request):
    return HTMLResponse(f"<h1>Hello</h1><p>{request.headers.get('x-forwarded-prefix', '')}</p>")


async def sign_in(request):
    response = HTMLResponse("signed in")
    response.set_cookie("sid", "abc", path="/", httponly=True, domain="127.0.0.1")
    return response


async def whoami(request):
    return HTMLResponse(request.headers.get("cookie", "(none)"))


async def refuses(request):
    return HTMLResponse("<h1>Not in a frame</h1>", headers={"x-frame-options": "DENY"})


async def echo(socket):
    await socket.accept(subprotocol="chat" if "chat" in socket.scope.get("subprotocols", []) else None)
    await socket.send_text(f"hello {socket.headers.get('x-forwarded-prefix', '')} {socket.url.query}")
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


@pytest.fixture(scope="module")
def upstream():
    served = Served(Starlette(routes=[Route("/", page), Route("/sign-in", sign_in), Route("/whoami", whoami),
                                      WebSocketRoute("/live", echo)]))
    yield served
    served.stop()


@pytest.fixture(scope="module")
def proxy():
    served = Served(SecurityHeaders(build_api()))
    yield served
    served.stop()


def founder_with_preview(url: str):
    """A founder (with a session cookie) whose project's build reported its app running at `url`."""
    token, token_hash = new_session_token()
    with deps.db().session() as s:
        user = store.create_user(s, email=f"preview-{token_hash[:10]}@example.com", password_hash="x")
        store.create_auth_session(s, user_id=user.id, token_hash=token_hash, lifetime=timedelta(hours=1),
                                  user_agent="test")
        project, _ = store.create_project(s, owner_id=user.id, name="Walkies")
        run = store.create_run(s, project_id=project.id, kind="build")
        store.insert_event(s, run_id=run.id, event=ev.PreviewReady(url=url))
    return project.id, {"cookie": f"{COOKIE_NAME}={token}"}


def socket_url(proxy, project_id, path="live", query="room=1"):
    return f"ws://127.0.0.1:{proxy.port}/preview/{project_id}/{path}?{query}"


async def test_the_owner_talks_to_the_app_over_a_websocket_through_the_proxy(upstream, proxy):
    project_id, cookie = founder_with_preview(f"http://127.0.0.1:{upstream.port}")
    async with websockets.connect(socket_url(proxy, project_id), additional_headers=cookie,
                                  subprotocols=["chat"]) as socket:
        assert socket.subprotocol == "chat"
        assert await socket.recv() == f"hello /preview/{project_id} room=1"
        await socket.send("ping")
        assert await socket.recv() == "echo: ping"
        await socket.send(b"\x00\x01\x02")
        assert await socket.recv() == b"\x02\x01\x00"
        await socket.send("bye")  # the app closes: the founder's side sees it, with the app's code
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), 5)
        assert socket.close_code == 4000
    # the page of the same app, through the same route, over HTTP
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{proxy.port}/preview/{project_id}/", headers=cookie)
    assert response.status_code == 200 and f"<p>/preview/{project_id}</p>" in response.text


async def test_nobody_else_gets_through(upstream, proxy):
    project_id, _ = founder_with_preview(f"http://127.0.0.1:{upstream.port}")
    _, stranger = founder_with_preview(f"http://127.0.0.1:{upstream.port}")
    for headers in (stranger, {}, {"cookie": f"{COOKIE_NAME}=forged"}):
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(socket_url(proxy, project_id), additional_headers=headers):
                pass
        assert refused.value.response.status_code == 403


async def test_a_sleeping_app_refuses_the_socket_and_says_asleep_over_http(proxy):
    project_id, cookie = founder_with_preview(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(socket_url(proxy, project_id), additional_headers=cookie):
            pass
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{proxy.port}/preview/{project_id}/", headers=cookie)
    assert response.status_code == 503 and "Your app is asleep" in response.text


async def test_the_apps_own_cookies_work_inside_its_preview_path_and_never_see_ours(upstream, proxy):
    project_id, cookie = founder_with_preview(f"http://127.0.0.1:{upstream.port}")
    base = f"http://127.0.0.1:{proxy.port}/preview/{project_id}"
    async with httpx.AsyncClient() as client:
        signed = await client.get(f"{base}/sign-in", headers=cookie)
        set_cookie = signed.headers.get_list("set-cookie")
        assert len(set_cookie) == 1 and set_cookie[0].startswith("sid=abc; Path=/preview/") and "HttpOnly" in set_cookie[0]
        assert "Domain" not in set_cookie[0] and f"Path=/preview/{project_id}/" in set_cookie[0]
        seen = await client.get(f"{base}/whoami", headers={"cookie": cookie["cookie"] + "; sid=abc"})
    assert seen.text == "sid=abc"


def test_which_headers_refuse_a_frame():
    ours = ["https://cofounder.example"]
    assert preview_proxy.frame_refused({"x-frame-options": "DENY"}, ours)
    assert preview_proxy.frame_refused({"x-frame-options": "sameorigin"}, ours)
    assert not preview_proxy.frame_refused({}, ours)
    assert preview_proxy.frame_refused({"content-security-policy": "default-src 'self'; frame-ancestors 'none'"}, ours)
    assert not preview_proxy.frame_refused({"content-security-policy": "frame-ancestors https://cofounder.example/"},
                                           ours)
    # a CSP frame-ancestors that lets us in wins over X-Frame-Options, as in browsers
    assert not preview_proxy.frame_refused({"content-security-policy": "frame-ancestors *", "x-frame-options": "DENY"},
                                           ours)


async def test_an_app_on_another_host_that_refuses_frames_is_noticed(upstream):
    # E2B previews are framed straight from the sandbox's host, so the app's own headers decide;
    # 127.0.0.2 is "another host" (not proxied) that still runs on this machine
    other = Served(Starlette(routes=[Route("/", refuses)]), host="127.0.0.2")
    try:
        refusing, _ = founder_with_preview(f"http://127.0.0.2:{other.port}/")
        assert await preview_proxy.preview_alive(refusing) == "refused"
    finally:
        other.stop()
    framed, _ = founder_with_preview(f"http://127.0.0.1:{upstream.port}/")
    assert await preview_proxy.preview_alive(framed) == "live"
    gone, _ = founder_with_preview(f"http://127.0.0.2:{free_port()}/")
    assert await preview_proxy.preview_alive(gone) == "asleep"


async def test_an_app_that_dies_is_asleep_at_once_whatever_was_remembered():
    app = Served(Starlette(routes=[Route("/", page)]))
    project_id, _ = founder_with_preview(f"http://127.0.0.1:{app.port}/")
    assert await preview_proxy.preview_alive(project_id, max_age=60) == "live"
    app.stop()
    assert await preview_proxy.preview_alive(project_id, max_age=0) == "asleep"
    assert await preview_proxy.preview_alive(project_id, max_age=60) == "asleep"  # the old "live" is forgotten
