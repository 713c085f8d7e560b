"""The understanding interview: which question comes next, asked one at a time.

Between 6 and 12 questions cover seven topics: problem, users, value, competition, monetisation,
MVP scope and constraints. The offline co-founder picks from a question bank with branching rules
(what the idea says, what earlier answers said, what was skipped); Claude proposes its own questions
through the `next_question` tool, inside the same limits, which `accept_proposal` enforces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.services.llm import context_block

TOPICS = ("problem", "users", "value", "competition", "monetisation", "scope", "constraints")
TOPIC_LABELS = {
    "problem": "The problem", "users": "Your users", "value": "The value", "competition": "Alternatives",
    "monetisation": "Making money", "scope": "The first version", "constraints": "Constraints",
}
MIN_QUESTIONS, MAX_QUESTIONS = 6, 12


@dataclass(frozen=True)
class Question:
    key: str
    topic: str
    text: str
    why: str = ""


@dataclass(frozen=True)
class Answered:
    key: str
    topic: str
    answer: str
    skipped: bool = False


@dataclass(frozen=True)
class IdeaFacts:
    name: str
    idea: str
    audience: str = ""
    stage: str = ""
    keywords: frozenset[str] = field(default_factory=frozenset)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def facts(name: str, idea: str, audience: str = "", stage: str = "") -> IdeaFacts:
    return IdeaFacts(name=name, idea=idea, audience=audience, stage=stage,
                     keywords=frozenset(_words(f"{idea} {audience}")))


def _mentions(text_or_words: str | frozenset[str] | set[str], *terms: str) -> bool:
    words = _words(text_or_words) if isinstance(text_or_words, str) else text_or_words
    return any(t in words for t in terms)


# The bank: (question, condition). Conditions see the idea's facts and the answers so far.
_PRIMARY = {
    "problem": Question("problem", "problem", "What problem are you solving, and who feels it most? "
                        "Describe a moment when it really hurts.", "A sharp problem makes every later choice easier."),
    "users": Question("users", "users", "Who exactly is your first user? Think of one real person: what do they do, "
                      "and where would you find them?", "The first version should fit one kind of person well."),
    "value": Question("value", "value", "When it works, what changes for that person? What will they be able to do "
                      "that they can't today?", "This becomes your value proposition."),
    "competition": Question("competition", "competition", "How do people deal with this today: other products, "
                            "spreadsheets, doing nothing? What's missing from those?", "Alternatives show what to beat."),
    "monetisation": Question("monetisation", "monetisation", "How will this make money? Who pays, and roughly how "
                             "much would they pay?", "Even a rough guess shapes the product."),
    "scope": Question("scope", "scope", "What are the three to five things the first version must do? "
                      "List them, most important first.", "These become the features of your MVP."),
    "constraints": Question("constraints", "constraints", "Anything the first version must respect: a deadline, a budget, "
                            "rules like privacy or payments, tools it has to work with?", "Constraints keep the plan honest."),
}

_B2B = ("business", "businesses", "companies", "company", "teams", "b2b", "clinics", "restaurants", "agencies",
        "shops", "schools", "managers", "employees", "staff")


def _sells_to_businesses(idea: IdeaFacts, answers: list[Answered]) -> bool:
    return _mentions(idea.keywords | _answer_words(answers, "users"), *_B2B)


_FOLLOW_UPS: list[tuple[Question, object]] = [
    (Question("marketplace_sides", "users", "A marketplace needs both sides. Which side will you bring in first, "
              "and how will you get the other side to show up?", "The chicken-and-egg problem decides the first version."),
     lambda f, a: _mentions(f.keywords, "marketplace", "buyers", "sellers", "platform", "connect")),
    (Question("business_buyer", "monetisation", "You're selling to businesses: who signs off on buying it, and what "
              "would convince them?", "The buyer and the user are often different people."),
     _sells_to_businesses),
    (Question("first_hundred", "users", "How will your first 100 users hear about it?",
              "Reaching people is part of the product."),
     lambda f, a: not _sells_to_businesses(f, a)),
    (Question("ai_data", "constraints", "Your idea leans on AI. What information does it need, and where will that "
              "come from?", "AI features live or die on their data."),
     lambda f, a: _mentions(f.keywords, "ai", "gpt", "llm", "machine", "recommend", "recommendations", "smart")),
    (Question("mobile", "constraints", "Do your users need this on their phone, in a browser, or both?",
              "It decides what gets built first."),
     lambda f, a: _mentions(f.keywords, "app", "mobile", "phone", "ios", "android")),
    (Question("success", "value", "Three months after launch, what would make you say it's working? "
              "Pick something you could count.", "This becomes your success metric."),
     lambda f, a: True),
]


def _answer_words(answers: list[Answered], topic: str) -> set[str]:
    return set().union(*(_words(a.answer) for a in answers if a.topic == topic and not a.skipped)) if answers else set()


_UNSURE = re.compile(
    r"^(?:i'?m |we'?re |i |we |honestly |to be honest |um+ |hmm+ )*(?:not sure(?: yet)?|unsure|no idea(?: yet)?|don'?t know(?: yet)?|"
    r"do not know|idk|dunno|not decided(?: yet)?|undecided|haven'?t (?:thought|decided)(?: about (?:it|that))?(?: yet)?|"
    r"not yet|tbd|tbc|tba|n/?a|none|nothing|no|nope|skip|pass|\?+|-+|\.+)"
    r"(?: (?:yet|really|at all|right now|for now|to be honest|tbh|sorry))*$")


def unsure(text: str) -> bool:
    """A non-answer ("Not sure yet.", "idk", "n/a", "?"): an open question, never content for the brief."""
    said = " ".join(re.sub(r"[!,;:\u2026]+|(?<=\w)\.+", " ", text.lower().replace("\u2019", "'")).split())
    return bool(_UNSURE.match(said.strip())) if len(said) < 60 else False


def _thin(answer: Answered) -> bool:
    return not answer.skipped and len(answer.answer.split()) < 6 and not unsure(answer.answer)


def next_question(idea: IdeaFacts, answers: list[Answered]) -> Question | None:
    """The offline co-founder's next question, or None when the interview is complete."""
    asked = {a.key for a in answers}
    if len(answers) >= MAX_QUESTIONS:
        return None
    covered = {a.topic for a in answers}
    # A one-line answer to a core question earns one "say more" before moving on.
    last = answers[-1] if answers else None
    if last and last.key in _PRIMARY and _thin(last) and f"{last.key}_more" not in asked:
        return Question(f"{last.key}_more", last.topic,
                        f"Could you say a bit more about that? \u201c{last.answer.strip()[:80]}\u201d is a good start; "
                        "an example would help.", "A concrete example makes the brief specific to you.")
    for topic in TOPICS:
        if topic in covered:
            continue
        if topic == "users" and idea.audience.strip() and len(idea.audience.split()) >= 6:
            continue  # onboarding already said who it is for in some detail
        return _PRIMARY[topic]
    if len(answers) < MAX_QUESTIONS:
        for question, applies in _FOLLOW_UPS:
            if question.key not in asked and applies(idea, answers):
                if len(answers) >= MIN_QUESTIONS and question.key == "success" and _has_metric(answers):
                    continue
                return question
    return None


def _has_metric(answers: list[Answered]) -> bool:
    return any(re.search(r"\d", a.answer) for a in answers if a.topic == "value")


def progress(answers_count: int, done: bool) -> tuple[int, int]:
    """(answered, expected total) for the progress bar: the total grows as the interview adapts."""
    if done:
        return answers_count, answers_count
    return answers_count, max(MIN_QUESTIONS + 2, min(MAX_QUESTIONS, answers_count + 2))


# --- Claude: the same decision as a tool call --------------------------------------------------------

NEXT_QUESTION_TOOL = {
    "name": "next_question",
    "description": "Ask the founder the next interview question, or finish the interview.",
    "input_schema": {
        "type": "object",
        "properties": {
            "done": {"type": "boolean", "description": "true when the interview has enough to write the brief"},
            "key": {"type": "string", "description": "a short snake_case id for the question"},
            "topic": {"type": "string", "enum": list(TOPICS)},
            "question": {"type": "string", "description": "one question, plain English, under 300 characters"},
            "why": {"type": "string", "description": "one short sentence on why it matters"},
        },
        "required": ["done"],
    },
}

SYSTEM = (
    "You are the founder's AI co-founder, running an understanding interview about their startup idea. "
    "Ask one question at a time, in plain, warm English, adapted to the idea and to what they already said. "
    f"Ask between {MIN_QUESTIONS} and {MAX_QUESTIONS} questions in total, and make sure the interview covers: "
    + ", ".join(TOPICS) + ". Never repeat a question. Call the next_question tool every time."
)


def prompt(idea: IdeaFacts, answers: list[Answered]) -> str:
    data = {
        "project": idea.name, "idea": idea.idea, "audience": idea.audience, "stage": idea.stage,
        "answers": [{"key": a.key, "topic": a.topic, "answer": a.answer, "skipped": a.skipped} for a in answers],
        "topics_not_yet_covered": [t for t in TOPICS if t not in {a.topic for a in answers}],
        "questions_so_far": len(answers),
    }
    return "Choose the next interview question.\n" + context_block(data)


def accept_proposal(proposal: dict, idea: IdeaFacts, answers: list[Answered]) -> Question | None:
    """Claude's proposal within the rules: the bank fills in when it stops too early, repeats a
    question or leaves a topic out, and the cap ends it."""
    if len(answers) >= MAX_QUESTIONS:
        return None
    asked = {a.key for a in answers}
    covered = {a.topic for a in answers}
    text = str(proposal.get("question", "")).strip()
    key = re.sub(r"[^a-z0-9_]+", "_", str(proposal.get("key", "")).lower()).strip("_")[:60]
    topic = proposal.get("topic") if proposal.get("topic") in TOPICS else None
    if proposal.get("done"):
        if len(answers) >= MIN_QUESTIONS and covered >= set(TOPICS) - {"users"}:
            return None
        return next_question(idea, answers)
    if not text or not key or not topic or key in asked or len(text) > 500:
        return next_question(idea, answers)
    return Question(key=key, topic=topic, text=text, why=str(proposal.get("why", "")).strip()[:200])
