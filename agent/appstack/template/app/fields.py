"""Field kinds: how each kind of field is read from a form, checked, stored, shown and made up.

Stored values (JSON in `records.data`): strings for most kinds (numbers in canonical form such as
"2.5", money as "12.50", dates as "2025-03-14", times as "09:30"), lists of strings for `days` and
`people`, an int for `rating` and the saved file's name for `photo`. Empty values are not stored.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field as dataclass_field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from app.schema import Entity, Field

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_DAYS = tuple(day[:3] for day in DAYS)
LIMITS = {"text": 200, "place": 200, "person": 100, "email": 254, "long": 2000}
MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_PEOPLE = 50
TITLE_KINDS = ("text", "person", "place")
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(?:png|jpg|gif|webp)$")
NUMBER = re.compile(r"^(-?)(\d{1,12}(?:\.\d*)?|\.\d+)$")
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Invalid(ValueError):
    """A value that can't be accepted; its message is shown beside the field."""


@dataclass
class Upload:
    """A checked image, saved only once the whole form is valid."""
    data: bytes
    ext: str


@dataclass
class Card:
    """A record ready to show: a heading, its photos, the other fields and who added it when."""
    title: str
    title_label: str = ""
    photos: list[tuple[str, str]] = dataclass_field(default_factory=list)
    details: list[tuple[Field, str]] = dataclass_field(default_factory=list)
    added_by: str = ""
    added_on: str = ""
    example: bool = False
    search_text: str = ""


def read_form(fields: tuple[Field, ...], form, files) -> tuple[dict, dict, dict]:
    """Check a submitted form. Returns (values to store, what was typed, error message per field key)."""
    values, typed, errors = {}, {}, {}
    for field in fields:
        if field.kind == "photo":
            given = files.get(field.key)
        else:
            given = form.getlist(field.key) if field.kind == "days" else form.get(field.key, "")
            typed[field.key] = given
        try:
            value = PARSERS[field.kind](field, given)
        except Invalid as exc:
            errors[field.key] = str(exc)
            continue
        if value in (None, "", []):
            if field.required:
                errors[field.key] = _missing(field)
        else:
            values[field.key] = value
    return values, typed, errors


def save_uploads(values: dict, folder: Path) -> None:
    """Write each checked image under a random name and store that name in place of the image."""
    for key, value in values.items():
        if isinstance(value, Upload):
            name = f"{secrets.token_hex(16)}.{value.ext}"
            (folder / name).write_bytes(value.data)
            values[key] = name


def show(field: Field, value) -> str:
    """A stored value as people read it, e.g. ["Mon", "Thu"] -> "Mon, Thu", 4 -> "★★★★☆"."""
    try:
        if field.kind in ("days", "people"):
            return ", ".join(str(item) for item in value)
        if field.kind == "date":
            day = date.fromisoformat(value)
            return f"{day.day} {day:%b %Y}"
        if field.kind == "number":
            return _plain(Decimal(str(value)))
        if field.kind == "money":
            return str(Decimal(str(value)).quantize(Decimal("0.01")))
        if field.kind == "rating":
            return "★" * int(value) + "☆" * (5 - int(value))
    except (TypeError, ValueError, ArithmeticError):
        pass
    return str(value)


def card(entity: Entity, record: dict) -> Card:
    """Turn a stored record into a Card; its first filled-in text-like field becomes the heading."""
    data = record["data"]
    title_field = next((f for f in entity.fields if f.kind in TITLE_KINDS and data.get(f.key)), None)
    result = Card(title=show(title_field, data[title_field.key]) if title_field else entity.name,
                  title_label=title_field.label if title_field else "",
                  added_by=record.get("owner_name") or "", added_on=_added_on(record["created_at"]),
                  example=bool(record["example"]))
    for field in entity.fields:
        value = data.get(field.key)
        if value in (None, "", []) or field is title_field:
            continue
        if field.kind == "photo":
            if isinstance(value, str) and UPLOAD_NAME.match(value):
                result.photos.append((field.label, value))
        else:
            result.details.append((field, show(field, value)))
    result.search_text = " ".join([result.title] + [text for _, text in result.details]).casefold()
    return result


QUESTION_LABELS = {"what", "which", "who", "name", "title", "item"}


def example(field: Field, n: int, thing: str = ""):
    """A plausible made-up value for example record number `n` (0 or 1) of a `thing` ("harvest"); None
    for photos. A label that is only a question ("What") takes the thing's name: "Example harvest"."""
    label = field.label.lower()
    if thing and label in QUESTION_LABELS:
        label = thing.lower()
    values = {
        "text": f"Example {label}" if n == 0 else f"Another example {label}",
        "long": f"An example {label}, written to show what goes here.",
        "number": ("2.5", "4")[n % 2], "money": ("12.50", "8.00")[n % 2],
        "date": date.today().isoformat(), "time": ("09:30", "18:00")[n % 2],
        "days": [["Mon", "Thu"], ["Tue", "Sat"]][n % 2], "person": ("Sam", "Alex")[n % 2],
        "people": ["Sam", "Alex"], "place": f"Example {label}", "rating": (4, 5)[n % 2],
        "email": ("sam@example.invalid", "alex@example.invalid")[n % 2],
        "choice": field.options[n % len(field.options)] if field.options else None, "photo": None,
    }
    return values[field.kind]


def _parse_line(field: Field, raw: str) -> str:
    text = " ".join(CONTROL.sub(" ", str(raw)).split())
    if len(text) > LIMITS[field.kind]:
        raise Invalid(f"Keep “{field.label}” to {LIMITS[field.kind]} characters or fewer.")
    return text


def _parse_long(field: Field, raw: str) -> str:
    text = CONTROL.sub("", str(raw).replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(text) > LIMITS["long"]:
        raise Invalid(f"Keep “{field.label}” to {LIMITS['long']} characters or fewer.")
    return text


def _parse_email(field: Field, raw: str) -> str:
    text = _parse_line(field, raw)
    if text and not EMAIL.match(text):
        raise Invalid(f"Enter an email address for “{field.label}”, like name@example.com.")
    return text


def _parse_decimal(field: Field, raw: str) -> Decimal | None:
    text = str(raw).strip()
    if field.kind == "money":
        text = text.lstrip("£$€ ")
    if not text:
        return None
    match = NUMBER.match(text)
    if not match:
        hint = "12.50" if field.kind == "money" else "2 or 2.5"
        raise Invalid(f"Enter a number for “{field.label}”, like {hint}.")
    if match.group(1) and Decimal(match.group(2)) != 0:
        raise Invalid(f"“{field.label}” can't be below zero.")
    return Decimal(match.group(2))


def _parse_number(field: Field, raw: str) -> str | None:
    number = _parse_decimal(field, raw)
    return None if number is None else _plain(number)


def _parse_money(field: Field, raw: str) -> str | None:
    number = _parse_decimal(field, raw)
    return None if number is None else str(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _parse_date(field: Field, raw: str) -> str:
    text = str(raw).strip()
    if not text:
        return ""
    try:
        if not ISO_DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise Invalid(f"Enter a real date for “{field.label}”, like {date.today().isoformat()}.") from None


def _parse_time(field: Field, raw: str) -> str:
    text = str(raw).strip()
    match = TIME.match(text)
    if not text:
        return ""
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise Invalid(f"Enter a time for “{field.label}”, like 09:30.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _parse_days(field: Field, raw: list[str]) -> list[str]:
    if any(day not in SHORT_DAYS for day in raw):
        raise Invalid(f"Pick days for “{field.label}” from Monday to Sunday.")
    return [day for day in SHORT_DAYS if day in raw]


def _parse_people(field: Field, raw: str) -> list[str]:
    names = [" ".join(CONTROL.sub(" ", name).split()) for name in str(raw).replace("\n", ",").split(",")]
    names = [name for name in names if name]
    if len(names) > MAX_PEOPLE or any(len(name) > LIMITS["person"] for name in names):
        raise Invalid(f"Keep “{field.label}” to {MAX_PEOPLE} names of up to {LIMITS['person']} characters.")
    return names


def _parse_rating(field: Field, raw: str) -> int | None:
    text = str(raw).strip()
    if not text:
        return None
    if text not in ("1", "2", "3", "4", "5"):
        raise Invalid(f"Choose a rating from 1 to 5 for “{field.label}”.")
    return int(text)


def _parse_choice(field: Field, raw: str) -> str:
    text = str(raw).strip()
    if text and text not in field.options:
        raise Invalid(f"Choose one of the options for “{field.label}”.")
    return text


def _parse_photo(field: Field, upload) -> Upload | None:
    if upload is None or not upload.filename:
        return None
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if not data:
        return None
    if len(data) > MAX_PHOTO_BYTES:
        raise Invalid(f"Choose a photo under 2 MB for “{field.label}”.")
    ext = _image_type(data)
    if ext is None:
        raise Invalid(f"Choose a PNG, JPEG, GIF or WebP image for “{field.label}”.")
    return Upload(data, ext)


def _image_type(data: bytes) -> str | None:
    """The file's image type from its first bytes (never from its name), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _missing(field: Field) -> str:
    """The message for a required field left empty."""
    verbs = {"photo": "Choose a photo for", "days": "Pick at least one day for", "rating": "Choose a rating for",
             "choice": "Choose an option for", "date": "Enter a date for", "time": "Enter a time for"}
    return f"{verbs.get(field.kind, 'Fill in')} “{field.label}”."


def _plain(number: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 2.50 -> "2.5", 3.0 -> "3"."""
    return format(number.normalize(), "f")


def _added_on(created_at: str) -> str:
    try:
        moment = datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        return ""
    return f"{moment.day} {moment:%b %Y}"


PARSERS = {"text": _parse_line, "person": _parse_line, "place": _parse_line, "long": _parse_long,
           "email": _parse_email, "number": _parse_number, "money": _parse_money, "date": _parse_date,
           "time": _parse_time, "days": _parse_days, "people": _parse_people, "rating": _parse_rating,
           "choice": _parse_choice, "photo": _parse_photo}
