"""Reading `schema.json`: the founder's product described as data (records, fields and pages).

The file is treated as untrusted: every value is type-checked, trimmed and length-limited, anything
invalid is dropped or given a sensible default, and unknown keys are ignored. Nothing in it is ever
run as code; the templates show every value HTML-escaped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

KINDS = frozenset({"text", "long", "number", "money", "date", "time", "days", "person", "people",
                   "place", "photo", "rating", "email", "choice"})
MODES = frozenset({"add", "browse"})
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_KEYS = frozenset({"csrf_token", "q", "next"})


class SchemaError(ValueError):
    """The schema file is missing or is not a JSON object."""


@dataclass(frozen=True)
class Field:
    """One thing a person fills in, e.g. a plot's size. `kind` decides its input and its checks."""
    key: str
    label: str
    kind: str
    required: bool = False
    hint: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    """A kind of record people add, e.g. an offer, with its fields."""
    key: str
    name: str
    plural: str
    fields: tuple[Field, ...]

    @property
    def plural_lower(self) -> str:
        """The plural for use mid-sentence: "Offers" -> "offers" (acronyms like "GPs" are kept)."""
        return _lower_first(self.plural)

    @property
    def name_lower(self) -> str:
        """The name for use mid-sentence: "Watering rota" -> "watering rota"."""
        return _lower_first(self.name)


@dataclass(frozen=True)
class Page:
    """A page of the app: `add` shows a form and the list, `browse` a search box and the list."""
    slug: str
    title: str
    intro: str
    entity: Entity
    mode: str

    @property
    def path(self) -> str:
        """The page's address below the app's root."""
        return f"/p/{self.slug}"


@dataclass(frozen=True)
class Schema:
    """The whole product: its name, promise, whether people sign in, its records and pages."""
    name: str
    promise: str
    accounts: bool
    entities: dict[str, Entity]
    pages: tuple[Page, ...]
    demo: tuple[str, ...]

    def page(self, slug: str) -> Page | None:
        """The page with this slug, or None."""
        return next((page for page in self.pages if page.slug == slug), None)

    def add_page_for(self, entity: Entity) -> Page | None:
        """The first page where records of this entity are added, or None."""
        return next((p for p in self.pages if p.entity.key == entity.key and p.mode == "add"), None)


def load_schema(path: str | Path) -> Schema:
    """Read and check the schema file at `path`."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(f"Can't read the app's schema at {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise SchemaError(f"The app's schema at {path} must be a JSON object.")
    return parse_schema(raw)


def parse_schema(raw: dict) -> Schema:
    """Build a Schema from already-decoded JSON, dropping whatever is invalid."""
    entities: dict[str, Entity] = {}
    for item in _list(raw.get("entities")):
        entity = _entity(item)
        if entity and entity.key not in entities:
            entities[entity.key] = entity
    pages: list[Page] = []
    for item in _list(raw.get("pages")):
        page = _page(item, entities)
        if page and all(page.slug != known.slug for known in pages):
            pages.append(page)
    demo = tuple(dict.fromkeys(name for name in (_text(d, "", 60) for d in _list(raw.get("demo"))) if name))
    return Schema(name=_text(raw.get("name"), "My app", 60), promise=_text(raw.get("promise"), "", 300),
                  accounts=raw.get("accounts") is True, entities=entities, pages=tuple(pages), demo=demo)


def _entity(raw) -> Entity | None:
    if not isinstance(raw, dict) or not _is_key(raw.get("key")):
        return None
    fields: list[Field] = []
    for item in _list(raw.get("fields")):
        field = _field(item)
        if field and all(field.key != known.key for known in fields):
            fields.append(field)
    if not fields:
        return None
    name = _text(raw.get("name"), raw["key"].replace("_", " ").capitalize(), 60)
    return Entity(key=raw["key"], name=name, plural=_text(raw.get("plural"), name + "s", 60),
                  fields=tuple(fields))


def _field(raw) -> Field | None:
    if not isinstance(raw, dict) or not _is_key(raw.get("key")) or raw["key"] in RESERVED_KEYS:
        return None
    kind = raw.get("kind") if raw.get("kind") in KINDS else "text"
    options = tuple(dict.fromkeys(o for o in (_text(o, "", 100) for o in _list(raw.get("options"))) if o))
    if kind == "choice" and not options:
        kind = "text"
    return Field(key=raw["key"], label=_text(raw.get("label"), raw["key"].replace("_", " ").capitalize(), 80),
                 kind=kind, required=raw.get("required") is True, hint=_text(raw.get("hint"), "", 200),
                 options=options if kind == "choice" else ())


def _page(raw, entities: dict[str, Entity]) -> Page | None:
    if not isinstance(raw, dict) or raw.get("entity") not in entities:
        return None
    slug = raw.get("slug")
    if not isinstance(slug, str) or len(slug) > 80 or not SLUG.match(slug):
        return None
    entity = entities[raw["entity"]]
    return Page(slug=slug, title=_text(raw.get("title"), entity.plural, 80), intro=_text(raw.get("intro"), "", 400),
                entity=entity, mode=raw.get("mode") if raw.get("mode") in MODES else "browse")


def _text(value, default: str, limit: int) -> str:
    """A one-line string of at most `limit` characters, or `default` when `value` is not usable."""
    if not isinstance(value, str):
        return default
    text = " ".join(value.split())[:limit].strip()
    return text or default


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _is_key(value) -> bool:
    return isinstance(value, str) and bool(KEY.match(value))


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
