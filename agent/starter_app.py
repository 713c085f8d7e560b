"""The small web app the offline co-founder builds: a Python standard-library server (no downloads,
so it runs inside the sandbox) whose pages come from the brief: the product's name and promise on
the home page, and one working page per MVP feature where people can add and see entries.

What the founder wrote reaches the app only as data: `app/product.json` (name and promise) and
`app/features.json` (each feature phase adds its entry there), read by code that never changes with
them and shown HTML-escaped. Nothing a founder types is ever spliced into source code.
"""

from __future__ import annotations

import json
import re

SERVER = r'''"""The app's first version, built by the offline co-founder. Run: python3 app/server.py --port 8000"""

import argparse
import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
PRODUCT = json.loads((HERE / "product.json").read_text())
LOCK = threading.Lock()

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f7f7fb; color: #1c1c28; }
header { background: linear-gradient(135deg, #6e56cf, #3e63dd); color: white; padding: 40px 24px; }
header h1 { margin: 0 0 8px; font-size: 34px; } header p { margin: 0; opacity: .9; font-size: 18px; }
nav { display: flex; gap: 16px; padding: 12px 24px; background: white; border-bottom: 1px solid #e4e4ee; }
nav a { color: #5b45b8; text-decoration: none; font-weight: 600; }
main { max-width: 860px; margin: 32px auto; padding: 0 24px; }
.card { background: white; border: 1px solid #e4e4ee; border-radius: 14px; padding: 20px; margin-bottom: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 16px; }
form { display: flex; gap: 8px; } input { flex: 1; padding: 10px; border: 1px solid #ccc; border-radius: 8px; }
button { background: #6e56cf; color: white; border: 0; border-radius: 8px; padding: 10px 16px; font-weight: 600; }
li { padding: 6px 0; border-bottom: 1px solid #f0f0f5; }
"""


def features():
    return json.loads((HERE / "features.json").read_text())


def entries(slug):
    path = DATA / f"{slug}.json"
    return json.loads(path.read_text()) if path.exists() else []


def add_entry(slug, text):
    with LOCK:
        items = entries(slug) + [text]
        DATA.mkdir(exist_ok=True)
        (DATA / f"{slug}.json").write_text(json.dumps(items))


def page(title, body, root=""):
    links = "".join(f'<a href="{root}/feature/{f["slug"]}">{html.escape(f["title"])}</a>' for f in features())
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><header><h1>{html.escape(PRODUCT['name'])}</h1>"
            f"<p>{html.escape(PRODUCT['promise'])}</p></header><nav><a href='{root}/'>Home</a>{links}</nav>"
            f"<main>{body}</main></body></html>")


def home(root=""):
    cards = "".join(f'<a class="card" href="{root}/feature/{f["slug"]}"><h3>{html.escape(f["title"])}</h3>'
                    f'<p>{html.escape(f["description"])}</p></a>' for f in features())
    return page(PRODUCT["name"], f"<h2>What you can do</h2><div class='grid'>{cards or 'Coming soon.'}</div>", root)


def feature_page(feature, root=""):
    items = "".join(f"<li>{html.escape(item)}</li>" for item in entries(feature["slug"]))
    body = (f"<div class='card'><h2>{html.escape(feature['title'])}</h2><p>{html.escape(feature['description'])}</p>"
            f"<form method='post'><input name='text' placeholder='Add an entry' required>"
            f"<button>Add</button></form><ul>{items or '<li>Nothing here yet.</li>'}</ul></div>")
    return page(feature["title"], body, root)


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, body, kind="text/html; charset=utf-8"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @property
    def root(self):
        """The path prefix a proxy in front of the app serves it under (links must keep it)."""
        prefix = self.headers.get("X-Forwarded-Prefix", "").rstrip("/")
        return html.escape(prefix) if prefix.startswith("/") else ""

    def _feature(self):
        slug = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        return next((f for f in features() if f["slug"] == slug), None)

    def do_GET(self):
        if self.path in ("/", "/index.html"):
            return self._send(200, home(self.root))
        if self.path == "/health":
            return self._send(200, '{"ok": true}', "application/json")
        if self.path.startswith("/feature/") and (feature := self._feature()):
            return self._send(200, feature_page(feature, self.root))
        return self._send(404, page("Not found", "<p>That page does not exist.</p>"))

    def do_POST(self):
        feature = self._feature() if self.path.startswith("/feature/") else None
        if feature is None:
            return self._send(404, page("Not found", "<p>That page does not exist.</p>"))
        length = int(self.headers.get("Content-Length") or 0)
        text = parse_qs(self.rfile.read(length).decode()).get("text", [""])[0].strip()
        if text:
            add_entry(feature["slug"], text[:500])
        self.send_response(303)
        self.send_header("Location", self.root + self.path)
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(port):
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    return server


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    print(f"{PRODUCT['name']} is running on http://127.0.0.1:{parser.parse_args().port}", flush=True)
    serve(parser.parse_args().port).serve_forever()
'''

TESTS = '''"""Checks that the app's pages work: the home page, every feature page, adding an entry."""

import html
import json
import shutil
import sys
import tempfile
import threading
import unittest
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))
import server  # noqa: E402


class AppTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp()  # the tests' entries never land in the app's own data
        server.DATA = Path(cls.data)
        cls.httpd = server.serve(0)
        cls.base = f"http://127.0.0.1:{cls.httpd.server_port}"
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        shutil.rmtree(cls.data, ignore_errors=True)

    def get(self, path):
        with urllib.request.urlopen(self.base + path) as response:
            return response.status, response.read().decode()

    def test_home_shows_the_product(self):
        status, body = self.get("/")
        self.assertEqual(status, 200)
        product = json.loads((Path(server.HERE) / "product.json").read_text())
        self.assertIn(html.escape(product["name"]), body)

    def test_every_feature_page_works_and_takes_entries(self):
        for feature in json.loads((Path(server.HERE) / "features.json").read_text()):
            status, body = self.get("/feature/" + feature["slug"])
            self.assertEqual(status, 200)
            self.assertIn(html.escape(feature["title"]), body)
            data = urllib.parse.urlencode({"text": "Test entry for " + feature["slug"]}).encode()
            urllib.request.urlopen(self.base + "/feature/" + feature["slug"], data=data)
            self.assertIn("Test entry for " + feature["slug"], self.get("/feature/" + feature["slug"])[1])


if __name__ == "__main__":
    unittest.main()
'''


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "feature"


def product_json(name: str, promise: str) -> str:
    return json.dumps({"name": name, "promise": promise}, indent=2) + "\n"


def features_json(features: list[dict[str, str]]) -> str:
    return json.dumps([{"slug": slug(f["title"]), "title": f["title"], "description": f["description"]}
                       for f in features], indent=2) + "\n"
