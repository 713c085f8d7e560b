"""Accounts: sign up, sign in and sign out (only when the product has accounts)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from app import fields
from app.web import db, go, next_path, schema

MIN_PASSWORD, MAX_PASSWORD = 8, 200

bp = Blueprint("accounts", __name__)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create an account: name, email and a password of at least 8 characters."""
    _need_accounts()
    typed = {"name": " ".join(request.form.get("name", "").split()), "email": request.form.get("email", "").strip()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        errors = _signup_errors(typed, password)
        if not errors:
            user_id = db().add_user(typed["name"], typed["email"], generate_password_hash(password))
            if user_id is not None:
                return _start_session(user_id, f"Welcome, {typed['name']}. Your account is ready.")
            errors["email"] = "There's already an account with that email. Sign in instead."
    return render_template("signup.html", typed=typed, errors=errors, next=next_path()), 400 if errors else 200


def _signup_errors(typed: dict, password: str) -> dict[str, str]:
    errors = {}
    if not typed["name"] or len(typed["name"]) > 100:
        errors["name"] = "Enter your name (up to 100 characters)."
    if not fields.EMAIL.match(typed["email"]) or len(typed["email"]) > 254:
        errors["email"] = "Enter your email address, like name@example.com."
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        errors["password"] = f"Choose a password of at least {MIN_PASSWORD} characters."
    return errors


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    """Sign in with email and password."""
    _need_accounts()
    typed = {"email": request.form.get("email", "").strip()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        user = db().user_by_email(typed["email"])
        if user and check_password_hash(user["password_hash"], request.form.get("password", "")):
            return _start_session(user["id"], f"Welcome back, {user['name']}.")
        errors["form"] = "That email and password don't match."
    return render_template("signin.html", typed=typed, errors=errors, next=next_path()), 400 if errors else 200


@bp.post("/signout")
def signout():
    """Forget who is signed in."""
    _need_accounts()
    session.clear()
    flash("You're signed out.")
    return go("/")


def _need_accounts() -> None:
    if not schema().accounts:
        abort(404)


def _start_session(user_id: int, message: str):
    """Sign the user in with a fresh session (never reusing the one from before), then move on."""
    target = next_path() or "/"
    session.clear()
    session["uid"] = user_id
    flash(message)
    return go(target)
