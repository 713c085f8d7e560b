"""What a scripted Claude does to finish a build properly, for tests that need a run to reach done:
a small server and its test, each phase started, changed, checked by the tests and completed, the app
started on the run's port (read from the build prompt, as the model would)."""

from __future__ import annotations

from agent.services.llm import read_context

SERVER = '''import http.server, sys


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>Walkies</title><h1>Walkies</h1><p>Book a walk.</p>"
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Page).serve_forever()
'''
TEST = '''import unittest


class ServerTest(unittest.TestCase):
    def test_it_imports(self):
        import server
        self.assertTrue(server.Page)
'''
TESTS = "python3 -m unittest -q"


def port_of(system: str | list | dict) -> int:
    """The run's port, from the build prompt: its text, its blocks as sent, or a request body."""
    if isinstance(system, dict):  # a Messages API request body
        system = system["system"]
    if isinstance(system, list):  # the prompt as sent: text blocks
        system = "".join(block.get("text", "") for block in system)
    return int(read_context([], system)["port"])


def finishing_turns(phases: int) -> list:
    """Turns (lists of calls, or callables of (system, messages) giving them) that finish a build."""
    turns: list = [[("write_file", {"path": "server.py", "content": SERVER}),
                    ("write_file", {"path": "test_server.py", "content": TEST})]]
    for n in range(1, phases + 1):
        turns += [[("plan", {"action": "start", "phase": n})],
                  [("write_file", {"path": f"notes/phase-{n}.md", "content": f"Phase {n} works.\n"}),
                   ("bash", {"command": TESTS})],
                  [("plan", {"action": "complete", "phase": n})]]
    turns.append(lambda system, _messages: [("start_app", {"command": f"python3 server.py {port_of(system)}",
                                                           "port": port_of(system)})])
    return turns
