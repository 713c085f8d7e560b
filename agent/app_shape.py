"""The shape of the app a brief describes: its records, their fields and its pages (the offline co-founder).

Each planned feature becomes a page. The things a feature names become records with fields read
from its words: "Log harvests: what, how much, when and who picked it" is a Harvest with What, How
much (a number), When (a date) and Who picked it; "Agree a watering rota" is a Watering rota with
Days and People; "Offer part of their plot, with its size and a photo" is an Offer with Plot, Size and
Photo. A feature that browses, searches or finds a thing another feature adds is a search page over
it. The result is `app/schema.json` of the generated app (see `agent/appstack/template`): data, never
code, so nothing a founder wrote can run.
"""

from __future__ import annotations

import re
from typing import Any

from agent import reading

# Verbs whose feature is a thing of the same name: an offer, a booking, a loan.
_DONE_AS = {
    "offer": "Offer", "request": "Request", "book": "Booking", "order": "Order", "pre-order": "Order",
    "preorder": "Order", "pledge": "Pledge", "swap": "Swap", "borrow": "Loan", "lend": "Loan", "rent": "Rental",
    "report": "Report", "review": "Review", "rate": "Rating", "vote": "Vote", "donate": "Donation",
    "register": "Registration", "reserve": "Reservation", "pay": "Payment", "message": "Message", "chat": "Message",
    "comment": "Comment", "invite": "Invitation", "apply": "Application", "claim": "Claim", "text": "Message",
}
_BROWSE = {"browse", "search", "find", "filter", "see", "view", "show", "explore", "discover", "compare", "sort",
           "watch", "read"}
_SKIP = {"a", "an", "the", "some", "their", "your", "his", "her", "its", "our", "my", "each", "every", "all", "any",
         "new", "simple", "basic", "easy", "quick", "own", "other", "others", "more", "part", "few", "couple",
         "lot", "bit", "while", "else", "someone", "everyone", "this", "these", "those"}
_STOP = {"of", "with", "for", "to", "near", "from", "at", "on", "in", "by", "between", "and", "or", "so", "that",
         "which", "who", "when", "where", "what", "how", "they", "you", "we", "i", "it", "them", "before", "after",
         "into", "per", "without", "using", "via", "is", "are", "can", "will"}
_GENERIC = {"list", "page", "section", "feature", "screen", "tab", "dashboard", "way", "thing", "things", "stuff",
            "system", "tool", "option", "ability", "app"}
_OUTSIDE = {"Payments": ("pay", "payment", "payments", "deposit", "stripe", "checkout", "invoice", "invoices"),
            "Email": ("email", "emails", "newsletter"), "Text messages": ("sms", "texts", "text message"),
            "Maps": ("map", "maps", "directions"), "Video calls": ("video",)}
_DAYS_WORDS = ("rota", "rotas", "schedule", "timetable", "shifts", "shift", "calendar")

# Words in a feature that ask for a field: (pattern, key, label, kind, hint).
_CUES: list[tuple[str, str, str, str, str]] = [
    (r"\bphotos?\b|\bpictures?\b|\bimages?\b", "photo", "Photo", "photo", ""),
    (r"\bsizes?\b", "size", "Size", "text", "e.g. 3 m by 4 m"),
    (r"\bhow much\b|\bamounts?\b|\bquantit(?:y|ies)\b|\bweight\b|\bkg\b|\bhow many\b", "how_much", "How much",
     "number", ""),
    (r"\bprices?\b|\bcosts?\b|\bfees?\b|\bdeposits?\b|£|\$|€", "price", "Price", "money", ""),
    (r"\bwhen\b|\bdates?\b|\bdeadline\b|\bdue\b", "when", "When", "date", ""),
    (r"\btimes?\b|\bslots?\b|\bhours?\b", "time", "Time", "time", ""),
    (r"\bwho picked\b", "who", "Who picked it", "person", ""),
    (r"\bwho\b(?! picked)", "who", "Who", "person", ""),
    (r"\bwhere\b|\blocations?\b|\bpostcodes?\b|\baddress(?:es)?\b|\bnear\b|\bneighbou?rhoods?\b|\bregion\b|\barea\b",
     "where", "Where", "place", ""),
    (r"\bratings?\b|\bstars?\b|\breviews?\b", "rating", "Rating", "rating", ""),
    (r"\bemails?\b", "email", "Email", "email", ""),
    (r"\bnotes?\b|\bdescriptions?\b|\bdetails?\b|\bcomments?\b|\bqualifications?\b|\bbio\b", "notes", "Notes",
     "long", ""),
    (r"\bsubjects?\b", "subject", "Subject", "text", ""),
    (r"\blanguages?\b", "language", "Language", "text", ""),
    (r"\blevels?\b", "level", "Level", "choice", ""),
    (r"\bsports?\b", "sport", "Sport", "text", ""),
    (r"\bstatus(?:es)?\b", "status", "Status", "choice", ""),
    (r"\broutes?\b", "route", "Route", "text", ""),
    (r"\bpace\b", "pace", "Pace", "text", "e.g. 6 min/km"),
    (r"\bpoints?\b", "points", "Points", "number", ""),
]
_OPTIONS = {"level": ["Beginner", "Intermediate", "Advanced"], "status": ["Open", "In progress", "Done"]}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "page"


def _singular(word: str) -> str:
    w = word
    low = w.lower()
    if low.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if re.search(r"(?:ches|shes|sses|xes)$", low):
        return w[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(w) > 3:
        return w[:-1]
    return w


def _plural(phrase: str) -> str:
    head, _, last = phrase.rpartition(" ")
    low = last.lower()
    if re.search(r"[^aeiou]y$", low):
        last = last[:-1] + "ies"
    elif re.search(r"(?:s|x|z|ch|sh)$", low):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}".strip()


_DETERMINERS = {"a", "an", "the", "their", "your", "his", "her", "its", "our", "my", "this", "that", "these",
                "those", "each", "every", "all", "any", "some"}
_CLAUSE = {"who", "what", "when", "where", "whether", "if", "how", "it", "them", "they", "you", "we", "i", "and", "or"}
_AUX = {"does", "do", "did", "is", "are", "was", "were", "has", "have", "had", "be", "been"}
# Words that name a view of other things: "list of medicines" is about medicines.
_VIEWS = {"list", "log", "history", "record", "records", "calendar", "menu", "map", "summary", "description",
          "photo", "photos", "details", "overview", "feed", "board", "diary"}


def _object(words: list[str]) -> list[str]:
    """The thing a phrase names: after any determiner, up to a preposition, a clause or a participle."""
    out: list[str] = []
    for word in words:
        w = word.lower().strip(",.;:()\"'")
        if not w or w == "+":
            if out:
                break
            continue
        if w in _CLAUSE and not out:
            return []  # "who is studying now", "it off": no thing named here
        if w in _STOP or w in _AUX or re.match(r"^\d", w) or (out and (w in _DETERMINERS or w.endswith("ed"))):
            if out:
                break
            continue
        if (w in _SKIP or w.endswith("'s")) and not out:
            continue
        out.append(word.strip(",.;:()\"'"))
    if len(out) > 1 and out[-1].lower() in _GENERIC and not out[-2].lower().endswith("ing"):
        out.pop()
    return out[:3]


def _thing(feature: dict[str, Any]) -> tuple[str, str, str]:
    """(what the feature does, 'add' or 'browse'; the thing it is about, '' when it names none; the
    object it acts on, e.g. 'plot' for an offer of part of a plot)."""
    words = feature["name"].split()
    if not words:
        return "add", "", ""
    phrase = reading._verb_phrase(words) or words
    second = reading._base(words[1]) if len(words) > 2 and words[1].lower().endswith("s") else None
    if phrase is words and second and second not in reading._AMBIGUOUS and reading._base(words[0]) is None:
        phrase = [reading._base(words[1]), *words[2:]]  # "Landlord sees all open repairs"
    first = phrase[0].lower()
    compound = len(phrase) > 1 and (phrase[1].lower() == "of" or phrase[1].lower() in _VIEWS | _GENERIC)
    verb = reading._base(first) if not compound else None
    if verb is None and first.endswith("ing") and len(phrase) > 1:  # "Booking a walk", "Logging gigs"
        verb = reading._base(first[:-3]) or reading._base(first[:-3] + "e") or reading._base(first[:-4])
    rest = phrase[1:] if verb else phrase
    if verb == "sign" and rest and rest[0].lower() == "up":
        return "add", "Sign-up", " ".join(_object(rest[1:]))
    if verb in _BROWSE:
        if rest and rest[0].lower() == "by":  # "Search by neighbourhood": a filter over what came before
            return "browse", "", " ".join(_object(rest[1:]))
        return "browse", _viewed(rest) or " ".join(_object(rest)), ""
    about = " ".join(_object(rest))
    about = "" if about.lower() in _GENERIC else about
    if verb in _DONE_AS:
        return "add", _DONE_AS[verb], about
    if verb is None and _viewed(rest) is not None:
        return "add", _viewed(rest) or "", ""
    return "add", about, ""


def _viewed(words: list[str]) -> str | None:
    """'list of medicines' -> 'medicines'; None when the words are not a view of something."""
    skip = 1 if words and words[0].lower() in _DETERMINERS else 0
    if len(words) <= skip or words[skip].lower() not in _VIEWS:
        return None
    lowered = [w.lower() for w in words[skip:skip + 5]]
    if "of" not in lowered:
        return None
    return " ".join(_object(words[skip + lowered.index("of") + 1:]))


def _title_field(thing: str, about: str, text: str) -> dict[str, Any]:
    """The field that names a record: what the feature acts on, else what the founder's words point at."""
    if about and about.lower() != thing.lower():
        words = about.split()
        label = " ".join([*words[:-1], _singular(words[-1])])
        label = label[:1].upper() + label[1:]
        return {"key": slug(label).replace("-", "_")[:40], "label": label, "kind": "text", "required": True, "hint": ""}
    if re.search(r"\bwhat\b", text.lower()) or thing in _DONE_AS.values() and thing != "Message":
        return {"key": "what", "label": "What", "kind": "text", "required": True, "hint": ""}
    if thing == "Message":
        return {"key": "message", "label": "Message", "kind": "long", "required": True, "hint": ""}
    return {"key": "name", "label": "Name", "kind": "text", "required": True,
            "hint": f"What this {thing.lower()} is called"}


def _fields(thing: str, about: str, text: str) -> list[dict[str, Any]]:
    low = text.lower()
    fields = [_title_field(thing, about, text)]
    keys = {fields[0]["key"]}

    def add(key: str, label: str, kind: str, hint: str = "", required: bool = False) -> None:
        if key not in keys:
            keys.add(key)
            field = {"key": key, "label": label, "kind": kind, "required": required, "hint": hint}
            if kind == "choice":
                field["options"] = _OPTIONS.get(key, ["Yes", "No"])
            fields.append(field)

    if thing == "Message":
        add("to", "To", "person", required=True)
    if any(re.search(rf"\b{w}\b", low) for w in _DAYS_WORDS):
        add("days", "Days", "days", required=True)
        add("people", "People", "people", "Names, separated by commas", required=True)
    for pattern, key, label, kind, hint in _CUES:
        if key not in keys and re.search(pattern, low):
            add(key, label, kind, hint, required=kind == "date" and key == "when")
    if thing in ("Review", "Rating"):
        add("rating", "Rating", "rating", required=True)
        add("notes", "Notes", "long")
    if thing in ("Booking", "Reservation", "Order") and "when" not in keys:
        add("when", "When", "date", required=True)
    if len(fields) == 1:
        add("notes", "Notes", "long")
    return fields[:8]


def shape(brief: dict[str, Any], features: list[dict[str, Any]]) -> dict[str, Any]:
    """The generated app's schema for the features the plan builds."""
    entities: dict[str, dict[str, Any]] = {}
    aliases: dict[str, str] = {}  # head nouns a record is known by ('repair' for a Report of a repair)
    pages: list[dict[str, Any]] = []
    last = ""
    for feature in features:
        mode, thing, about = _thing(feature)
        text = f"{feature['name']} {feature.get('description', '')}"
        page = {"slug": slug(feature["name"]), "title": feature["name"],
                "intro": feature.get("description") or feature["name"], "mode": mode}
        key = ""
        if mode == "browse":
            head = _singular(thing.split()[-1]).lower() if thing else ""
            key = aliases.get(head, "") if head else last  # what it looks over ("who is in" looks over the last)
            if key and about:  # "Search by neighbourhood": the records gain what they are searched by
                _add_fields(entities[key], [_filter_field(about)])
        if not key:
            page["mode"] = "add"
            if not thing and last:
                key = last  # "Parents tick it off", "Record whether it was fixed": more about the last thing
                _add_fields(entities[key], _fields(entities[key]["name"], "", text)[1:])
            else:
                key = _entity_for(entities, thing or "Entry", about, text)
        for noun in (entities[key]["name"], about):
            if noun:
                aliases.setdefault(_singular(noun.split()[-1]).lower(), key)
        page["entity"], last = key, key
        pages.append(page)
    seen: set[str] = set()
    for page in pages:  # slugs are unique
        base, n = page["slug"], 2
        while page["slug"] in seen:
            page["slug"], n = f"{base}-{n}", n + 1
        seen.add(page["slug"])
    words = " ".join(f"{f['name']} {f.get('description', '')}" for f in features).lower()
    demo = [label for label, cues in _OUTSIDE.items() if any(re.search(rf"\b{re.escape(c)}\b", words) for c in cues)]
    return {
        "name": brief.get("title") or "Your app",
        "promise": brief.get("value_proposition") or "",
        "accounts": True,
        "entities": list(entities.values()),
        "pages": pages,
        "demo": demo,
    }


def _filter_field(about: str) -> dict[str, Any]:
    label = about[:1].upper() + about[1:]
    place = re.search(r"neighbou?rhood|postcode|area|region|location|city|town", about, re.I)
    return {"key": slug(label).replace("-", "_")[:40], "label": label, "kind": "place" if place else "text",
            "required": False, "hint": ""}


def _add_fields(entity: dict[str, Any], fields: list[dict[str, Any]]) -> None:
    known = {f["key"] for f in entity["fields"]}
    for field in fields:
        if field["key"] not in known and len(entity["fields"]) < 8:
            entity["fields"].append(field)
            known.add(field["key"])


def _entity_for(entities: dict[str, dict[str, Any]], thing: str, about: str, text: str) -> str:
    """The record a page adds: an existing one with the same name gains the new page's fields."""
    words = thing.split()
    name = " ".join([*words[:-1], _singular(words[-1])]) if words else "Entry"
    name = name[:1].upper() + name[1:]
    key = slug(name).replace("-", "_")[:40] or "entry"
    if key in entities:
        _add_fields(entities[key], _fields(name, about, text))
        return key
    entities[key] = {"key": key, "name": name, "plural": _plural(name), "fields": _fields(name, about, text)}
    return key
