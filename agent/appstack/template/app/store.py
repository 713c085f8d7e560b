"""SQLite storage: people who signed up (`users`) and the records they added (`records`)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

TABLES = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    data TEXT NOT NULL,
    owner_id INTEGER REFERENCES users(id),
    example INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_entity ON records (entity, id);
"""


def connect(path: str) -> sqlite3.Connection:
    """A new connection; open one per request (or per task) and close it when done."""
    conn = sqlite3.connect(path, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def create_tables(path: str) -> None:
    """Create the tables if they don't exist yet."""
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(TABLES)
    finally:
        conn.close()


class Store:
    """The app's queries, over one open connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def add_user(self, name: str, email: str, password_hash: str) -> int | None:
        """The new user's id, or None when that email already has an account."""
        try:
            with self.conn:
                cur = self.conn.execute(
                    "INSERT INTO users (name, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    (name, email.lower(), password_hash, _now()))
        except sqlite3.IntegrityError:
            return None
        return cur.lastrowid

    def user_by_email(self, email: str) -> sqlite3.Row | None:
        """The user with this email (any letter case), or None."""
        return self.conn.execute("SELECT * FROM users WHERE email = ?", (email.lower(),)).fetchone()

    def user_by_id(self, user_id: int) -> sqlite3.Row | None:
        """The user with this id, or None."""
        return self.conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()

    def add_record(self, entity: str, data: dict, owner_id: int | None, example: bool = False) -> int:
        """Store a record of `entity`; returns its id."""
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO records (entity, data, owner_id, example, created_at) VALUES (?, ?, ?, ?, ?)",
                (entity, json.dumps(data), owner_id, int(example), _now()))
        return cur.lastrowid

    def records(self, entity: str, limit: int = 200) -> list[dict]:
        """The newest records of `entity` first, each with its decoded data and its owner's name."""
        rows = self.conn.execute(
            "SELECT r.id, r.data, r.example, r.created_at, u.name AS owner_name FROM records r "
            "LEFT JOIN users u ON u.id = r.owner_id WHERE r.entity = ? ORDER BY r.id DESC LIMIT ?",
            (entity, limit)).fetchall()
        return [dict(row, data=_decode(row["data"])) for row in rows]

    def counts(self) -> dict[str, int]:
        """How many records each entity has."""
        rows = self.conn.execute("SELECT entity, COUNT(*) FROM records GROUP BY entity").fetchall()
        return {entity: count for entity, count in rows}


def _decode(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
