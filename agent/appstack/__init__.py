"""The web stack generated apps are built on, and the engine the offline co-founder builds with.

`requirements.txt` pins the stack (Flask, Jinja2, Werkzeug, pytest and what they need). `make run`
and `make test` install it into `.tools/appstack` (`APP_STACK_DIR` elsewhere, /opt/appstack in the
Docker image), without network at build time; every local sandbox mounts it read-only at
/opt/appstack and puts it on PYTHONPATH, so `python3 app/main.py` and `python3 -m pytest` work
offline. `template/` is the app engine: the offline co-founder copies it and writes `app/schema.json`.
"""

from __future__ import annotations

from pathlib import Path

from agent.config import app_stack_dir

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "template"
REQUIREMENTS = HERE / "requirements.txt"
INSIDE = "/opt/appstack"  # where a sandbox sees it
DESCRIPTION = ("Python 3.11 with Flask 3.1, Jinja2 and Werkzeug (web pages and forms), sqlite3 (data), pytest "
               "(tests); no network, nothing else can be installed")


def location() -> Path:
    """Where the stack is installed on this machine (APP_STACK_DIR)."""
    return app_stack_dir()


def installed() -> bool:
    return (location() / "flask" / "__init__.py").is_file()


def template_files() -> dict[str, str]:
    """The engine's files, by path in the workspace (the example schema stays out)."""
    files = {}
    for path in sorted(TEMPLATE.rglob("*")):
        rel = path.relative_to(TEMPLATE).as_posix()
        if path.is_file() and "__pycache__" not in rel and rel != "schema.example.json" and ".pytest_cache" not in rel:
            files[rel] = path.read_text(encoding="utf-8")
    pins = [line for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    files["requirements.txt"] = "\n".join(pins) + "\n"  # so the downloaded app runs anywhere
    return files
