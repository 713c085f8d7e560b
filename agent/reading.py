"""How founders write, read by the offline co-founder: lists in every shape, and a feature's name.

A founder lists what the first version must do as numbered lines, bullets, one item per line, a
comma list, "and"-joined clauses, full sentences, one long paragraph or a mixture, with typos and
either spelling. `items` turns any of those into the items the founder meant; `feature_name` gives
each a short name they would recognise ("Offer part of their plot" for "Plot holders offer part of
their plot, with its size and a photo"), never a fragment or a number.
"""

from __future__ import annotations

import re

MAX_ITEMS = 15

_MARKER = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014>+]|\(?\d{1,2}[.):]|\(?[a-h][.)](?=\s)|#\d{1,2})\s*")
_INLINE_NUMBER = re.compile(r"(?:^|(?<=\s))\(?(\d{1,2})[.)]\s+")
_FILLER = {"etc", "and so on", "and more", "that's it", "thats it", "not sure", "dunno", "idk", "nothing else",
           "that is all", "that's all", "maybe more later", "tbd", "n/a", "none"}

# Verbs founders use for what an app does (base forms; British and American spellings).
VERBS = frozenset("""
    add agree apply pledge pre-order preorder borrow lend cheer tick drive walk visit explore learn call return water approve archive ask assign attach book browse buy calculate cancel change chat check choose
    claim clean collect comment compare confirm connect contact create customise customize decline delete
    discover donate download edit email export favourite favorite fill filter find follow generate get give hire
    import invite join keep leave like list log manage mark match meet message notify offer open order organise
    organize pay pick plan post print publish rate read receive record register remind rent reply report request
    reserve review save scan schedule search see select sell send set share show sign sort split start store
    submit subscribe suggest swap sync tag take text track trade update upload use view vote watch write
""".split())
# Words that open an item without being part of it.
_LEAD_INS = [re.compile(p, re.I) for p in (
    r"^(?:also|then|and|plus|finally|first(?:ly)?|second(?:ly)?|third(?:ly)?|lastly|next|after that|maybe|ideally|"
    r"obviously|of course|oh and|and then|most important(?:ly)?|above all|on top of that)\b[,:]?\s+",
    r"^(?:the\s+)?(?:first\s+|1st\s+)?(?:version|app|mvp|product|site|website|platform|tool|system|v1)\s+"
    r"(?:really\s+)?(?:must|should|needs? to|has to|would|will|could|ought to)\s+(?:also\s+)?"
    r"(?:have|include|offer|provide|support|do|be able to)?\s*",
    r"^(?:it|this)\s+(?:really\s+)?(?:must|should|needs? to|has to|would|will|could)\s+(?:also\s+)?"
    r"(?:have|include|offer|provide|support|do|be able to)?\s*",
    r"^(?:we|i)(?:'d|\u2019d|\s+would|\s+really|\s+)\s*(?:need|want|like|love)\s+(?:to have\s+|to build\s+|to\s+)?",
    r"^(?:honestly|basically|really|so|well|ok|okay|right|i think|i guess)[,]?\s+",
    r"^(?:the\s+)?(?:main|most important|key|big|first|core|only)\s+(?:thing|things|feature|features|part|bit)\s+"
    r"(?:is|are|would be|will be)\s+(?:that\s+|to\s+)?",
    r"^(?:there (?:should|must|needs to) be|you need|you should have|must have|should have|must|should)\s+",
    r"^(?:a|an|the|some)\s+(?:simple|easy|quick|basic|clear|nice|good)?\s*(?:way|ability|option|place|means|button)"
    r"\s+(?:for\s+[\w'-]+(?:\s+[\w'-]+)?\s+)?to\s+",
    r"^(?:the\s+)?ability\s+(?:for\s+[\w'-]+(?:\s+[\w'-]+)?\s+)?to\s+",
    r"^(?:let|lets|letting|allow|allows|allowing|enable|enables|help|helps)\s+(?:[\w'-]+\s+){1,3}?(?:to\s+)?"
    r"(?=(?:" + "|".join(sorted(VERBS)) + r")\b)",
)]

_MODAL = re.compile(r"\bto\s+be\s+able\s+to\s+|\b(?:can|could|should|will|must|may|would|shall)(?:\s+(?:also|easily|then|quickly|just))?"
                    r"(?:\s+be\s+able\s+to)?\s+|\b(?:are|is)\s+able\s+to\s+|\b(?:need|needs|want|wants|get|gets|have|has)"
                    r"\s+to\s+", re.I)
_PRONOUNS = {"they", "we", "i", "you", "people", "everyone", "anyone", "users", "members", "both", "each", "someone"}
_DETERMINERS = {"the", "each", "every", "a", "an", "any", "one", "he", "she", "it", "someone", "everyone", "anyone"}
_PEOPLE = {"people", "children", "staff", "everyone", "men", "women", "folks", "team", "admin", "admins"}
# A name stops before the detail that follows it.
_DETAIL = re.compile(r"\s*(?:[,:;(]|\s[-\u2013\u2014]\s|\.\s)|\s+(?:so that|so|which|that|including|such as|like|e\.g\.?|"
                     r"eg|i\.e\.?|because|since|where|when|if|unless|without|plus|via|w/)\s+", re.I)
_SOFT_DETAIL = re.compile(r"\s+(?:with|for|by|using|to|near|from|at|on|in|into|after|before|between)\s+", re.I)
_DANGLING = {"of", "the", "a", "an", "to", "for", "with", "and", "or", "in", "on", "at", "by", "from", "their", "your",
             "his", "her", "its", "our", "my", "between", "near", "about", "into", "over", "per", "via", "than", "who",
             "which", "that", "so", "is", "are", "can", "will", "each", "every", "some", "any", "this", "these",
             "but", "also", "like", "up", "as"}


def items(text: str) -> list[str]:
    """The items a founder listed, in their words: markers, lead-ins and trailing stops removed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    raw_lines = [raw for raw in text.split("\n") if _MARKER.sub("", raw).strip()]
    if len(raw_lines) <= 1:
        lines = _one_paragraph(_MARKER.sub("", raw_lines[0]).strip() if raw_lines else text)
    else:
        lines = _lines(raw_lines)
    out: list[str] = []
    for line in lines:
        item = _clean(line)
        if item and item.lower() not in _FILLER and len(item) > 2 and item.lower() not in (o.lower() for o in out):
            out.append(item)
    return out[:MAX_ITEMS]


def _lines(raw_lines: list[str]) -> list[str]:
    """One item a line; a line indented under another adds detail to it; a heading line ("Must have:")
    or a labelled line ("NICE TO HAVE: reviews, photos") introduces the items after it."""
    out: list[str] = []
    indents: list[int] = []
    for raw in raw_lines:
        indent = len(raw) - len(raw.lstrip())
        line = _MARKER.sub("", raw).strip()
        if out and indents and indent > indents[-1] and _MARKER.match(raw):
            out[-1] = f"{out[-1]}, {line.rstrip('.')}"
            continue
        head, colon, rest = line.partition(":")
        if colon and len(head.split()) <= 4 and (_introduces(head) or head.isupper()):
            if rest.strip():
                parts = _comma_list(rest.strip())
                out += parts
                indents += [indent] * len(parts)
            continue
        for part in _inline_numbered(line):
            out.append(part)
            indents.append(indent)
    return out


def _inline_numbered(text: str) -> list[str]:
    """'1. booking 2. payments 3. reviews' written on one line: split at the numbers when they count up."""
    marks = list(_INLINE_NUMBER.finditer(text))
    numbers = [int(m.group(1)) for m in marks]
    if len(marks) >= 2 and numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] <= 1 + 1:
        cuts = [m.start() for m in marks] + [len(text)]
        head = text[:cuts[0]].strip()
        parts = [text[m.end():cuts[i + 1]].strip() for i, m in enumerate(marks)]
        return ([head] if head and not head.endswith(":") else []) + [p for p in parts if p]
    return [text]


def _one_paragraph(text: str) -> list[str]:
    numbered = _inline_numbered(text)
    if len(numbered) > 1:
        return numbered
    if "\u2022" in text or " * " in text:
        return [p.strip() for p in re.split(r"\s*[\u2022]\s*|\s\*\s", text) if p.strip()]
    # a heading before a colon that introduces the list ("Three things: a, b and c")
    head, colon, rest = text.partition(":")
    if colon and rest.strip() and len(head.split()) <= 8 and _introduces(head):
        text = rest.strip()
    sentences = _sentences(text)
    if len(sentences) > 1:
        return [part for s in sentences for part in _comma_list(s)]
    return _comma_list(text)


_ABBREVIATIONS = re.compile(r"(?:\be\.g|\bi\.e|\betc|\bvs|\bmr|\bmrs|\bms|\bdr|\bst|\bapprox|\bno)\.$", re.I)


def _sentences(text: str) -> list[str]:
    parts = [p for p in re.split(r"(?<=[.!?])\s+", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        if out and _ABBREVIATIONS.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part.strip())
    return out


def _introduces(head: str) -> bool:
    return bool(re.search(r"\b(?:things?|features?|must|needs?|should|would|could|core|main|key|first|version|mvp|v1|"
                          r"v2|list|priorit(?:y|ies)|it|we|basically|mainly|mostly|essentials?|do|nice|later|"
                          r"optional|have)\b", head, re.I))


def _is_bare_list(sentence: str) -> bool:
    """A sentence that is itself a list of short things ("Profiles, search and booking.")."""
    parts = _comma_list(sentence)
    return len(parts) >= 3 and all(len(p.split()) <= 5 for p in parts)


def _comma_list(text: str) -> list[str]:
    """A list written in one sentence: commas and semicolons, then 'and' where both sides stand alone."""
    pieces = [p.strip() for p in re.split(r"\s*;\s*|\s*,\s*(?:and\s+|or\s+)?", text) if p.strip()]
    merged: list[str] = []
    for piece in pieces:
        # a piece that only adds detail ("with its size") belongs to the one before it
        if merged and re.match(r"(?:with|which|that|so|including|like|such|where|when|who|whose|for|by|to|in|on|at|from|"
                               r"e\.g|i\.e|but|because|if|especially|w/)\b", piece, re.I):
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
    out: list[str] = []
    for i, piece in enumerate(merged):
        last_of_a_list = len(merged) > 1 and i == len(merged) - 1
        out.extend(_and_split(piece, in_a_list=last_of_a_list) if len(merged) > 1 or len(piece.split()) <= 12
                   else [piece])
    return out


def _and_split(piece: str, *, in_a_list: bool = False) -> list[str]:
    """'walker profiles and booking' is two items; 'search and filter' and 'sign up and sign in' are one,
    unless they end a comma list ("profiles, search and booking")."""
    parts = re.split(r"\s+(?:and|&|plus|as well as)\s+", piece)
    if len(parts) == 1:
        return [piece]
    words = [p.split() for p in parts]
    same_head = len({w[0].lower() for w in words if w}) == 1 and all(len(w) <= 3 for w in words)
    if re.match(r"(?:their|its|his|her|your|our|my)\b", parts[-1], re.I):
        return [piece]  # "quiet desks and their hours" is one thing
    infinitive = bool(re.search(r"\bto\s+\w+$", parts[0], re.I)) and len(words[1]) == 1  # "reminders to sow and harvest"
    if same_head or infinitive or any(len(w) > 6 for w in words) or (not in_a_list and any(len(w) < 2 for w in words)):
        return [piece]
    return parts


def _clean(item: str) -> str:
    item = re.sub(r"\s+", " ", item).strip().strip("\"'`").strip()
    item = re.sub(r"^(?:\(?\d{1,2}[.)]|[-*\u2022])\s+", "", item)
    for _ in range(3):
        before = item
        for lead in _LEAD_INS:
            item = lead.sub("", item, count=1).strip()
        if item == before:
            break
    item = re.sub(r"\s*(?:etc\.?|and so on|and more|\.\.\.|…)\s*$", "", item, flags=re.I)
    return item.rstrip(" .!;:,").strip()


def _base(word: str) -> str | None:
    """The base form of a verb a founder wrote (offers, browses, matches), or None when it is not one."""
    w = word.lower().strip(",.;:")
    if w in VERBS:
        return w
    for cut in ("es", "s"):
        if w.endswith(cut) and w[: -len(cut)] in VERBS:
            return w[: -len(cut)]
    return None


_PERSON = re.compile(r"(?:ers|ors|ants|ents|ists|ians|ees|ours|ors|ies|men|people|kids|friends|users|members|"
                     r"guests|staff|owners|clients|neighbors|patients|volunteers|donors|tenants|landlords|tutors|"
                     r"siblings|housemates|sides|others|cafés|cafes|clinic|shops|hostels|families|everyone|team)$")
# verbs that are as often nouns: after a plural they are a verb only when the plural is people ("owners message")
_AMBIGUOUS = frozenset("list log plan post record order report review message rate chat text tag set show use watch "
                       "swap trade vote like match book store sign change update search view check start take leave "
                       "share split need".split())
_OBJECT_PRONOUNS = {"it", "them", "this", "that", "these", "those", "one"}


def _verb_phrase(words: list[str]) -> list[str] | None:
    """'Plot holders offer part of their plot' -> 'offer part of their plot': the subject goes, the verb leads."""
    lowered = [w.lower().strip(",.;:") for w in words]
    if not words:
        return None
    first = lowered[0]
    if first in VERBS and not (len(lowered) > 1 and lowered[1] == "of"):
        return words  # already an instruction: "Search by neighbourhood"
    for i in range(1, min(5, len(words))):
        base = _base(words[i])
        if base is None or lowered[i - 1] in {"of", "the", "a", "an", "and", "or", "to", "for", "with"}:
            continue
        subject = lowered[:i]
        people = subject[-1] in _PRONOUNS | _PEOPLE or bool(_PERSON.search(subject[-1]))
        plural = subject[-1].endswith("s") and not subject[-1].endswith("ss")
        person = people or (plural and base not in _AMBIGUOUS)
        if lowered[i] == base and person and not any(_base(w) for w in words[:i]):
            return [base, *words[i + 1:]]
        if lowered[i] != base and (subject[0] in _DETERMINERS or subject[-1] in _PRONOUNS) and i + 1 < len(words):
            return [base, *words[i + 1:]]
    return None


def _particle(words: list[str]) -> bool:
    """'sign in', 'tick it off', 'cheer each other on': a last word that belongs to the verb."""
    return (len(words) >= 2 and words[-1].lower() in {"in", "out", "up", "off", "on", "down", "back"}
            and (_base(words[-2]) is not None or _base(words[0]) is not None))


def feature_name(item: str, *, limit: int = 8) -> str:
    """A short name a founder recognises for a feature they described."""
    text = _clean(item)
    modal = _MODAL.search(text)
    if modal and modal.start() > 0 and len(text[:modal.start()].split()) <= 4:
        text = text[modal.end():]
    have = re.match(r"^(?:[\w'-]+\s+){1,3}?(?:need|needs|have|has|get|gets|want|wants)\s+(?=(?:a|an|some|their)\s)", text, re.I)
    if have and not _base(text.split()[0]):
        text = text[have.end():]  # "Tutors need a profile with ..." -> "a profile with ..."
    text = re.sub(r"\s+(?:too|also|as well)$", "", text, flags=re.I)
    words = text.split()
    phrase = _verb_phrase(words)
    if phrase is not None and len(phrase) <= 3 and any(w.lower() in _OBJECT_PRONOUNS for w in phrase[1:]):
        phrase = words  # "claims it" says nothing without who: keep "Someone else claims it"
    phrase = phrase or words
    if phrase and phrase[0].lower() in {"a", "an", "the", "some"} and len(phrase) > 1:
        phrase = phrase[1:]
    name = " ".join(phrase)
    cut = _DETAIL.search(name)
    if cut and cut.start() > 0 and (len(name[:cut.start()].split()) >= 2 or not cut.group(0).strip().isalpha()):
        name = name[:cut.start()]
    words = name.split()
    if len(words) > limit:
        then = [m for m in re.finditer(r"\s+and\s+(\w+)", name)
                if _base(m.group(1)) and 2 <= len(name[:m.start()].split()) <= limit]
        soft = [m for m in _SOFT_DETAIL.finditer(name) if 2 <= len(name[:m.start()].split()) <= limit]
        words = (name[:then[0].start()] if then else name[:soft[-1].start()] if soft
                 else " ".join(words[:limit])).split()
    while len(words) > 1 and words[-1].lower().strip(",:;") in _DANGLING and not _particle(words):
        words.pop()
    name = " ".join(words).strip(" ,:;.-")
    return name[:1].upper() + name[1:] if name else ""
