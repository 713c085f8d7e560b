"""Walkies: owners book a walk with a local walker. Run: python3 app/main.py --port 8000"""
import argparse
import sqlite3
from pathlib import Path

from flask import Flask, g, redirect, render_template, request

DATA = Path(__file__).resolve().parent.parent / "data"


def create_app(database: Path | None = None) -> Flask:
    app = Flask(__name__)
    app.config["DATABASE"] = str(database or DATA / "walkies.db")

    def db() -> sqlite3.Connection:
        if "db" not in g:
            Path(app.config["DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
            g.db = sqlite3.connect(app.config["DATABASE"])
            g.db.execute("create table if not exists walks (walker text, day text, time text)")
        return g.db

    @app.teardown_appcontext
    def close(_error):
        if "db" in g:
            g.pop("db").close()

    @app.get("/")
    def home():
        walks = db().execute("select walker, day, time from walks order by day, time").fetchall()
        return render_template("home.html", walks=walks, errors={}, form={})

    @app.post("/walks")
    def book():
        form = {k: request.form.get(k, "").strip() for k in ("walker", "day", "time")}
        errors = {k: "Please fill this in." for k, v in form.items() if not v}
        if errors:
            walks = db().execute("select walker, day, time from walks").fetchall()
            return render_template("home.html", walks=walks, errors=errors, form=form), 400
        db().execute("insert into walks values (?, ?, ?)", (form["walker"], form["day"], form["time"]))
        db().commit()
        return redirect("/", code=303)

    @app.get("/health")
    def health():
        return {"ok": True}

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    create_app().run(host=args.host, port=args.port)
