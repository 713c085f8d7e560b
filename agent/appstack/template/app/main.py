"""The app engine: one small Flask app whose records, fields and pages come from `app/schema.json`.

Run it from the workspace (the folder holding `app/`):

    python3 app/main.py --seed          # add example records, then exit
    python3 app/main.py --port 8000     # serve on http://127.0.0.1:8000

Data lives in `data/` beside `app/`: the SQLite database `app.db`, uploaded photos in `uploads/`
and the session signing key in `secret_key`.
"""

from __future__ import annotations

import argparse
import hmac
import os
import re
import secrets
import sys
from pathlib import Path
from urllib.parse import quote

if __package__ in (None, ""):  # run as `python3 app/main.py`: make `import app` find this package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import (Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request,
                   send_from_directory, session)
from werkzeug.exceptions import HTTPException
from werkzeug.security import generate_password_hash

from app import accounts, fields
from app.schema import Page, load_schema
from app.store import create_tables
from app.web import close_db, db, go, next_path, schema

APP_DIR = Path(__file__).resolve().parent
EXAMPLE_EMAIL = "example@example.invalid"
PREFIX = re.compile(r"^(?:/[A-Za-z0-9._~-]+)+$")
ERRORS = {
    400: ("That didn't go through", "The form may have expired. Go back, reload the page and try again."),
    404: ("We can't find that page", "The link may be mistyped, or the page may have moved."),
    405: ("That didn't go through", "This page can't be used that way. Try going back."),
    413: ("That's too big to upload", "Photos can be up to 2 MB each."),
}
SERVER_ERROR = ("Something went wrong on our side", "Please try again in a moment.")

bp = Blueprint("main", __name__)


def create_app(data_dir: str | Path | None = None, schema_path: str | Path | None = None) -> Flask:
    """Build the app. `data_dir` defaults to `data/` beside `app/`; `schema_path` to `app/schema.json`."""
    data = Path(data_dir) if data_dir is not None else APP_DIR.parent / "data"
    uploads = data / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, root_path=str(APP_DIR))
    app.config.update(
        SECRET_KEY=_secret_key(data / "secret_key"), SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        SCHEMA=load_schema(schema_path if schema_path is not None else APP_DIR / "schema.json"),
        DATABASE=str(data / "app.db"), UPLOADS=str(uploads))
    create_tables(app.config["DATABASE"])
    app.register_blueprint(bp)
    app.register_blueprint(accounts.bp)
    app.register_error_handler(HTTPException, _error_page)
    app.teardown_appcontext(close_db)
    return app


def _secret_key(path: Path) -> bytes:
    """The session signing key: made once, then read back from `path` (readable by its owner only)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    key = secrets.token_hex(32).encode()
    with os.fdopen(fd, "wb") as file:
        file.write(key)
    return key


def csrf_token() -> str:
    """This session's token, sent back with every form and checked on every POST."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


@bp.before_app_request
def _before_request() -> None:
    g.root = _root_prefix()
    g.user = _signed_in_user()
    if request.method == "POST":
        sent, expected = request.form.get("csrf_token", ""), session.get("csrf", "")
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            abort(400)


@bp.after_app_request
def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self'; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.app_context_processor
def _template_globals() -> dict:
    return {"schema": schema(), "user": g.get("user"), "root": g.get("root", ""), "csrf_token": csrf_token,
            "week": fields.DAYS}


def _root_prefix() -> str:
    """The path a proxy serves the app under (its X-Forwarded-Prefix header), so links keep it."""
    prefix = request.headers.get("X-Forwarded-Prefix", "").rstrip("/")
    return prefix if PREFIX.match(prefix) else ""


def _signed_in_user():
    """The signed-in user's row, or None (always None when the app has no accounts)."""
    user_id = session.get("uid")
    if not schema().accounts or not isinstance(user_id, int):
        return None
    return db().user_by_id(user_id)


@bp.get("/")
def home():
    """The app's name, promise and a card per page."""
    return render_template("home.html", counts=db().counts())


@bp.route("/p/<slug>", methods=["GET", "POST"])
def product_page(slug: str):
    """A page of the product: add records (POST) or see and search them (GET)."""
    found = schema().page(slug)
    if found is None:
        abort(404)
    if request.method == "GET":
        return _show_page(found)
    if found.mode != "add":
        abort(405)
    return _add_record(found)


def _show_page(page: Page, typed: dict | None = None, errors: dict | None = None, status: int = 200):
    query = request.args.get("q", "").strip()[:200] if page.mode == "browse" else ""
    cards = [fields.card(page.entity, record) for record in db().records(page.entity.key)]
    if query:
        cards = [card for card in cards if query.casefold() in card.search_text]
    return render_template("page.html", page=page, entity=page.entity, cards=cards, q=query,
                           typed=typed or {}, errors=errors or {},
                           add_page=schema().add_page_for(page.entity)), status


def _add_record(page: Page):
    if schema().accounts and g.user is None:
        flash(f"Sign in to add {page.entity.plural_lower}.")
        return go(f"/signin?next={quote(page.path)}")
    values, typed, errors = fields.read_form(page.entity.fields, request.form, request.files)
    if errors:
        return _show_page(page, typed, errors, 400)
    fields.save_uploads(values, Path(current_app.config["UPLOADS"]))
    db().add_record(page.entity.key, values, owner_id=g.user["id"] if g.user else None)
    flash(f"{page.entity.name} added.")
    return go(page.path)


@bp.get("/uploads/<name>")
def upload(name: str):
    """An uploaded photo; only names the app itself made are served."""
    if not fields.UPLOAD_NAME.match(name):
        abort(404)
    return send_from_directory(current_app.config["UPLOADS"], name, max_age=86400)


@bp.get("/health")
def health():
    """For the builder and uptime checks."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def _error_page(exc: HTTPException):
    """Every error as a friendly page in the app's design (never a stack trace)."""
    code = exc.code or 500
    title, text = ERRORS.get(code, SERVER_ERROR)
    return render_template("error.html", code=code, title=title, text=text), code


def seed_examples(app: Flask) -> int:
    """Give each entity without records 2 example records, owned by an "Example" user. Returns how many."""
    added = 0
    with app.app_context():
        store = db()
        user = store.user_by_email(EXAMPLE_EMAIL)
        user_id = user["id"] if user else store.add_user(
            "Example", EXAMPLE_EMAIL, generate_password_hash(secrets.token_urlsafe(32)))
        counts = store.counts()
        for entity in schema().entities.values():
            if counts.get(entity.key):
                continue
            for n in range(2):
                data = {f.key: value for f in entity.fields if (value := fields.example(f, n, entity.name)) is not None}
                store.add_record(entity.key, data, user_id, example=True)
                added += 1
    return added


def main(argv: list[str] | None = None) -> None:
    """Command line: serve the app, or add example records with --seed."""
    parser = argparse.ArgumentParser(description="Run the app.")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--seed", action="store_true", help="add example records, then exit")
    args = parser.parse_args(argv)
    app = create_app()
    if args.seed:
        print(f"Added {seed_examples(app)} example records.")
        return
    app.run(host=args.host, port=args.port, threaded=True, debug=False)


if __name__ == "__main__":
    main()
