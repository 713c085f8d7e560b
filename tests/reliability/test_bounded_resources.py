"""Bounded resources (issue 15): a chatty app never blocks on its own output (the supervisor drains it
into a log that keeps only its end), and a project has one app server at a time (starting it again
stops the older one, process tree and all)."""

import os

import pytest

from agent.services import app_http
from agent.services.app_supervisor import LOG_LIMIT
from agent.services.sandbox import APP_LOG
from tests.support.sandboxes import confined_box

CHATTY_APP = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Chatty(BaseHTTPRequestHandler):
    def do_GET(self):
        sys.stdout.write("x" * 4000 + "\\n")   # 4 KB of output per request, to stdout and stderr
        sys.stdout.flush()
        sys.stderr.write("y" * 4000 + "\\n")
        body = self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

HTTPServer(("127.0.0.1", int(sys.argv[1])), Chatty).serve_forever()
"""


@pytest.fixture
async def box(tmp_path):
    async with confined_box(tmp_path, cpu_seconds=120, memory_mb=256) as sandbox:
        yield sandbox


async def test_a_chatty_app_keeps_answering_and_its_log_stays_bounded(box):
    """600 requests x 8 KB of output is 4.8 MB through a 64 KB pipe: an undrained pipe blocks the app
    after a few requests; the log keeps only its end."""
    await box.write_file("app.py", CHATTY_APP.encode())
    address = await box.start_server("python3 app.py 8131", port=8131)
    await app_http.wait_until_serving(address)
    async with app_http.client(address) as app:
        for n in range(600):
            assert (await app.get(f"/{n}")).text == f"/{n}"
    size = os.path.getsize(box.workspace / APP_LOG)
    assert size <= LOG_LIMIT + 16_000  # the end of the output, not all of it
    assert "[earlier output dropped]" in box.app_log() or size < LOG_LIMIT


async def test_one_app_server_per_project(box):
    await box.write_file("app.py", CHATTY_APP.encode())
    first = await box.start_server("python3 app.py 8132", port=8132)
    await app_http.wait_until_serving(first)
    old = box._server.pid
    second = await box.start_server("python3 app.py 8133", port=8133)  # the agent starts the app again
    await app_http.wait_until_serving(second)
    with pytest.raises(ProcessLookupError):
        os.kill(old, 0)  # the older server and its supervisor are gone
    async with app_http.client(second) as app:
        assert (await app.get("/again")).text == "/again"
