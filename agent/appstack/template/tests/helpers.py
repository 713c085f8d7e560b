"""What the app's tests share: the product they test, sample values per field kind, and a few
requests a person makes (sign up, post a form with its token)."""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from markupsafe import escape

from app.schema import load_schema

SCHEMA = load_schema(Path(__file__).resolve().parent.parent / "app" / "schema.json")
ADD_PAGES = [page for page in SCHEMA.pages if page.mode == "add"]
BROWSE_PAGES = [page for page in SCHEMA.pages if page.mode == "browse"]
TEXT_KINDS = ("text", "long", "person", "place")
INVALID = {"text": "x" * 201, "number": "-3", "money": "lots", "date": "2024-02-30", "time": "25:00",
           "email": "not-an-email", "rating": "9", "choice": "not one of them", "people": "x" * 101 + ", Sam"}
needs_accounts = pytest.mark.skipif(not SCHEMA.accounts, reason="this app has no accounts")
no_accounts = pytest.mark.skipif(SCHEMA.accounts, reason="this app has accounts")


def slug(page):
    return page.slug


def html(response) -> str:
    return response.get_data(as_text=True)


def esc(text: str) -> str:
    """Text as the templates show it (HTML-escaped)."""
    return str(escape(text))


def tiny_png() -> bytes:
    """A valid 1x1 PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
            + chunk(b"IEND", b""))


def sample(field):
    """(what to submit, how it shows on the page) for a valid value of this field."""
    samples = {
        "text": (f"Sample {field.key}", f"Sample {field.key}"),
        "long": (f"First line of {field.key}\nSecond line", f"First line of {field.key}"),
        "number": ("2.50", "2.5"), "money": ("12.5", "12.50"), "date": ("2024-03-14", "14 Mar 2024"),
        "time": ("09:30", "09:30"), "days": (["Mon", "Thu"], "Mon, Thu"),
        "person": (f"Sam {field.key}", f"Sam {field.key}"), "people": ("Sam, Alex", "Sam, Alex"),
        "place": (f"North gate {field.key}", f"North gate {field.key}"), "rating": ("4", "★★★★☆"),
        "email": ("sam@example.com", "sam@example.com"),
        "choice": (field.options[-1] if field.options else "", esc(field.options[-1]) if field.options else ""),
        "photo": ((io.BytesIO(tiny_png()), "tiny.png"), "/uploads/"),
    }
    return samples[field.kind]


def valid_form(entity, **overrides) -> dict:
    """A form with a valid value for every field, except the ones given."""
    form = {field.key: sample(field)[0] for field in entity.fields}
    form.update(overrides)
    return form


def csrf(client, path: str) -> str:
    """The CSRF token from the form on `path`."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html(client.get(path)))
    assert match, f"no form with a CSRF token on {path}"
    return match.group(1)


def post(client, path: str, data: dict, token_from: str | None = None):
    """Submit a form the way a browser does, with the CSRF token from the page it is on."""
    return client.post(path, data={**data, "csrf_token": csrf(client, token_from or path)},
                       content_type="multipart/form-data")


def sign_up(client, email="sam@example.com", password="green beans 42", name="Sam", next_path=None):
    data = {"name": name, "email": email, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return post(client, "/signup", data)


def error_for(page_html: str, key: str) -> str:
    match = re.search(rf'id="err-{key}">([^<]*)<', page_html)
    return match.group(1) if match else ""
