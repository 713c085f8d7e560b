"""A scripted Claude that builds a real app on the generated apps' stack the way a real model does,
turn by turn over the fake Messages API: Flask pages and a form, its pytest tests, each phase started,
changed, tested and completed, the app started on the port the build prompt gives, checked with
http_check, looked at with take_screenshot, the guides written, and a closing summary.

The app's files live in tests/support/walkies_app/ (read here, written by the model's write_file)."""

from __future__ import annotations

from pathlib import Path

from tests.support.scripted_builds import port_of
from tests.support.fake_messages_api import FakeMessagesAPI

APP = Path(__file__).with_name("walkies_app")
FILES = ["app/main.py", "app/templates/base.html", "app/templates/home.html", "app/static/app.css",
         "tests/test_app.py", "requirements.txt"]
GUIDES = {
    "overview": "# Walkies\n\nWalkies helps busy dog owners book a trusted local walker. Payments are a demo for now.",
    "features": "# Features\n\n- Book a walk: pick a walker, a day and a time.\n- See every walk you booked.",
    "getting_started": "# Getting started\n\nOpen the home page, fill in the booking form and press Book the walk.",
    "faq": "# FAQ\n\n**Can I pay in the app?** Not yet: payments are shown as a demo.",
}



def script(api: FakeMessagesAPI, phases: int) -> None:
    """Queue the whole build: about 4 + 3 x phases turns."""
    api.turn(("text", "I'll start with the foundation: the pages, the booking form and their tests."),
             ("tool_use", "plan", {"action": "start", "phase": 1}),
             ("tool_use", "narrate", {"text": "I'm laying the foundation of Walkies: its pages and a booking form."}))
    api.turn(*[("tool_use", "write_file", {"path": path, "content": (APP / path).read_text()}) for path in FILES])
    api.turn(("tool_use", "bash", {"command": "python3 -m pytest -q"}))
    api.turn(("tool_use", "plan", {"action": "complete", "phase": 1}))
    for n in range(2, phases + 1):
        api.turn(("tool_use", "plan", {"action": "start", "phase": n}))
        api.turn(("tool_use", "edit_file", {"path": "app/templates/home.html", "old_string": "<!-- more -->",
                                            "new_string": f"<!-- phase {n} -->\n<!-- more -->"}),
                 ("tool_use", "bash", {"command": "python3 -m pytest -q"}))
        api.turn(("tool_use", "plan", {"action": "complete", "phase": n}))
    api.turn(lambda body: [("tool_use", "start_app", {"command": f"python3 app/main.py --port {port_of(body)}",
                                                      "port": port_of(body)})])
    api.turn(("tool_use", "http_check", {"path": "/"}),
             ("tool_use", "http_check", {"path": "/walks", "method": "POST",
                                         "form": {"walker": "Sam", "day": "2026-12-03", "time": "12:30"}}),
             ("tool_use", "app_logs", {}))
    api.turn(("tool_use", "take_screenshot", {"path": "/", "name": "Home page"}),
             ("tool_use", "take_screenshot", {"path": "/", "name": "Home on a phone", "size": "phone"}))
    api.turn(*[("tool_use", "document", {"kind": kind, "content": text}) for kind, text in GUIDES.items()])
    api.turn(("text", "Walkies is built: owners can book a walk and see their walks. Payments are a demo for now."))
